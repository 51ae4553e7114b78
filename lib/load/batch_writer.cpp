#include "load/batch_writer.hpp"

#include <fmt/format.h>

#include <numeric>

#include "db/ident.hpp"
#include "util/text.hpp"

namespace dgkafka {

namespace {

// The 1-based line of the COPY data that failed, from the server's CONTEXT ("COPY t, line 42...").
std::optional<size_t> copy_line(const std::string& message) {
    const auto ctx = message.find("COPY ");
    if (ctx == std::string::npos) return std::nullopt;
    const auto at = message.find(", line ", ctx);
    if (at == std::string::npos) return std::nullopt;
    size_t line = 0, i = at + 7, digits = 0;
    for (; i < message.size() && std::isdigit(static_cast<unsigned char>(message[i])); ++i, ++digits)
        line = line * 10 + static_cast<size_t>(message[i] - '0');
    return digits ? std::optional<size_t>(line) : std::nullopt;
}

// "value too long for type character varying(25) (column c_name)": the server's first line,
// plus the column COPY names in its context.
std::string reject_reason(const pqxx::sql_error& e) {
    std::string what = e.what();
    std::string first = what.substr(0, what.find('\n'));
    if (first.rfind("ERROR:", 0) == 0) first = std::string(text::trim(first.substr(6)));
    const auto col = what.find(", column ");
    if (col != std::string::npos) {
        const auto end = what.find_first_of(":\n", col + 9);
        first += " (column " + what.substr(col + 9, end == std::string::npos ? std::string::npos : end - col - 9) + ")";
    }
    return first;
}

}  // namespace

bool BatchWriter::is_row_error(const std::string& sqlstate) {
    // 22 data exception, 23 integrity constraint, 2F/38/39 function errors, P0 raised in PL/pgSQL,
    // 44 WITH CHECK OPTION violation.
    static const char* classes[] = {"22", "23", "2F", "38", "39", "P0", "44"};
    for (const char* c : classes)
        if (sqlstate.rfind(c, 0) == 0) return true;
    return false;
}

BatchWriter::BatchWriter(const Config& cfg, const LoadStatements& statements)
    : statements_(statements), reject_table_(cfg.reject_table.quoted()) {
    for (const char* c : {"consumer_group", "topic", "partition_number", "offset", "key", "value", "error", "sqlstate"})
        reject_columns_.push_back(quote_ident(c));
}

void BatchWriter::copy(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns,
                       std::string& data) {
    // tablewriter is libpqxx 6.4's only public way to send pre-encoded COPY text in bulk.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    pqxx::tablewriter writer(tx, table, columns.begin(), columns.end());
    data.pop_back();  // write_raw_line adds the last newline itself
    writer.write_raw_line(data);
    data.push_back('\n');
    writer.complete();
#pragma GCC diagnostic pop
}

BatchWriter::~BatchWriter() { abandon(); }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void BatchWriter::begin(pqxx::dbtransaction& tx) {
    stream_ = std::make_unique<pqxx::tablewriter>(tx, statements_.copy_table, statements_.copy_columns.begin(),
                                                  statements_.copy_columns.end());
    sent_ = 0;
}
#pragma GCC diagnostic pop

void BatchWriter::send(const Batch& batch) {
    if (!stream_ || batch.rows.size() == sent_) return;
    // write_raw_line adds the newline of the last row itself.
    chunk_.assign(batch.rows, sent_, batch.rows.size() - sent_ - 1);
    stream_->write_raw_line(chunk_);
    sent_ = batch.rows.size();
}

bool BatchWriter::end_copy(const Batch& batch) {
    try {
        send(batch);
        stream_->complete();
        stream_.reset();
        return true;
    } catch (const pqxx::sql_error& e) {
        stream_.reset();
        if (!is_row_error(e.sqlstate())) throw;
        return false;
    }
}

std::optional<int64_t> BatchWriter::finish(pqxx::dbtransaction& tx, Batch& batch) {
    try {
        int64_t inserted = static_cast<int64_t>(batch.row_start.size());
        if (!statements_.direct) inserted = static_cast<int64_t>(tx.exec0(statements_.stage_insert).affected_rows());
        write_rejects(tx, batch);
        return inserted;
    } catch (const pqxx::sql_error& e) {
        if (!is_row_error(e.sqlstate())) throw;
        return std::nullopt;
    }
}

void BatchWriter::abandon() {
    stream_.reset();  // its destructor ends the COPY, and swallows errors of a failed connection
}

int64_t BatchWriter::write(pqxx::dbtransaction& tx, Batch& batch) {
    int64_t inserted = 0;
    if (!batch.row_start.empty()) {
        std::vector<uint32_t> all(batch.row_start.size());
        std::iota(all.begin(), all.end(), 0u);
        inserted = insert(tx, batch, all.data(), all.size(), true);
    }
    write_rejects(tx, batch);
    return inserted;
}

void BatchWriter::write_rejects(pqxx::dbtransaction& tx, const Batch& batch) {
    if (!batch.rejects.count()) return;
    chunk_ = batch.rejects.lines();
    copy(tx, reject_table_, reject_columns_, chunk_);
}

int64_t BatchWriter::insert(pqxx::dbtransaction& tx, Batch& batch, const uint32_t* rows, size_t n, bool whole) {
    if (n == 0) return 0;
    std::string* data = &batch.rows;
    if (!whole) {
        chunk_.clear();
        for (size_t i = 0; i < n; ++i) chunk_.append(batch.row(rows[i]));
        data = &chunk_;
    }
    try {
        pqxx::subtransaction sub(tx, "dgkafka_rows");
        copy(sub, statements_.copy_table, statements_.copy_columns, *data);
        int64_t inserted = static_cast<int64_t>(n);
        if (!statements_.direct) {
            inserted = static_cast<int64_t>(sub.exec0(statements_.stage_insert).affected_rows());
            if (!whole) sub.exec0(statements_.stage_clear);  // the next subset reuses the stage
        }
        sub.commit();
        return inserted;
    } catch (const pqxx::sql_error& e) {
        if (!is_row_error(e.sqlstate())) throw;
        if (n == 1) {
            batch.rejects.add(batch.row_source(rows[0]), reject_reason(e), e.sqlstate());
            return 0;
        }
        if (const auto line = copy_line(e.what()); line && *line >= 1 && *line <= n) {
            const size_t bad = *line - 1;
            batch.rejects.add(batch.row_source(rows[bad]), reject_reason(e), e.sqlstate());
            return insert(tx, batch, rows, bad, false) + insert(tx, batch, rows + bad + 1, n - bad - 1, false);
        }
        const size_t half = n / 2;
        return insert(tx, batch, rows, half, false) + insert(tx, batch, rows + half, n - half, false);
    }
}

}  // namespace dgkafka
