#include "db/table_kind.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "db/embedded_sql.hpp"

namespace dgkafka::db {

std::string TableKind::describe() const {
    using K = Kind;
    switch (kind) {
        case K::plain:
            return "local";
        case K::citus_local:
            return "Citus local (on the coordinator)";
        case K::distributed:
            return fmt::format("distributed by {} ({} shards on {} nodes)", distribution_column, shards, nodes);
        case K::reference:
            return fmt::format("reference (on {} nodes)", nodes);
        case K::append:
            return fmt::format("append-distributed by {} ({} shards on {} nodes)", distribution_column, shards, nodes);
    }
    return "local";
}

const char* TableKind::name() const {
    using K = Kind;
    switch (kind) {
        case K::plain:
            return "local";
        case K::citus_local:
            return "citus_local";
        case K::distributed:
            return "distributed";
        case K::reference:
            return "reference";
        case K::append:
            return "append";
    }
    return "local";
}

TableKind read_table_kind(pqxx::transaction_base& tx, const QualifiedName& table) {
    TableKind out;
    if (!tx.exec1(sql::render("citus_installed", {}))[0].as<bool>()) return out;
    const auto rows = tx.exec_params(sql::render("citus_table_kind", {}), table.quoted());
    if (rows.empty()) return out;
    const auto& r = rows[0];
    const auto method = r[0].as<std::string>();
    using K = TableKind::Kind;
    if (method == "h")
        out.kind = K::distributed;
    else if (method == "a" || method == "r")
        out.kind = K::append;
    else
        out.kind = r[1].as<std::string>() == "t" ? K::reference : K::citus_local;
    if (!r[2].is_null()) out.distribution_column = r[2].as<std::string>();
    out.shards = r[3].as<int64_t>();
    out.nodes = r[4].as<int64_t>();
    return out;
}

std::vector<std::string> keyed_write_problems(const TableKind& kind, const QualifiedName& table, bool keyed,
                                              const std::vector<std::string>& match_columns,
                                              const std::vector<std::string>& updated_columns,
                                              const std::function<std::string(const std::string&)>& where) {
    std::vector<std::string> problems;
    const auto& column = kind.distribution_column;
    if (!keyed || column.empty()) return problems;
    if (kind.kind == TableKind::Kind::append) {
        problems.push_back(fmt::format("{}: output table {} is {}: it takes appended rows only (mode = \"insert\")",
                                       where("kafka.output.mode"), table.display(), kind.describe()));
        return problems;
    }
    const auto named = [&](const std::vector<std::string>& columns) {
        return std::find(columns.begin(), columns.end(), column) != columns.end();
    };
    if (!named(match_columns))
        problems.push_back(
            fmt::format("{}: output table {} is {}: merge and update must match on its distribution "
                        "column; add \"{}\" to match_columns",
                        where("kafka.output.match_columns"), table.display(), kind.describe(), column));
    else if (named(updated_columns))
        problems.push_back(
            fmt::format("{}: output table {} is {}: a row's distribution column cannot be changed; "
                        "leave \"{}\" out of update_columns",
                        where("kafka.output.update_columns"), table.display(), kind.describe(), column));
    return problems;
}

}  // namespace dgkafka::db
