#include "db/table_kind.hpp"

#include <fmt/format.h>

#include "db/embedded_sql.hpp"

namespace dgkafka::db {

std::string TableKind::describe() const {
    using K = Kind;
    switch (kind) {
        case K::plain: return "local";
        case K::citus_local: return "Citus local (on the coordinator)";
        case K::distributed:
            return fmt::format("distributed by {} ({} shards on {} nodes)", distribution_column, shards, nodes);
        case K::reference: return fmt::format("reference (on {} nodes)", nodes);
        case K::append:
            return fmt::format("append-distributed by {} ({} shards on {} nodes)", distribution_column, shards, nodes);
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

}  // namespace dgkafka::db
