#pragma once
// Writes a batch's rows inside the caller's transaction.
//
// Fast path: the rows stream into COPY while the batch is still filling (begin, send, finish), so
// the database parses them while the loader consumes.
// Slow path, when the database refused a row: write() in a new transaction finds the refused rows
// without reloading the batch row by row: COPY names the failing line, other errors are found by
// halving, each attempt in a savepoint. They go to the batch's rejects; the good rows stay.
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>

#include "config/config.hpp"
#include "load/batch.hpp"
#include "load/statements.hpp"

namespace dgkafka {

class BatchWriter {
public:
    BatchWriter(const Config& cfg, const LoadStatements& statements);
    ~BatchWriter();

    void begin(pqxx::dbtransaction& tx);  // starts the COPY of a new batch
    void send(const Batch& batch);        // streams the rows encoded since the last call
    // Ends the COPY. False when the database refused a row: the transaction is then failed, and
    // the batch must be written again with write() in a new one.
    bool end_copy(const Batch& batch);
    // After end_copy(): moves staged rows through the mappings and writes the rejects; returns
    // the rows inserted, or nullopt when the database refused a row (as above).
    std::optional<int64_t> finish(pqxx::dbtransaction& tx, Batch& batch);
    void abandon();  // the transaction is going away with the COPY unfinished

    // The slow path. Returns the rows inserted into the output table; adds the refused ones to
    // batch.rejects, then writes every reject of the batch to the rejected-rows table.
    int64_t write(pqxx::dbtransaction& tx, Batch& batch);

    // SQLSTATE classes that are one row's fault, not the server's or the job's.
    static bool is_row_error(const std::string& sqlstate);

private:
    int64_t insert(pqxx::dbtransaction& tx, Batch& batch, const uint32_t* rows, size_t n, bool whole);
    void copy(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns,
              std::string& data);

    const LoadStatements& statements_;
    std::string reject_table_;
    std::vector<std::string> reject_columns_;
    std::string chunk_;  // COPY data being sent: a subset of the rows, or the newest rows
    void write_rejects(pqxx::dbtransaction& tx, const Batch& batch);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    std::unique_ptr<pqxx::tablewriter> stream_;  // the fast path's COPY
#pragma GCC diagnostic pop
    size_t sent_ = 0;  // bytes of batch.rows already streamed
};

}  // namespace dgkafka
