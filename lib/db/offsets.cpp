#include "db/offsets.hpp"

#include "db/embedded_sql.hpp"
#include "db/fields.hpp"
#include "db/tables.hpp"

namespace dgkafka::db {

OffsetStore::OffsetStore(const Config& cfg)
    : group_(cfg.consumer_group), topic_(cfg.topic), output_table_(cfg.output_table.display()) {
    const auto vars = table_vars(cfg);
    init_sql_ = sql::render("offsets_init", vars);
    read_sql_ = sql::render("offsets_read", vars);
    lock_sql_ = sql::render("offsets_lock", vars);
    record_sql_ = sql::render("offsets_commit", vars);
    starts_sql_ = sql::render("offsets_group_read", vars);
    group_set_sql_ = sql::render("offsets_group_set", vars);
}

void OffsetStore::init(pqxx::transaction_base& tx, const PartitionOffsets& earliest) const {
    std::vector<int32_t> parts;
    std::vector<int64_t> offsets;
    for (const auto& [p, o] : earliest) {
        parts.push_back(p);
        offsets.push_back(o);
    }
    tx.exec_params0(init_sql_, group_, topic_, pg_array(parts), pg_array(offsets), output_table_);
}

PartitionOffsets OffsetStore::read(pqxx::transaction_base& tx, const std::vector<int32_t>& partitions,
                                   bool lock) const {
    PartitionOffsets out;
    for (const auto& row :
         tx.exec_params(lock ? lock_sql_ : read_sql_, group_, topic_, pg_array(partitions), output_table_))
        out[row[0].as<int32_t>()] = row[1].as<int64_t>();
    return out;
}

void OffsetStore::record(pqxx::transaction_base& tx, const std::vector<PartitionRange>& ranges,
                         const std::string& event, double batch_start_epoch) const {
    std::vector<int32_t> parts;
    std::vector<int64_t> starts, ends, counts, latest;
    for (const auto& r : ranges) {
        parts.push_back(r.partition);
        starts.push_back(r.start);
        ends.push_back(r.end);
        counts.push_back(r.count);
        latest.push_back(r.latest);
    }
    tx.exec_params0(record_sql_, group_, topic_, pg_array(parts), pg_array(starts), pg_array(ends), pg_array(counts),
                    pg_array(latest), event, batch_start_epoch, output_table_);
}

std::map<int32_t, StoredStart> OffsetStore::read_starts(pqxx::transaction_base& tx) const {
    std::map<int32_t, StoredStart> out;
    for (const auto& row : tx.exec_params(starts_sql_, group_, topic_, output_table_))
        out[row[0].as<int32_t>()] = {row[1].as<int64_t>(), nullable<int64_t>(row[2])};
    return out;
}

void OffsetStore::set_group_offsets(pqxx::transaction_base& tx, const PartitionOffsets& offsets) const {
    std::vector<int32_t> parts;
    std::vector<int64_t> values;
    for (const auto& [p, o] : offsets) {
        parts.push_back(p);
        values.push_back(o);
    }
    tx.exec_params0(group_set_sql_, group_, topic_, pg_array(parts), pg_array(values), output_table_);
}

std::vector<std::string> stored_topics(pqxx::transaction_base& tx, const Config& cfg) {
    std::vector<std::string> out;
    if (!table_exists(tx, cfg.offset_table)) return out;
    for (const auto& r : tx.exec_params(sql::render("offsets_topics", table_vars(cfg)), cfg.consumer_group))
        out.push_back(r[0].as<std::string>());
    return out;
}

}  // namespace dgkafka::db
