#pragma once
// The database side of one loader: its connection, and each batch's transaction from its first
// row to its commit — stream the COPY, fence, isolate refused rows, write rejects, record the
// offsets. Every step says how it ended (a Step) instead of throwing for control flow; pqxx
// exceptions do not leave it.
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/history.hpp"
#include "db/offsets.hpp"
#include "kafka/client.hpp"
#include "kafka/retention.hpp"
#include "load/batch.hpp"
#include "load/sink/batch_writer.hpp"
#include "load/sink/database_side.hpp"
#include "load/sink/refusal_streak.hpp"
#include "load/sink/statements.hpp"
#include "util/errors.hpp"

namespace dgkafka::load {

class BatchTransaction final : public DatabaseSide {
  public:
    BatchTransaction(const Config& cfg, const LoadStatements& statements, int id);
    ~BatchTransaction() override;

    bool connected() const override { return conn_ != nullptr; }
    bool open() const override { return tx_ != nullptr; }

    Step connect() override;  // a new session: its settings and staging table
    void disconnect() override;
    Step stored_offsets(const std::vector<int32_t>& partitions, kafka::Offsets& out) override;

    Step begin() override;
    Step send(const Batch& batch) override;
    // Ends the COPY; commits only while the stored offsets are still `expected` (the fence);
    // isolates refused rows; checks `limit`; records `ranges`. All or nothing. `context` names the
    // batch in messages; `inserted` gets the rows the output table kept.
    Step commit(Batch& batch, const std::string& context, const kafka::Offsets& expected,
                const std::vector<db::PartitionRange>& ranges, const Limit& limit, int64_t& inserted) override;
    // Records retention gaps passed with on_data_loss = "skip", behind the same fence.
    Step skip_gaps(const kafka::Offsets& expected, const std::string& topic,
                   const std::vector<kafka::RetentionGap>& gaps) override;
    void rollback() override;

  private:
    template <typename F>
    Step guarded(const std::string& context, F&& step);
    static Step job_at_fault(const std::string& context, const std::string& tried, const std::string& error);
    void open_batch();  // a batch's transaction, with its first statement
    std::optional<std::string> fence(const kafka::Offsets& expected);
    Step write(Batch& batch, const std::string& context, int64_t& inserted);

    const Config& cfg_;
    const LoadStatements& statements_;
    const int id_;
    db::OffsetStore store_;
    BatchWriter writer_;
    RefusalStreak streak_{BatchWriter::systemic_sample};  // refused rows in a row, across batches
    db::HistoryPruner pruner_;  // keeps the offset history within its retention, after commits
    std::unique_ptr<pqxx::connection> conn_;
    std::unique_ptr<pqxx::work> tx_;
};

}  // namespace dgkafka::load
