#include "load/sink/batch_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <pqxx/tablereader>
#include <utility>

#include "db/connection.hpp"
#include "db/fault.hpp"
#include "db/tables.hpp"
#include "load/sink/isolation.hpp"
#include "load/sink/move_staged.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/text.hpp"
#include "vocabulary/ident.hpp"

namespace dgkafka::load {

namespace {

// The server's primary message without libpq's "SEVERITY:  " prefix (the severity word is
// translated, the layout is libpq's own). Nothing else is read from the text.
std::string reject_reason(const pqxx::sql_error& e) {
    const std::string what = e.what();
    std::string first = what.substr(0, what.find('\n'));
    if (const auto at = first.find(":  "); at != std::string::npos) first.erase(0, at + 3);
    return std::string(text::trim(first));
}

}  // namespace

namespace {
// A statement writing the output table was refused, maybe for a row's values: a row's fault, or
// one a Citus table does not disclose (the slow path's statements tell; see db::Fault).
bool maybe_row_error(const std::string& sqlstate, const db::TableKind& target) {
    const auto fault = db::classify(sqlstate, target);
    return fault == db::Fault::data || fault == db::Fault::undisclosed;
}
}  // namespace

BatchWriter::BatchWriter(const Config& cfg, const LoadStatements& statements)
    : cfg_(cfg),
      statements_(statements),
      reject_table_(cfg.reject_table.quoted()),
      hints_(cfg, statements.field_types),
      aside_(statements.aside_copy.empty() ? Aside::unavailable : Aside::untried) {
    for (const char* c : {"consumer_group", "topic", "partition_number", "offset", "key", "value", "error", "sqlstate"})
        reject_columns_.push_back(quote_ident(c));
    if (!statements.append_copy.empty()) shards_.emplace(cfg.output_table, int64_t{cfg.append_shard_mb} * 1024 * 1024);
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

int64_t BatchWriter::write_staged(pqxx::transaction_base& tx, std::vector<int64_t>& rows,
                                  std::optional<size_t> target) {
    rows.resize(statements_.moves.size());
    if (!shards_) {
        int64_t n = 0;
        for (size_t i = 0; i < statements_.moves.size(); ++i) {
            if (target && *target != i) continue;
            const auto moved = move_staged(tx, statements_.moves[i]);
            rows[i] += moved;
            n += moved;
        }
        return n;
    }
    // One COPY at a time on a connection: the selected rows are read whole, then copied.
    std::string data, line;
    int64_t n = 0;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    pqxx::tablereader reader(tx, statements_.stage_select);
    while (reader.get_raw_line(line)) {
        data += line;
        data += '\n';
        ++n;
    }
    reader.complete();
#pragma GCC diagnostic pop
    if (n) copy(tx, append_target(), {}, data);
    rows[0] += n;
    return n;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void BatchWriter::begin(pqxx::dbtransaction& tx) {
    if (shards_) shard_ = shards_->pick(tx);
    if (copy_ == Copy::setting_aside && !aside_works(tx)) copy_ = Copy::plain;
    // Rows set aside are tried after the others: only right while the rules are the table's.
    if (copy_ == Copy::setting_aside &&
        db::row_rules(tx, cfg_.output_table, cfg_.target_columns()) != statements_.row_rules)
        give_up_aside("the output table's CHECK constraints or NOT NULL columns changed since the load started");
    if (copy_ == Copy::setting_aside) {
        tx.exec(statements_.aside_start);
        stream_ = std::make_unique<pqxx::tablewriter>(tx, statements_.aside_copy);
    } else if (shards_ && statements_.direct) {
        stream_ = std::make_unique<pqxx::tablewriter>(tx, append_target());
    } else {
        stream_ = std::make_unique<pqxx::tablewriter>(tx, statements_.copy_table, statements_.copy_columns.begin(),
                                                      statements_.copy_columns.end());
    }
    sent_ = 0;
}

bool BatchWriter::aside_works(pqxx::dbtransaction& tx) {
    if (aside_ != Aside::untried) return aside_ == Aside::works;
    try {
        pqxx::subtransaction sub(tx, "dgkafka_aside");  // never committed: the COPY of no rows is undone
        pqxx::tablewriter(sub, statements_.aside_copy).complete();
        aside_ = Aside::works;
    } catch (const pqxx::sql_error& e) {
        give_up_aside(db::describe(e));
    }
    return aside_ == Aside::works;
}
#pragma GCC diagnostic pop

void BatchWriter::send(const Batch& batch) {
    if (!stream_) return;
    // Whole rows, about send_chunk_bytes at a time: libpqxx copies each piece twice, so large
    // messages must not be sent as one piece. write_raw_line adds the last row's newline itself.
    while (sent_ < batch.rows.size()) {
        const auto next = std::upper_bound(batch.row_start.begin(), batch.row_start.end(), sent_ + send_chunk_bytes);
        const size_t end = next == batch.row_start.end() ? batch.rows.size() : *next;
        chunk_.assign(batch.rows, sent_, end - sent_ - 1);
        stream_->write_raw_line(chunk_);
        if (shards_) shards_->wrote(chunk_.size());
        sent_ = end;
    }
}

bool BatchWriter::end_copy(const Batch& batch) {
    try {
        send(batch);
        stream_->complete();
        stream_.reset();
        return true;
    } catch (const pqxx::sql_error& e) {
        stream_.reset();
        const auto fault = db::classify(db::sqlstate(e), statements_.target);
        if (fault == db::Fault::fatal && copy_ == Copy::setting_aside) {
            // The probe's COPY of no rows passed, but the rows do not (a server that runs the
            // WHERE elsewhere): the plain COPY, and the slow path for this batch.
            give_up_aside(db::describe(e));
            return false;
        }
        if (fault != db::Fault::data && fault != db::Fault::undisclosed) throw;
        return false;
    }
}

void BatchWriter::give_up_aside(const std::string& why) {
    log::warn("rows the database refuses are no longer set aside during the COPY but found after it: {}", why);
    aside_ = Aside::unavailable;
    copy_ = Copy::plain;
}

std::optional<int64_t> BatchWriter::finish(pqxx::dbtransaction& tx, Batch& batch) {
    try {
        std::optional<int64_t> inserted = static_cast<int64_t>(batch.row_start.size());
        std::vector<size_t> unmatched;  // read before the moves; settled once they went in
        if (!statements_.unmatched.empty()) unmatched = unmatched_staged(tx, batch);
        if (!statements_.direct) {
            batch.target_rows.clear();
            inserted = write_staged(tx, batch.target_rows);
        }
        refusals_.clear();
        if (copy_ == Copy::setting_aside) inserted = tried_aside(tx, batch);
        if (!inserted) return inserted;
        add_refusals(batch);
        settle_unmatched(batch, unmatched);
        write_rejects(tx, batch);
        return inserted;
    } catch (const pqxx::sql_error& e) {
        if (!maybe_row_error(db::sqlstate(e), statements_.target)) throw;
        return std::nullopt;
    }
}

void BatchWriter::abandon() {
    stream_.reset();  // its destructor ends the COPY, and swallows errors of a failed connection
}

// The rows the COPY set aside, tried alone; the refused ones go to the rejects. nullopt when it
// set every row of a batch the sample can judge aside: the slow path judges the job.
std::optional<int64_t> BatchWriter::tried_aside(pqxx::dbtransaction& tx, Batch& batch) {
    const size_t n = batch.row_start.size();
    const auto aside = tx.exec1(statements_.aside_count)[0].as<size_t>();
    if (aside == 0) copy_ = Copy::plain;  // these batches are clean again
    if (aside == n && n >= systemic_sample) return std::nullopt;
    auto inserted = static_cast<int64_t>(n - aside);
    for (const auto& row : tx.exec(statements_.tried_aside)) {
        if (row[2].is_null())
            inserted += row[1].as<int64_t>();
        else
            refused(batch, row[0].as<size_t>() - 1, row[3].as<std::string>(), row[2].as<std::string>());
    }
    return inserted;
}

BatchWriter::Written BatchWriter::write(pqxx::dbtransaction& tx, Batch& batch) {
    Written out;
    if (aside_ != Aside::unavailable) copy_ = Copy::setting_aside;  // for the batches after this one
    if (!statements_.unmatched.empty()) settle_unmatched(batch, unmatched_in_runs(tx, batch));
    // Numbered server-side when the rows stage (they do unless a value fails its type's input),
    // and walked there by each output table's functions; else runs sent from here: a table moved
    // in rounds (one statement per round), an append-distributed table (which takes only a COPY
    // naming its shard).
    if (shards_) shard_ = shards_->pick(tx);
    const size_t targets = std::max<size_t>(1, statements_.moves.size());
    bool walks_any = false;
    for (size_t t = 0; t < targets; ++t) walks_any = walks_any || !walk_call(t).empty();
    const bool numbered = walks_any && !shards_ && stage_numbered(tx, batch);
    refusals_.clear();
    batch.target_rows.assign(statements_.moves.size(), 0);
    for (size_t t = 0; t < targets; ++t) {
        const bool walks = numbered && !walk_call(t).empty();
        const auto probe = [&](size_t row) {
            return walks ? move(tx, row, 1, false, t) : attempt(tx, batch, row, 1, false, t);
        };
        if (auto error = refused_by_job(batch, probe)) {
            refusals_.clear();
            out.verdict = Written::Verdict::job_at_fault;
            out.error = *error;  // the probe's, naming its table
            return out;
        }
        const auto rows = walks ? walk(tx, batch, t) : isolate(tx, batch, t);
        if (!statements_.moves.empty()) batch.target_rows[t] = rows;
        out.inserted += rows;
    }
    add_refusals(batch);
    write_rejects(tx, batch);
    return out;
}

void BatchWriter::refused(Batch& batch, size_t row, const std::string& error, const std::string& sqlstate) {
    const auto hint = hints_.explain(batch.row_source(row).value, sqlstate);
    const auto why = hint.empty() ? error : fmt::format("{} (the database: {})", hint, error);
    const auto [it, added] = refusals_.try_emplace(row, Refusal{why, sqlstate});
    if (!added) it->second.error += "; " + why;  // another output table refused it too: one reject
}

void BatchWriter::add_refusals(Batch& batch) {
    for (const auto& [row, r] : refusals_) batch.rejects.add(batch.row_source(row), r.error, r.sqlstate);
    refusals_.clear();
}

const std::string& BatchWriter::walk_call(size_t target) const {
    return statements_.moves.empty() ? statements_.refused_walk : statements_.moves[target].refused_walk;
}

std::string BatchWriter::refusal(size_t target, const std::string& error) const {
    if (statements_.moves.size() < 2) return error;
    return fmt::format("{}: {}", statements_.moves[target].table, error);
}

std::vector<size_t> BatchWriter::unmatched_staged(pqxx::transaction_base& tx, const Batch& batch) {
    std::vector<size_t> out;
    const auto found = tx.exec(statements_.unmatched);
    if (found.empty()) return out;
    std::map<std::pair<int32_t, int64_t>, size_t> rows;  // (partition, offset) -> the batch's row
    for (size_t i = 0; i < batch.row_start.size(); ++i) {
        const auto m = batch.row_source(i);
        rows[{m.partition, m.offset}] = i;
    }
    for (const auto& r : found) {
        const auto it = rows.find({r[0].as<int32_t>(), r[1].as<int64_t>()});
        if (it != rows.end()) out.push_back(it->second);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Runs of rows staged and asked, each undone; a row that does not stage is every table's
// refusal, rejected by their walks, not an unmatched message.
std::vector<size_t> BatchWriter::unmatched_in_runs(pqxx::dbtransaction& tx, const Batch& batch) {
    std::vector<size_t> out;
    isolate_refused_rows(
        batch.row_start.size(),
        [&](size_t first, size_t count) -> std::optional<int64_t> {
            const size_t from = batch.row_start[first];
            const size_t to =
                first + count < batch.row_start.size() ? batch.row_start[first + count] : batch.rows.size();
            chunk_.assign(batch.rows, from, to - from);
            try {
                pqxx::subtransaction sub(tx, "dgkafka_unmatched");  // never committed
                copy(sub, statements_.copy_table, statements_.copy_columns, chunk_);
                for (const auto row : unmatched_staged(sub, batch)) out.push_back(row);
            } catch (const pqxx::sql_error& e) {
                if (!maybe_row_error(db::sqlstate(e), statements_.target)) throw;
                return std::nullopt;
            }
            return static_cast<int64_t>(count);
        },
        [](size_t) {});
    std::sort(out.begin(), out.end());
    return out;
}

// What kafka.output.unmatched makes of the messages no output table's filter took.
void BatchWriter::settle_unmatched(Batch& batch, const std::vector<size_t>& rows) {
    batch.unmatched = rows.size();
    unmatched_stop_.reset();
    if (rows.empty()) return;
    switch (cfg_.unmatched) {
        case Config::Unmatched::skip:
            break;
        case Config::Unmatched::reject:
            for (const auto row : rows)
                batch.rejects.add(batch.row_source(row),
                                  "no output table's filter takes this message (kafka.output.unmatched = \"reject\")",
                                  "");
            break;
        case Config::Unmatched::stop: {
            const auto m = batch.row_source(rows.front());
            unmatched_stop_ = fmt::format("partition {} offset {}", m.partition, m.offset);
            break;
        }
    }
}

void BatchWriter::write_rejects(pqxx::dbtransaction& tx, const Batch& batch) {
    if (!batch.rejects.count()) return;
    chunk_ = batch.rejects.lines();
    copy(tx, reject_table_, reject_columns_, chunk_);
}

// Rows [first, first + n) in a savepoint, kept (released) or always rolled back (a probe).
BatchWriter::Attempt BatchWriter::attempt(pqxx::dbtransaction& tx, const Batch& batch, size_t first, size_t n,
                                          bool keep, size_t target) {
    const size_t from = batch.row_start[first];
    const size_t to = first + n < batch.row_start.size() ? batch.row_start[first + n] : batch.rows.size();
    chunk_.assign(batch.rows, from, to - from);  // contiguous: no per-row copying
    Attempt out;
    try {
        pqxx::subtransaction sub(tx, "dgkafka_rows");
        if (shards_ && statements_.direct)
            copy(sub, append_target(), {}, chunk_);
        else
            copy(sub, statements_.copy_table, statements_.copy_columns, chunk_);
        int64_t inserted = static_cast<int64_t>(n);
        if (!statements_.direct) {
            std::vector<int64_t> rows;
            inserted = write_staged(sub, rows, target);
            sub.exec0(statements_.stage_clear);  // the next run reuses the stage
        }
        if (keep) sub.commit();  // otherwise its destructor rolls back to the savepoint
        out.inserted = inserted;
    } catch (const pqxx::sql_error& e) {
        const auto& kind = statements_.moves.empty() ? statements_.target : statements_.moves[target].kind;
        if (!maybe_row_error(db::sqlstate(e), kind)) throw;
        // A Citus COPY hides a shard's SQLSTATE: a single row refused so is rejected with XX000,
        // once the cluster is known whole (a node lost mid-COPY reads the same): a node still
        // down fails the health query itself, and the batch is tried again.
        if (n == 1 && db::classify(db::sqlstate(e), kind) == db::Fault::undisclosed &&
            !tx.exec1(statements_.citus_health)[0].as<bool>())
            throw Unavailable(Exit::database, "a Citus node cannot reach another: " + reject_reason(e));
        out.error = refusal(target, reject_reason(e));
        out.sqlstate = db::sqlstate(e);
    }
    return out;
}

// The batch was refused as a whole; when single rows spread across it are refused too, the
// mappings or the table are wrong, not the data: stopping beats rejecting every message. A
// sample rather than every row, so that a batch of any size is judged in a few round trips: the
// first two rows, then eight spread evenly. Two of them adjacent, bad rows recurring at any
// period (every 11th message) cannot be all ten.
std::optional<std::string> BatchWriter::refused_by_job(const Batch& batch,
                                                       const std::function<Attempt(size_t row)>& probe) {
    const size_t n = batch.row_start.size();
    if (n < systemic_sample) return std::nullopt;
    std::string error;
    for (size_t i = 0; i < systemic_sample; ++i) {
        const auto tried = probe(i < 2 ? i : 1 + (i - 1) * (n - 2) / (systemic_sample - 2));
        if (tried.inserted) return std::nullopt;
        error = tried.error;
    }
    return error;
}

// The refused batch into the numbered table, its rows numbered from 1, in pieces as send()
// sends them. False when a value fails its type's input (nothing staged).
bool BatchWriter::stage_numbered(pqxx::dbtransaction& tx, const Batch& batch) {
    const size_t n = batch.row_start.size();
    try {
        pqxx::subtransaction sub(tx, "dgkafka_numbered");
        {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
            pqxx::tablewriter writer(sub, statements_.refused_table, statements_.refused_columns.begin(),
                                     statements_.refused_columns.end());
#pragma GCC diagnostic pop
            chunk_.clear();
            for (size_t i = 0; i < n; ++i) {
                chunk_ += std::to_string(i + 1);
                chunk_ += '\t';
                chunk_ += batch.row(i);
                if (chunk_.size() < send_chunk_bytes && i + 1 < n) continue;
                chunk_.pop_back();  // write_raw_line adds the last newline itself
                writer.write_raw_line(chunk_);
                chunk_.clear();
            }
            writer.complete();
        }
        sub.commit();
        return true;
    } catch (const pqxx::sql_error& e) {
        if (db::classify(db::sqlstate(e)) != db::Fault::data) throw;  // a temporary table: PostgreSQL's own errors
        return false;
    }
}

// Rows [first, first + n) (from 0) of the numbered table, moved server-side in one round trip.
BatchWriter::Attempt BatchWriter::move(pqxx::dbtransaction& tx, size_t first, size_t n, bool keep, size_t target) {
    const auto& call = statements_.moves.empty() ? statements_.refused_move : statements_.moves[target].refused_move;
    const auto row = tx.exec_params1(call, static_cast<int64_t>(first + 1), static_cast<int64_t>(first + n + 1), keep);
    Attempt out;
    if (row[0].is_null()) {
        out.sqlstate = row[1].as<std::string>();
        out.error = refusal(target, row[2].as<std::string>());
    } else {
        out.inserted = row[0].as<int64_t>();
    }
    return out;
}

// The numbered rows, walked server-side (schemas/refused_create.sql): a refused row costs a few
// statements there and no round trip. Where its mark cannot name the refused row (an error
// raised at the end of a statement), the runs of isolate_refused_rows find it from here.
int64_t BatchWriter::walk(pqxx::dbtransaction& tx, Batch& batch, size_t target) {
    const auto n = static_cast<int64_t>(batch.row_start.size());
    int64_t inserted = 0;
    for (int64_t pos = 1; pos <= n;) {
        int64_t stopped = n + 1, end = n + 1;
        for (const auto& row : tx.exec_params(walk_call(target), pos, n)) {
            if (!row[3].is_null()) {
                refused(batch, row[0].as<size_t>() - 1, refusal(target, row[4].as<std::string>()),
                        row[3].as<std::string>());
                continue;
            }
            stopped = row[0].as<int64_t>();
            end = row[1].as<int64_t>();
            inserted += row[2].as<int64_t>();
        }
        if (stopped > n) break;
        const auto from = static_cast<size_t>(stopped - 1);  // [from, end - 1) from 0 holds a refused row
        Attempt last;
        inserted += isolate_refused_rows(
            static_cast<size_t>(end - stopped),
            [&](size_t first, size_t count) {
                last = move(tx, from + first, count, true, target);
                return last.inserted;
            },
            [&](size_t row) { refused(batch, from + row, last.error, last.sqlstate); });
        pos = end;
    }
    return inserted;
}

int64_t BatchWriter::isolate(pqxx::dbtransaction& tx, Batch& batch, size_t target) {
    Attempt last;
    return isolate_refused_rows(
        batch.row_start.size(),
        [&](size_t first, size_t count) {
            last = attempt(tx, batch, first, count, true, target);
            return last.inserted;
        },
        [&](size_t row) { refused(batch, row, last.error, last.sqlstate); });
}

}  // namespace dgkafka::load
