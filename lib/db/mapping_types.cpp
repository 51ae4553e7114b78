#include "db/mapping_types.hpp"

#include <fmt/format.h>

#include <map>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace dgkafka::db {

namespace {
struct ColumnType {
    pqxx::oid oid = 0;
    std::string cast_to;
};

std::string mapping_name(const Config& cfg, size_t i) {
    const auto& m = cfg.mappings[i];
    return fmt::format("{} (name = \"{}\", key = \"{}\")", cfg.where(fmt::format("kafka.output.mappings[{}].key", i)),
                       text::join(m.targets, ", "), m.expression);
}

// The expression's result type over the staging table, in a savepoint so a failure names it.
pqxx::oid result_type(pqxx::dbtransaction& tx, const Config& cfg, size_t i, const std::string& select) {
    try {
        pqxx::subtransaction sub(tx, "mapping");
        const auto r = sub.exec(select);
        sub.commit();
        return r.column_type(0);
    } catch (const pqxx::sql_error& e) {
        throw Error(Exit::config, fmt::format("{}: {}", mapping_name(cfg, i), text::trim(e.what())));
    }
}

// The filter over the staging table, as the mappings: a failure is the config's, named.
void check_filter(pqxx::dbtransaction& tx, const Config& cfg, const std::string& select) {
    try {
        pqxx::subtransaction sub(tx, "filter");
        sub.exec(select);
        sub.commit();
    } catch (const pqxx::sql_error& e) {
        throw Error(Exit::config,
                    fmt::format("{} (\"{}\"): {}", cfg.where("kafka.output.filter"), cfg.filter, text::trim(e.what())));
    }
}
}  // namespace

std::vector<std::string> mapping_casts(pqxx::dbtransaction& tx, const Config& cfg) {
    std::vector<std::string> out(cfg.mappings.size());
    std::map<std::string, ColumnType> columns;
    for (const auto& row : tx.exec_params(sql::render("output_column_types", {}), cfg.output_table.quoted()))
        columns[row[0].as<std::string>()] = {row[1].as<pqxx::oid>(), row[2].as<std::string>()};
    // The staging table's columns, and _key_bytes and _headers, which the load stages only when a mapping reads them.
    const std::string over =
        " FROM " + cfg.read_table.quoted() +
        " CROSS JOIN (SELECT NULL::bytea AS \"_key_bytes\", NULL::jsonb AS \"_headers\") AS \"_dgkafka_extra\"";
    const std::string from = over + " LIMIT 0";
    if (!cfg.filter.empty()) check_filter(tx, cfg, "SELECT 1" + over + " WHERE (" + cfg.filter + ") LIMIT 0");
    for (size_t i = 0; i < cfg.mappings.size(); ++i) {
        const auto& m = cfg.mappings[i];
        const auto col = columns.find(m.targets.front());
        if (m.targets.size() != 1 || col == columns.end()) continue;  // several columns: the function's types
        if (result_type(tx, cfg, i, "SELECT (" + m.expression + ")" + from) == col->second.oid) continue;
        out[i] = col->second.cast_to;
        result_type(tx, cfg, i, "SELECT CAST((" + m.expression + ") AS " + out[i] + ")" + from);
    }
    return out;
}
}  // namespace dgkafka::db
