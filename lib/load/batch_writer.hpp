#pragma once
// Writes a batch's rows inside the caller's transaction. Rows the database refuses (a value
// that does not fit its type, a constraint, an error raised by a mapping) are found without
// reloading the batch row by row: COPY names the failing line, other errors are found by halving,
// each attempt in a savepoint. They go to the batch's rejects; the good rows stay.
#include <pqxx/pqxx>

#include "config/config.hpp"
#include "load/batch.hpp"
#include "load/statements.hpp"

namespace dgkafka {

class BatchWriter {
public:
    BatchWriter(const Config& cfg, const LoadStatements& statements);

    // Returns the rows inserted into the output table; adds the refused ones to batch.rejects,
    // then writes every reject of the batch to the rejected-rows table.
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
    std::string chunk_;  // COPY data of a subset of the rows
};

}  // namespace dgkafka
