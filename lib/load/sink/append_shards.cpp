#include "load/sink/append_shards.hpp"

#include "db/embedded_sql.hpp"

namespace dgkafka::load {

AppendShards::AppendShards(const QualifiedName& table, int64_t max_bytes)
    : table_(table.quoted()), max_bytes_(max_bytes), unchecked_(max_bytes) {}

int64_t AppendShards::pick(pqxx::dbtransaction& tx) {
    const auto newest = tx.exec_params1(sql::render("citus_append_newest", {}), table_)[0];
    bool full = newest.is_null();
    if (!full && unchecked_ >= max_bytes_ / 16) {
        full =
            tx.exec_params1(sql::render("citus_append_size", {}), newest.as<int64_t>())[0].as<int64_t>() >= max_bytes_;
        unchecked_ = 0;
    }
    if (!full) return newest.as<int64_t>();
    unchecked_ = 0;
    return tx.exec_params1(sql::render("citus_append_create", {}), table_)[0].as<int64_t>();
}

}  // namespace dgkafka::load
