#pragma once
// Where a load starts each partition: the database holds the truth, but an offset the consumer
// group holds in Kafka that dgkafka did not write (the previous loader's, or an operator's
// kafka-consumer-groups.sh --reset-offsets) is taken once, and recorded in the history.
#include <map>
#include <pqxx/pqxx>

#include "config/config.hpp"
#include "db/offsets.hpp"
#include "kafka/client.hpp"
#include "kafka/group_offsets.hpp"

namespace dgkafka::load {

// Why Kafka's committed offset of a partition differs from the database's (check and load agree).
enum class GroupOffsetKind {
    none,                // no committed offset in Kafka, or the same as the database's
    mirror,              // dgkafka's own mirror of this job, behind the database until its next commit
    mirror_without_row,  // dgkafka's own, but the database lost the row: never used
    other_table,         // dgkafka's mirror of another output table: never used by this job
    taken,               // another tool's, already taken (or the database already there)
    start,               // another tool's, no row in the database: the next load starts there
    reset,               // another tool's, differs from the database: the next load takes it (a reset)
};

GroupOffsetKind classify(const std::optional<kafka::GroupOffset>& group, const std::optional<db::StoredStart>& stored,
                         const std::string& output_table);
// The note `check` shows beside the group's offset; `stored`: the database's, read a moment
// before the group's (a running job's mirror follows it after each batch).
std::string explain(GroupOffsetKind kind, const kafka::GroupOffset& group,
                    const std::optional<db::StoredStart>& stored = std::nullopt);

// Gives every partition without a row its start (the group's offset when another tool wrote it,
// else the earliest), takes an operator's reset, records both in the history and warns about a
// reset. Returns the offsets taken from Kafka (to be marked as dgkafka's, then forgotten).
kafka::Offsets take_group_offsets(pqxx::transaction_base& tx, const Config& cfg, const db::OffsetStore& store,
                                  const std::map<int32_t, kafka::Watermarks>& marks, const kafka::GroupOffsets& group);

// After the taking transaction committed: marks the taken offsets in Kafka as dgkafka's, so that
// they are not taken again; if Kafka refuses, the database's group_offset still tells.
void confirm_group_offsets(pqxx::connection& conn, const Config& cfg, const db::OffsetStore& store,
                           const kafka::Offsets& taken);

}  // namespace dgkafka::load
