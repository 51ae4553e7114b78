#pragma once
// Writes a batch's rows inside the caller's transaction.
//
// Fast path: the rows stream into COPY while the batch is still filling (begin, send, finish), so
// the database parses them while the loader consumes.
// Slow path, when the database refused a row: write() in a new transaction finds the refused rows
// without reading the server's messages (they may be in any language). The batch is copied into
// a numbered temporary table and walked server-side: the rows breaking the table's rules (CHECK,
// NOT NULL) are found by one query and tried alone, the rows between them go in; otherwise a run
// of rows goes in, or a sequence names the row it was refused at, which is then tried alone
// (schemas/refused_create.sql). Where that cannot name the row, and when the rows do not stage,
// runs of rows are tried from here and a refused run halved until its refused row stands alone
// (isolation.hpp). Refused rows go to the batch's rejects; the good rows stay.
// After a refused batch, a direct load's COPY sets the rows breaking the rules aside as it reads
// them (schemas/refused_aside.sql), so that its good rows go in once, until a batch with none.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <string>

#include "config/config.hpp"
#include "load/batch.hpp"
#include "load/sink/append_shards.hpp"
#include "load/sink/debezium_hints.hpp"
#include "load/sink/statements.hpp"

namespace dgkafka::load {

class BatchWriter {
  public:
    BatchWriter(const Config& cfg, const LoadStatements& statements);
    // With several output tables and kafka.output.unmatched = "stop": where the first message of
    // the last batch written that no table's filter took is ("partition 2 offset 17"), or nullopt.
    const std::optional<std::string>& unmatched_stop() const { return unmatched_stop_; }
    ~BatchWriter();

    void begin(pqxx::dbtransaction& tx);  // starts the COPY of a new batch
    void send(const Batch& batch);        // streams the rows encoded since the last call
    // Ends the COPY. False when the database refused a row: the transaction is then failed, and
    // the batch must be written again with write() in a new one.
    bool end_copy(const Batch& batch);
    // After end_copy(): moves staged rows through the mappings and writes the rejects; returns
    // the rows inserted, or nullopt when the database refused a row (as above).
    // While the batches hold rows the database refuses, the COPY of a direct load sets the rows
    // that break the table's rules aside, to be tried alone after it (schemas/refused_aside.sql).
    std::optional<int64_t> finish(pqxx::dbtransaction& tx, Batch& batch);
    void abandon();  // the transaction is going away with the COPY unfinished

    // Single rows, spread across a refused batch, tried before judging the job (refused_by_job).
    static constexpr size_t systemic_sample = 10;

    // The slow path's result: the rows inserted, or, when the database refused every row tried
    // (the batch, and single rows spread across it), the verdict that the job is wrong, not the data.
    struct Written {
        enum class Verdict { written, job_at_fault } verdict = Verdict::written;
        int64_t inserted = 0;
        std::string error;  // job_at_fault: the database's reason
    };
    // The slow path. Adds the refused rows to batch.rejects, then writes every reject of the
    // batch to the rejected-rows table.
    Written write(pqxx::dbtransaction& tx, Batch& batch);

  private:
    struct Attempt {
        std::optional<int64_t> inserted;  // nullopt: refused
        std::string error, sqlstate;
    };
    // Rows [first, first + n) into output table `target` (LoadStatements::moves; 0 on the direct path).
    Attempt attempt(pqxx::dbtransaction& tx, const Batch& batch, size_t first, size_t n, bool keep, size_t target);
    std::optional<std::string> refused_by_job(const Batch& batch, const std::function<Attempt(size_t row)>& probe);
    int64_t isolate(pqxx::dbtransaction& tx, Batch& batch, size_t target);
    // Several output tables: the staged rows no table's filter takes (LoadStatements::unmatched),
    // as the batch's row numbers; read from the staged batch, or in runs when a row does not stage.
    std::vector<size_t> unmatched_staged(pqxx::transaction_base& tx, const Batch& batch);
    std::vector<size_t> unmatched_in_runs(pqxx::dbtransaction& tx, const Batch& batch);
    void settle_unmatched(Batch& batch, const std::vector<size_t>& rows);
    // A refusal's reason, naming the output table when there are several.
    std::string refusal(size_t target, const std::string& error) const;
    // Row `row` of the batch refused by the database: a reject, with what DebeziumHints says of it first.
    // A row an output table refused: one reject per message, however many tables refused it
    // (their reasons joined); added to the batch's rejects by add_refusals.
    void refused(Batch& batch, size_t row, const std::string& error, const std::string& sqlstate);
    void add_refusals(Batch& batch);
    struct Refusal {
        std::string error, sqlstate;
    };
    std::map<size_t, Refusal> refusals_;  // by the batch's row
    // The call walking a refused batch into output table `target` (empty: runs from the client).
    const std::string& walk_call(size_t target) const;
    bool stage_numbered(pqxx::dbtransaction& tx, const Batch& batch);
    Attempt move(pqxx::dbtransaction& tx, size_t first, size_t n, bool keep, size_t target);
    int64_t walk(pqxx::dbtransaction& tx, Batch& batch, size_t target);
    bool aside_works(pqxx::dbtransaction& tx);
    void give_up_aside(const std::string& why);
    std::optional<int64_t> tried_aside(pqxx::dbtransaction& tx, Batch& batch);
    void copy(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns,
              std::string& data);
    // Rows into the output tables: COPYed straight in or moved from staging (move_staged), or for
    // an append-distributed table copied into the batch's shard. `target`: only that table's move.
    // Each table's rows are added to `rows` (one entry per table).
    int64_t write_staged(pqxx::transaction_base& tx, std::vector<int64_t>& rows,
                         std::optional<size_t> target = std::nullopt);
    std::string append_target() const { return statements_.append_copy + std::to_string(shard_) + ")\n--"; }

    const Config& cfg_;
    const LoadStatements& statements_;
    std::string reject_table_;
    std::optional<std::string> unmatched_stop_;
    DebeziumHints hints_;
    std::vector<std::string> reject_columns_;
    static constexpr size_t send_chunk_bytes = size_t{1} << 20;
    std::string chunk_;  // COPY data being sent: a subset of the rows, or the newest rows
    void write_rejects(pqxx::dbtransaction& tx, const Batch& batch);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    std::unique_ptr<pqxx::tablewriter> stream_;  // the fast path's COPY
#pragma GCC diagnostic pop
    size_t sent_ = 0;  // bytes of batch.rows already streamed

    // An append-distributed Citus table: the shard each batch appends to (AppendShards).
    std::optional<AppendShards> shards_;
    int64_t shard_ = 0;

    // How the next batch's COPY goes: straight in, or setting aside the rows that break the
    // table's rules: from a batch the database refused until a batch that sets none aside.
    enum class Copy { plain, setting_aside };
    Copy copy_ = Copy::plain;
    // Whether this server takes that COPY (COPY ... WHERE: PostgreSQL 12 and later; a fork or a
    // distributed table may not): tried once, with no rows.
    enum class Aside { untried, works, unavailable };
    Aside aside_;
};

}  // namespace dgkafka::load
