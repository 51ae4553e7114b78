#include "load/sink/batch_transaction.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "db/connection.hpp"
#include "db/fault.hpp"
#include "load/sink/gaps.hpp"
#include "util/text.hpp"

namespace dgkafka::load {

BatchTransaction::BatchTransaction(const Config& cfg, const LoadStatements& statements, int id)
    : cfg_(cfg), statements_(statements), id_(id), store_(cfg), writer_(cfg, statements), pruner_(cfg) {}

BatchTransaction::~BatchTransaction() { rollback(); }

// Runs one database step; what it throws becomes the Step's outcome (db::current_failure):
// `unavailable` to retry, else `fatal` (Exit::database, or the Error's own code).
template <typename F>
Step BatchTransaction::guarded(const std::string& context, F&& step) {
    try {
        return step();
    } catch (const pqxx::pqxx_exception&) {
        // A Citus node failing shows as XX000 outside the writes that may hide a row's refusal.
        auto f = db::current_failure(context, statements_.target);
        if (f.retry) return Step::unavailable(Step::Server::database, std::move(f.message));
        return Step::failed(Step::Outcome::fatal, std::move(f.message), Exit::database);
    } catch (const Error& e) {
        if (e.code() == Exit::database) return Step::unavailable(Step::Server::database, e.what());
        return Step::failed(Step::Outcome::fatal, e.what(), e.code());
    }
}

Step BatchTransaction::connect() {
    const auto name = fmt::format("loader {}", id_);
    const auto app = fmt::format("dgkafka load {}", id_);
    return guarded(name, [&] {
        try {
            conn_ = db::connect(cfg_.db, app);
        } catch (const Unavailable&) {
            throw;                  // retried
        } catch (const Error& e) {  // db::connect found the refusal final (authentication, no TLS, ...)
            return Step::failed(Step::Outcome::fatal, fmt::format("{}: {} (no retry can fix this)", name, e.what()),
                                Exit::database);
        }
        pqxx::nontransaction tx(*conn_);
        // Longer than a batch may legitimately wait for messages (minimal_interval).
        const int idle_s = std::max(60, static_cast<int>(2 * cfg_.minimal_interval) + 30);
        tx.exec_params(statements_.session_setup, std::to_string(idle_s) + "s");
        if (!statements_.citus_setup.empty()) tx.exec(statements_.citus_setup);
        tx.exec0(statements_.stage_create);
        return Step{};
    });
}

void BatchTransaction::disconnect() {
    rollback();
    conn_.reset();
}

Step BatchTransaction::stored_offsets(const std::vector<int32_t>& partitions, kafka::Offsets& out) {
    return guarded(fmt::format("loader {}", id_), [&] {
        pqxx::read_transaction tx(*conn_);
        out = store_.read(tx, partitions, false);
        return Step{};
    });
}

void BatchTransaction::open_batch() {
    tx_ = std::make_unique<pqxx::work>(*conn_);
    tx_->exec0(statements_.batch_setup);
}

Step BatchTransaction::begin() {
    return guarded(fmt::format("loader {}", id_), [&] {
        open_batch();
        writer_.begin(*tx_);
        return Step{};
    });
}

Step BatchTransaction::send(const Batch& batch) {
    if (!tx_) return Step{};
    return guarded("streaming a batch", [&] {
        writer_.send(batch);
        return Step{};
    });
}

void BatchTransaction::rollback() {
    writer_.abandon();
    tx_.reset();  // rolls back unless committed
}

// Locks the offset rows: a batch commits only while the stored offsets are still the ones this
// loader holds, so a loader that lost a partition to another process can never load it twice.
// Taken at commit time, after the COPY: a loader paused while its COPY streams (SIGSTOP, a frozen
// VM) holds no lock that another loader would wait for.
std::optional<std::string> BatchTransaction::fence(const kafka::Offsets& expected) {
    std::vector<int32_t> partitions;
    for (const auto& [p, o] : expected) partitions.push_back(p);
    const auto locked = store_.read(*tx_, partitions, true);
    for (const auto& [p, o] : expected) {
        const auto it = locked.find(p);
        if (it == locked.end() || it->second != o)
            return fmt::format(
                "{} partition {}: stored offset is {} but this loader is at {}: another loader "
                "moved it; dropping this batch and resuming from the stored offset",
                cfg_.topic, p, it == locked.end() ? -1 : it->second, o);
    }
    return std::nullopt;
}

// The "job is wrong, stop" rule's outcome, whether one batch or several showed it.
Step BatchTransaction::job_at_fault(const std::string& context, const std::string& tried, const std::string& error) {
    return Step::failed(Step::Outcome::refused,
                        fmt::format("{}: the database refused every row tried ({}), so the job, not the data, is "
                                    "wrong (check the mappings and the output table); this batch was not committed; "
                                    "the error: {}",
                                    context, tried, error),
                        Exit::data);
}

// The rows of a batch the database refused, again in this (new) transaction: refused rows go
// to the rejects, unless the job itself is at fault.
Step BatchTransaction::write(Batch& batch, const std::string& context, int64_t& inserted) {
    const auto written = writer_.write(*tx_, batch);
    if (written.verdict == BatchWriter::Written::Verdict::job_at_fault)
        return job_at_fault(context,
                            fmt::format("the batch of {} rows as a whole, and {} single rows spread across it",
                                        batch.row_start.size(), BatchWriter::systemic_sample),
                            written.error);
    inserted = written.inserted;
    return Step{};
}

Step BatchTransaction::commit(Batch& batch, const std::string& context, const kafka::Offsets& expected,
                              const std::vector<db::PartitionRange>& ranges, const Limit& limit, int64_t& inserted) {
    using O = Step::Outcome;
    const size_t before = batch.rejects.count();  // the messages that did not decode
    size_t accepted = 0, refused = 0;             // by the database
    auto step = guarded(context, [&] {
        std::optional<int64_t> streamed;
        if (writer_.end_copy(batch)) {
            if (auto why = fence(expected)) return Step::failed(O::fenced, *why);
            streamed = writer_.finish(*tx_, batch);
        }
        if (streamed) {
            inserted = *streamed;
        } else {  // the database refused a row: again in a new transaction, isolating the refused rows
            rollback();
            open_batch();
            if (auto why = fence(expected)) return Step::failed(O::fenced, *why);
            if (auto s = write(batch, context, inserted); !s.ok()) return s;
        }
        if (const auto& at = writer_.unmatched_stop())
            return Step::failed(O::refused,
                                fmt::format("{}: topic {} {}: no output table's filter takes this message "
                                            "(kafka.output.unmatched = \"stop\"); this batch was not committed",
                                            context, cfg_.topic, *at),
                                Exit::data);
        // Refused by the database (by each output table: at most every row); not the unmatched
        // messages rejected by choice.
        const size_t unmatched = cfg_.unmatched == Config::Unmatched::reject ? batch.unmatched : 0;
        refused = std::min(batch.rejects.count() - before - unmatched, batch.row_start.size());
        accepted = batch.row_start.size() - refused;
        // Over several batches: with several output tables a message one table refused may be in
        // the others, so a refusing table is judged per batch only (BatchWriter::write).
        if (cfg_.targets.size() < 2 && streak_.job_at_fault(accepted, refused))
            return job_at_fault(context, fmt::format("the last {} rows, over several batches", streak_.sample()),
                                batch.rejects.last_error());
        if (auto why = limit(batch)) return Step::failed(O::refused, *why, Exit::data);
        store_.record(*tx_, ranges, "load", batch.opened_epoch);
        tx_->commit();
        streak_.committed(accepted, refused);
        return Step{};
    });
    rollback();
    if (step.ok()) {  // after the commit, in a transaction of its own: its failure undoes nothing
        std::vector<int32_t> partitions;
        for (const auto& r : ranges) partitions.push_back(r.partition);
        pruner_.after_commit(*conn_, partitions);
    }
    return step;
}

Step BatchTransaction::skip_gaps(const kafka::Offsets& expected, const std::string& topic,
                                 const std::vector<kafka::RetentionGap>& gaps) {
    auto step = guarded(fmt::format("loader {}", id_), [&] {
        tx_ = std::make_unique<pqxx::work>(*conn_);
        if (auto why = fence(expected)) return Step::failed(Step::Outcome::fenced, *why);
        load::skip_gaps(store_, *tx_, topic, gaps);
        tx_->commit();
        return Step{};
    });
    rollback();
    return step;
}

}  // namespace dgkafka::load
