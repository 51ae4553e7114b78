#pragma once
// The current-offset and history tables: where every partition resumes, and what each batch did.
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/params.hpp"
#include "vocabulary/offsets.hpp"

namespace dgkafka::db {

struct PartitionRange {
    int32_t partition = 0;
    int64_t start = 0;    // the stored offset the batch started from
    int64_t end = 0;      // the next offset to load after it
    int64_t count = 0;    // messages consumed (loaded, filtered out or rejected)
    int64_t latest = -1;  // partition end offset as last seen
};

// A partition's row at start: where it resumes, and the group's offset last taken from Kafka.
struct StoredStart {
    int64_t committed = 0;
    std::optional<int64_t> group_offset;  // written by another tool, already acted on
};

// Rows are keyed by consumer group, topic, output table and partition (the spec's resume key).
// The topics `group` has stored offsets for in the job's offset table (none when it does not exist).
std::vector<std::string> stored_topics(pqxx::transaction_base& tx, const Config& cfg);

class OffsetStore {
  public:
    explicit OffsetStore(const Config& cfg);

    // Partitions without a row get one at the given offset (their earliest).
    void init(pqxx::transaction_base& tx, const PartitionOffsets& earliest) const;
    // Stored offsets; with lock, the rows stay locked until the transaction ends (fencing).
    PartitionOffsets read(pqxx::transaction_base& tx, const std::vector<int32_t>& partitions, bool lock) const;
    // Moves the offsets and appends history rows; event is "load", "reset-earliest", ...
    void record(pqxx::transaction_base& tx, const std::vector<PartitionRange>& ranges, const std::string& event,
                double batch_start_epoch) const;

    // Every stored partition of this job, locked until the transaction ends.
    std::map<int32_t, StoredStart> read_starts(pqxx::transaction_base& tx) const;
    // Sets (offset >= 0) or clears (-1) each partition's group_offset.
    void set_group_offsets(pqxx::transaction_base& tx, const PartitionOffsets& offsets) const;

  private:
    std::string group_, topic_, output_table_;
    std::string init_sql_, read_sql_, lock_sql_, record_sql_, starts_sql_, group_set_sql_;
};

}  // namespace dgkafka::db
