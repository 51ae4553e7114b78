#include "load/sink/field_columns.hpp"

#include <fmt/format.h>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "formats/decoder.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace dgkafka::load {

namespace {
std::string sql_literal(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

// json and jsonb columns get the member's JSON (a string stays a string); JSON null is NULL, as
// with ->>. Other types get its text (->>), read by the member pushdown, cast to the column's
// type by the mappings' cast (db::mapping_casts), which never cuts a value to the column's length.
std::string field_expression(const std::string& input, bool jsonb_input, const std::string& name,
                             const std::string& type) {
    const std::string member = fmt::format("{}->{}", quote_ident(input), sql_literal(name));
    if (type == "json" || type == "jsonb")
        return fmt::format("(CASE {}_typeof({}) WHEN 'null' THEN NULL ELSE {} END)::{}", jsonb_input ? "jsonb" : "json",
                           member, member, type);
    return fmt::format("({}->>{})", quote_ident(input), sql_literal(name));
}
}  // namespace

bool may_map_fields_to_columns(const Config& cfg) {
    if (!cfg.mappings.empty() || !json_documents(cfg.format)) return false;
    const auto loaded = cfg.loaded_columns();
    if (loaded.size() != 1) return false;
    const auto type = text::lower(text::trim(loaded[0]->type));
    return type == "json" || type == "jsonb";
}

namespace {
Config mapped(const Config& cfg, const std::vector<std::pair<std::string, std::string>>& columns) {
    const std::string& input = cfg.loaded_columns()[0]->name;
    if (columns.empty()) return cfg;  // no table yet: setup says so
    for (const auto& [name, type] : columns)
        if (name == input) return cfg;  // the document goes into its own column
    Config out = cfg;
    std::vector<std::string> names;
    for (const auto& [name, type] : columns) {
        out.mappings.push_back({{name}, field_expression(input, formats::jsonb_input(cfg), name, type)});
        names.push_back(name);
    }
    out.field_columns = names;
    log::info("fields to columns of {}: {}", cfg.output_table.display(), text::join(names, ", "));
    return out;
}

std::vector<std::pair<std::string, std::string>> column_types(const Config& cfg, pqxx::transaction_base& tx) {
    std::vector<std::pair<std::string, std::string>> columns;
    for (const auto& row : tx.exec_params(sql::render("table_column_types", {}), cfg.output_table.quoted()))
        columns.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
    return columns;
}
}  // namespace

Config with_field_columns(const Config& cfg, pqxx::transaction_base& tx) {
    if (!may_map_fields_to_columns(cfg)) return cfg;
    return mapped(cfg, column_types(cfg, tx));
}

Config with_field_columns(const Config& cfg) {
    if (!may_map_fields_to_columns(cfg)) return cfg;
    std::vector<std::pair<std::string, std::string>> columns;
    db::guarded("reading the output table's columns", [&] {
        auto conn = db::connect(cfg.db, "dgkafka");
        pqxx::read_transaction tx(*conn);
        columns = column_types(cfg, tx);
    });
    return mapped(cfg, columns);
}

}  // namespace dgkafka::load
