#pragma once
// Which shard a batch into an append-distributed Citus table goes to: Citus's COPY into such a
// table must name it (append_to_shard). Batches append to the table's newest shard until it holds
// kafka.output.append_shard_size, then to a new one, created in the batch's own transaction.
#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "vocabulary/ident.hpp"

namespace dgkafka::load {

class AppendShards {
  public:
    AppendShards(const QualifiedName& table, int64_t max_bytes);

    // The shard id this batch writes to; may create it.
    int64_t pick(pqxx::dbtransaction& tx);
    void wrote(size_t bytes) { unchecked_ += static_cast<int64_t>(bytes); }

  private:
    std::string table_;
    int64_t max_bytes_;
    // Bytes this loader appended since it last asked the newest shard's size: asked again once
    // they reach a sixteenth of the limit (the size is asked of every worker).
    int64_t unchecked_;
};

}  // namespace dgkafka::load
