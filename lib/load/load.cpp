#include "load/load.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "config/keys.hpp"
#include "db/capacity.hpp"
#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "db/offsets.hpp"
#include "db/output_table.hpp"
#include "db/tables.hpp"
#include "kafka/client.hpp"
#include "kafka/retention.hpp"
#include "load/load_metrics.hpp"
#include "load/loader.hpp"
#include "load/reset_time.hpp"
#include "load/schema_evolution.hpp"
#include "load/sink/batch_transaction.hpp"
#include "load/sink/field_columns.hpp"
#include "load/sink/gaps.hpp"
#include "load/sink/hooks.hpp"
#include "load/sink/schema_follow.hpp"
#include "load/sink/statements.hpp"
#include "load/source/end_watch.hpp"
#include "load/source/group_start.hpp"
#include "load/source/kafka_consumer.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/retry.hpp"
#include "util/service.hpp"
#include "util/text.hpp"

namespace dgkafka::load {

namespace {

constexpr int default_loaders = 4;
constexpr auto progress_every = std::chrono::seconds(5);
// The offset mirror is best effort: a stop waits this long at most for the group coordinator to
// confirm the last offsets (a reachable one answers within milliseconds), not for brokers that are
// down; the next run's commits mirror them again.
constexpr int final_mirror_wait_ms = 1000;

const char* reset_event(Reset r) {
    switch (r) {
        case Reset::earliest:
            return "reset-earliest";
        case Reset::latest:
            return "reset-latest";
        case Reset::timestamp:
            return "reset-timestamp";
        case Reset::offsets:
            return "reset-offset";
        case Reset::none:
            break;
    }
    return "load";
}

// Where a -force-reset-* flag moves each partition it concerns.
kafka::Offsets reset_targets(const Config& cfg, const LoadOptions& options, rd_kafka_t* admin,
                             const std::map<int32_t, kafka::Watermarks>& marks, pqxx::work& tx) {
    kafka::Offsets targets;
    switch (options.reset) {
        case Reset::earliest:
        case Reset::latest:
            for (const auto& [p, w] : marks) targets[p] = options.reset == Reset::earliest ? w.low : w.high;
            break;
        case Reset::timestamp: {
            // The database reads an ISO 8601 time (read_reset_time refuses words such as now).
            const auto time = read_reset_time(options.reset_time);
            const auto fail = [&](const std::string& why) {
                return Error(Exit::usage,
                             fmt::format("-force-reset-timestamp {}: not a time: {}", options.reset_time, why));
            };
            if (const auto* bad = std::get_if<ResetTimeError>(&time)) throw fail(bad->why);
            int64_t ms = 0;
            if (const auto* epoch = std::get_if<int64_t>(&time)) {
                ms = *epoch;
            } else {
                const auto& iso = std::get<ResetTimeText>(time);
                if (iso.utc_assumed)
                    log::warn("-force-reset-timestamp {}: no zone given, UTC assumed", options.reset_time);
                try {
                    pqxx::subtransaction sub(tx, "reset_time");
                    ms = sub.exec_params1(sql::render("epoch_ms", {}), iso.text)[0].as<int64_t>();
                    sub.commit();
                } catch (const pqxx::sql_error& e) {  // its first line only: no DateStyle hint
                    const std::string what = e.what();
                    throw fail(std::string(text::trim(what.substr(0, what.find('\n')))));
                }
            }
            targets = kafka::offsets_for_time(admin, cfg.topic, static_cast<int>(marks.size()), ms, cfg.brokers,
                                              cfg.kafka_properties);
            break;
        }
        case Reset::offsets:
            for (const auto& [p, o] : options.reset_offsets) {
                const auto w = marks.find(p);
                if (w == marks.end())
                    throw Error(Exit::usage,
                                fmt::format("-force-reset-offset: topic {} has no partition {}", cfg.topic, p));
                if (o < w->second.low || o > w->second.high)
                    throw Error(Exit::usage,
                                fmt::format("-force-reset-offset: partition {} holds offsets {}..{}, not {}", p,
                                            w->second.low, w->second.high, o));
                targets[p] = o;
            }
            break;
        case Reset::none:
            break;
    }
    return targets;
}

// Partitions whose stored offset retention has passed: stop before loading (exit 9), or, with
// kafka.input.on_data_loss = "skip", record each gap in the history and resume at the log start.
// Returns the gaps skipped.
std::vector<kafka::RetentionGap> settle_retention_gaps(const Config& cfg, const db::OffsetStore& store, pqxx::work& tx,
                                                       const std::map<int32_t, kafka::Watermarks>& marks,
                                                       const std::vector<int32_t>& ids) {
    const auto stored = store.read(tx, ids, true);
    std::vector<kafka::RetentionGap> gaps;
    for (const auto& [p, w] : marks)
        if (auto gap = kafka::retention_gap(p, stored.at(p), w)) gaps.push_back(*gap);
    if (gaps.empty()) return gaps;
    if (cfg.on_data_loss == Config::OnDataLoss::stop) kafka::throw_data_loss(cfg.topic, gaps);
    skip_gaps(store, tx, cfg.topic, gaps);
    return gaps;
}

// Stored offsets of partitions the topic no longer has are not silently ignored: nothing can be
// loaded from them (what they held went with them), so each is named; check exits 9 for them.
void warn_missing_partitions(const Config& cfg, const std::map<int32_t, db::StoredStart>& stored, int partitions) {
    for (const auto& [p, s] : stored)
        if (p >= partitions)
            log::warn(
                "{}; its stored offset is not used (`dgkafka check` exits 9 until its row is deleted from "
                "the offset table {})",
                kafka::describe_missing_partition(cfg.topic, p, s.committed, partitions), cfg.offset_table.display());
}

std::vector<db::OutputTable> read_output_tables(const Config& cfg) {
    auto conn = db::connect(cfg.db, "dgkafka load");
    return db::guarded("reading the output tables", [&] {
        pqxx::read_transaction tx(*conn);
        return load::read_output_tables(tx, cfg);
    });
}

// What preparing a load found.
struct Prepared {
    kafka::Offsets ends;  // the partitions' end offsets
    // Read here when no before_load_sql can change them (or create the functions their mappings
    // call): each output table's (Config::outputs).
    std::optional<std::vector<db::OutputTable>> tables;
    std::vector<kafka::RetentionGap> skipped;  // with on_data_loss = "skip"
};

// Checks the database side and moves the offsets of a reset or past a skipped retention gap.
Prepared prepare(const Config& cfg, const LoadOptions& options, rd_kafka_t* admin, int partitions) {
    Prepared out;
    std::map<int32_t, kafka::Watermarks> marks;
    for (int32_t p = 0; p < partitions; ++p) marks[p] = kafka::query_watermarks(admin, cfg.topic, p);

    const auto group =
        kafka::group_offsets(cfg.brokers, cfg.kafka_properties, cfg.consumer_group, cfg.topic, partitions);
    auto conn = db::connect(cfg.db, "dgkafka load");
    db::OffsetStore store(cfg);
    kafka::Offsets taken;
    return db::guarded("preparing the load", [&] {
        pqxx::work tx(*conn);
        db::require_setup(tx, cfg);
        std::vector<std::string> problems;
        for (const auto* target : cfg.outputs()) {
            const auto found = db::output_table_problems(tx, *target);
            problems.insert(problems.end(), found.begin(), found.end());
        }
        if (!problems.empty()) throw Error(Exit::config, text::join(problems, "\n"));
        if (cfg.before_load_sql.empty()) out.tables = load::read_output_tables(tx, cfg);

        std::vector<int32_t> ids;
        for (const auto& [p, w] : marks) {
            out.ends[p] = w.high;
            ids.push_back(p);
        }
        taken = take_group_offsets(tx, cfg, store, marks, group);
        warn_missing_partitions(cfg, store.read_starts(tx), partitions);
        if (options.reset != Reset::none) {
            const auto targets = reset_targets(cfg, options, admin, marks, tx);
            const auto stored = store.read(tx, ids, true);
            std::vector<db::PartitionRange> moves;
            // A reset's message count: the messages retention deleted before they were loaded.
            for (const auto& [p, to] : targets)
                moves.push_back(
                    {p, stored.at(p), to, std::max<int64_t>(0, marks.at(p).low - stored.at(p)), marks.at(p).high});
            const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch());
            store.record(tx, moves, reset_event(options.reset), now.count());
            log::info("{}: offsets of group {} moved ({})", cfg.topic, cfg.consumer_group, reset_event(options.reset));
        } else {
            out.skipped = settle_retention_gaps(cfg, store, tx, marks, ids);
        }
        tx.commit();
        confirm_group_offsets(*conn, cfg, store, taken);
        return out;
    });
}

// The output tables, as the config names them: "purchases, guild_joins".
std::string output_names(const Config& cfg) {
    std::vector<std::string> names;
    for (const auto* target : cfg.outputs()) names.push_back(target->output_table.display());
    return text::join(names, ", ");
}

// "LOAD 990 rows from 1000 messages in 2 batches, 10 rejected, 0.52 s (1904 rows/s)" and what else
// the run did: filtered, skipped past retention, stopped by a signal.
std::string summary_line(const Config& cfg, const LoadCounters& counters, double seconds, const std::string& stopped) {
    const int64_t lost = counters.lost, restarted = counters.restarted;
    // Messages committed without a row: the filter's, and in merge/update also those that changed none.
    const int64_t unwritten = counters.messages - counters.rows - counters.rejected;
    std::string filtered = cfg.filter.empty() && unwritten <= 0 ? ""
                           : cfg.mode == Config::Mode::insert
                               ? fmt::format(", {} filtered out", unwritten)
                               : fmt::format(", {} filtered out or changed no row", unwritten);
    std::string tables;
    if (cfg.targets.size() > 1) {  // a message may give a row to several tables, or to none
        const auto rows = counters.target_rows();
        std::vector<std::string> each;
        for (size_t i = 0; i < cfg.targets.size(); ++i)
            each.push_back(fmt::format("{} {}", cfg.targets[i].output_table.display(), i < rows.size() ? rows[i] : 0));
        tables = " (" + text::join(each, ", ") + ")";
        filtered = fmt::format(", {} taken by no table ({})", counters.unmatched.load(),
                               keys::find("kafka.output.unmatched")->choice(cfg.unmatched));
    }
    return fmt::format("LOAD {} rows{} from {} messages in {} batches, {} rejected{}, {:.2f} s ({:.0f} rows/s){}{}{}",
                       counters.rows.load(), tables, counters.messages.load(), counters.batches.load(),
                       counters.rejected.load(), filtered, seconds, seconds > 0 ? counters.rows / seconds : 0.0,
                       lost ? fmt::format(", {} lost to retention (skipped)", lost) : "",
                       restarted ? fmt::format(", {} partition(s) restarted at the log start", restarted) : "",
                       stopped);
}

// How the summary ends for a run a signal stopped: whether the batch in flight was committed, or
// rolled back because a server was out of reach, and then where the job resumes.
// `one_of_many`: one topic of several, which a signal or another topic's failure stops.
std::string stop_text(const Config& cfg, bool stopped, bool interrupted, const kafka::Offsets& stored,
                      bool one_of_many) {
    if (!stopped) return "";
    if (!interrupted)
        return one_of_many ? ", stopped (by a signal, or another topic's load failed)" : ", stopped by signal";
    std::vector<std::string> at;
    for (const auto& [p, o] : stored) at.push_back(fmt::format("{}[{}] at {}", cfg.topic, p, o));
    return fmt::format(
        ", stopped by signal while a server was unreachable: the batch in flight was rolled back; "
        "the job resumes at the offsets stored in {}{}",
        cfg.offset_table.display(), at.empty() ? "" : " (" + text::join(at, ", ") + ")");
}

// on_data_loss = "skip" goes on loading, but a run that skipped data never exits 0.
void refuse_exit_ok_after_skipping(const Config& cfg, const LoadCounters& counters) {
    std::vector<std::string> skipped;
    if (const int64_t lost = counters.lost)
        skipped.push_back(
            fmt::format("{} messages deleted by retention before they were loaded were skipped; each "
                        "gap is in the history table",
                        lost));
    if (const int64_t restarted = counters.restarted)
        skipped.push_back(
            fmt::format("{} partition(s) had a stored offset past the end of their log (the topic was "
                        "deleted and created again, or its log truncated) and were loaded from the log "
                        "start; what the old log held past the stored offset is unknown; each is in the "
                        "history table (offset-past-end)",
                        restarted));
    if (!skipped.empty())
        throw Error(Exit::data_loss, fmt::format("topic {}: {} (kafka.input.on_data_loss = \"skip\")", cfg.topic,
                                                 text::join(skipped, "; ")));
}

// What the loads of a job's topics share in one process (topics, topic_pattern).
struct TopicsShared {
    MetricsBoard board;
    std::mutex out;
    std::atomic<int64_t> rows{0}, messages{0}, rejected{0}, topics{0};  // of the topics' loads that ended
};

// One topic's load: its loaders, from the checks at start to the summary line. `shared`: one of
// several topics of the job, whose process serves the metrics and talks to systemd.
void load_topic(const Config& job, const LoadOptions& options, std::ostream& out, const std::atomic<bool>& stop,
                TopicsShared* shared) {
    const auto started = std::chrono::steady_clock::now();
    // Servers down at start are waited for as they are mid-run (streaming: for ever).
    const auto retry = RetryPolicy::for_run(options.quit_at_eof, job.retry_timeout, stop);
    retry.run([&] { follow_at_start(job); });  // create_table, evolve: the registered schema's columns
    const Config cfg = retry.run([&] { return with_field_columns(job); });  // reads the output table
    auto admin = kafka::make_admin(cfg.brokers, cfg.kafka_properties);
    const int partitions = retry.run([&] {
        return kafka::partition_count(admin.get(), cfg.topic, cfg.brokers, retry.attempt_ms(kafka::metadata_timeout_ms),
                                      &stop);
    });
    if (cfg.partition_num && *cfg.partition_num != partitions)
        throw Error(Exit::config, fmt::format("{}: kafka.input.partition_num is {} but topic {} has {} partitions",
                                              cfg.path, *cfg.partition_num, cfg.topic, partitions));
    const auto prepared = retry.run([&] { return prepare(cfg, options, admin.get(), partitions); });
    const auto& ends = prepared.ends;
    admin.reset();

    // Never more connections than the server can give: each loader holds one, after_batch_sql one.
    // Each step from here to the loaders' start waits for a database restarting meanwhile.
    const int count = retry.run([&] {
        return db::fit_loaders(
            cfg.db, std::max(1, std::min(partitions, options.loaders.value_or(cfg.loaders.value_or(default_loaders)))),
            cfg.after_batch_sql.empty() ? 0 : 1);
    });
    // Static assignment: partitions dealt round-robin to this process's loaders. Group
    // assignment: Kafka deals them to every loader of every process; each knows all end offsets.
    std::vector<kafka::Offsets> shares(static_cast<size_t>(count));
    for (const auto& [p, end] : ends)
        for (int i = 0; i < count; ++i)
            if (cfg.group_assignment || p % count == i) shares[static_cast<size_t>(i)][p] = end;

    BatchHooks hooks(cfg);
    retry.run([&] { hooks.before_load(); });
    const auto statements = LoadStatements::build(
        cfg, prepared.tables ? *prepared.tables : retry.run([&] { return read_output_tables(cfg); }));
    LoadCounters counters;
    for (const auto& gap : prepared.skipped) counters.skipped(gap);
    MetricsBoard own_board;
    MetricsBoard& board = shared ? shared->board : own_board;
    board.add(cfg, counters);
    const struct Leave {
        MetricsBoard& board;
        const LoadCounters& counters;
        ~Leave() { board.remove(counters); }
    } leave{board, counters};
    const auto metrics = shared ? nullptr : serve_load_metrics(options.metrics_address, board);
    // End offsets asked apart from the loaders: the lag stays true while they cannot commit, and
    // the brokers' outages are seen.
    EndOffsetWatch end_watch(cfg, partitions, counters);
    kafka::OffsetMirror mirror(cfg);
    std::atomic<bool> halt{false};  // set by a signal (through `stop`) or by the first loader to fail
    std::vector<std::unique_ptr<Loader>> loaders;
    for (int i = 0; i < count; ++i) {
        LoaderParts parts;
        parts.encoder =
            formats::make_decoder(cfg, !statements.direct, statements.json_members, statements.json_document);
        parts.kafka = std::make_unique<KafkaConsumer>(cfg, i, count, parts.encoder->reads_headers(), mirror);
        parts.database = std::make_unique<BatchTransaction>(cfg, statements, i);
        parts.schema = SchemaEvolution::make(job, cfg, i);
        loaders.push_back(std::make_unique<Loader>(cfg, options, i, count, shares[static_cast<size_t>(i)], counters,
                                                   std::move(parts), halt));
    }
    log::info("loading topic {} ({} partitions) into {} with {} loader(s), {} assignment{}", cfg.topic, partitions,
              output_names(cfg), count, cfg.group_assignment ? "group" : "static",
              options.quit_at_eof ? ", until the end offsets" : "");
    for (const auto& move : statements.moves.empty() ? std::vector<TargetMove>{{cfg.output_table.display(),
                                                                                statements.target, "", false, "", ""}}
                                                     : statements.moves)
        if (move.kind.citus())
            log::info(
                "{} is a Citus table, {}: rows its shards refuse are found by statements run on the shards (Citus's "
                "COPY does not say which), and a node outage is waited for{}",
                move.table, move.kind.describe(),
                move.kind.kind == db::TableKind::Kind::append ? "; batches append to its newest shard" : "");
    if (!statements.json_members.empty())
        log::info("JSON members read by dgkafka, not by the database: {}{}", text::join(statements.json_members, ", "),
                  statements.json_document ? "" : " (the document itself is not staged)");

    std::mutex mu;
    std::condition_variable cv;
    int running = count;
    std::exception_ptr first_error;
    std::vector<std::thread> threads;
    for (auto& loader : loaders)
        threads.emplace_back([&, l = loader.get()] {
            try {
                l->run();
            } catch (...) {
                std::lock_guard<std::mutex> lock(mu);
                if (!first_error) first_error = std::current_exception();
                halt = true;  // the first error stops the others; their batches in flight commit
            }
            std::lock_guard<std::mutex> lock(mu);
            --running;
            cv.notify_all();
        });

    if (!shared) service::ready(fmt::format("loading {} into {}", cfg.topic, output_names(cfg)));
    service::Watchdog watchdog;
    auto last_report = std::chrono::steady_clock::now();
    int64_t last_rows = 0;
    {
        std::unique_lock<std::mutex> lock(mu);
        while (running > 0) {
            cv.wait_for(lock, std::chrono::milliseconds(100));
            if (!shared) watchdog.tick();
            counters.database_outage.tick();  // their reminder lines
            counters.kafka_outage.tick();
            if (stop) {
                halt = true;
                if (!shared) service::stopping();
            }
            if (halt) end_watch.stop();
            lock.unlock();  // loaders finishing meanwhile must not wait for the job's SQL
            hooks.after_batches(counters.batches, false);
            lock.lock();
            const auto now = std::chrono::steady_clock::now();
            if (log::verbosity() >= 1 && now - last_report >= progress_every) {
                const int64_t rows = counters.rows;
                int64_t lag = 0;
                for (const auto& l : loaders) lag += l->lag();
                const double period = std::chrono::duration<double>(now - last_report).count();
                const double total = std::chrono::duration<double>(now - started).count();
                log::info(log::Fields{}.add("topic", cfg.topic).add("rows", rows).add("lag", lag),
                          "{} rows, {:.0f} rows/s (period), {:.0f} rows/s (overall), lag {}", rows,
                          (rows - last_rows) / period, rows / total, lag);
                last_rows = rows;
                last_report = now;
            }
        }
    }
    if (!shared) service::stopping();
    for (auto& t : threads) t.join();
    kafka::Offsets stored;
    std::optional<Loader::Interrupted> interrupted;  // the first loader's whose stop found a server down
    for (const auto& l : loaders) {
        const auto part = l->stored_offsets();
        stored.insert(part.begin(), part.end());
        if (!interrupted) interrupted = l->interrupted();
    }
    loaders.clear();
    // In a known outage of the brokers, not even that second.
    mirror.finish(stored, counters.kafka_outage.ongoing() ? 0 : final_mirror_wait_ms);
    hooks.after_batches(counters.batches, true);

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    {
        std::unique_lock<std::mutex> lock;
        if (shared) {
            lock = std::unique_lock<std::mutex>(shared->out);
            shared->rows += counters.rows;
            shared->messages += counters.messages;
            shared->rejected += counters.rejected;
            ++shared->topics;
        }
        out << (shared ? cfg.topic + ": " : "")
            << summary_line(cfg, counters, seconds, stop_text(cfg, stop, interrupted.has_value(), stored, shared))
            << '\n';
        out.flush();
    }
    if (first_error) std::rethrow_exception(first_error);
    // Nothing was lost (the stored offsets say where to resume), but the run did not end cleanly.
    if (interrupted)
        throw Error(interrupted->server,
                    fmt::format("stopped by signal while retrying ({}): the batch in flight was rolled back; the next "
                                "run resumes at the stored offsets",
                                interrupted->why));
    refuse_exit_ok_after_skipping(cfg, counters);
}

// Several topics (topics, topic_pattern): one load per topic, side by side in this process; with
// a pattern, a topic created later joins while streaming. The first to fail stops the others.
void load_topics(const Config& job, const LoadOptions& options, std::ostream& out, const std::atomic<bool>& stop) {
    const auto started = std::chrono::steady_clock::now();
    const auto retry = RetryPolicy::for_run(options.quit_at_eof, job.retry_timeout, stop);
    auto admin = kafka::make_admin(job.brokers, job.kafka_properties);
    const auto topics = job.job_topics(retry.run([&] {
        return kafka::topic_names(admin.get(), job.brokers, retry.attempt_ms(kafka::metadata_timeout_ms), &stop);
    }));
    if (topics.empty() && options.quit_at_eof) {
        out << fmt::format("LOAD 0 rows: no topic matches kafka.input.topic_pattern \"{}\"\n", job.topic_pattern);
        return;
    }

    // Each topic's load holds a connection at least: more topics than the server can give would
    // wait on each other for ever.
    const int free = retry.run([&] { return db::free_connections(job.db); });
    if (static_cast<int>(topics.size()) > free)
        throw Error(Exit::database,
                    fmt::format("{} topics match, each loaded with a database connection of its own, but the server "
                                "gives {} more: raise max_connections, or split the topics over several jobs",
                                topics.size(), free));

    TopicsShared shared;
    const auto metrics = serve_load_metrics(options.metrics_address, shared.board);
    std::atomic<bool> halt{false};  // a signal, or a topic's load failed
    std::mutex mu;
    std::condition_variable cv;
    std::exception_ptr first_error;
    std::deque<Config> jobs;  // each topic's (a deque: its loads hold them while it grows)
    std::map<std::string, std::thread> running;
    size_t finished = 0;
    const auto fail = [&](std::exception_ptr error) {  // the first failure stops every topic
        if (!first_error) first_error = std::move(error);
        halt = true;
    };
    const auto start = [&](const std::string& topic) {
        try {
            jobs.push_back(job.for_topic(topic));
        } catch (const Error&) {  // its table cannot be named
            fail(std::current_exception());
            return;
        }
        // Each topic's loaders hold a connection each: one per topic unless set.
        if (!jobs.back().loaders) jobs.back().loaders = 1;
        log::info("topic {} into {}", topic, jobs.back().output_table.display());
        running.emplace(
            topic, std::thread([&, cfg = &jobs.back()] {
                try {
                    load_topic(*cfg, options, out, halt, &shared);
                } catch (const Stopped&) {
                    std::lock_guard<std::mutex> lock(mu);
                    fail(std::current_exception());
                } catch (const Error& e) {  // which topic failed, with its exit code
                    std::lock_guard<std::mutex> lock(mu);
                    fail(std::make_exception_ptr(Error(e.code(), fmt::format("topic {}: {}", cfg->topic, e.what()))));
                } catch (...) {
                    std::lock_guard<std::mutex> lock(mu);
                    fail(std::current_exception());
                }
                std::lock_guard<std::mutex> lock(mu);
                ++finished;
                cv.notify_all();
            }));
    };
    {
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& t : topics) start(t);
    }
    service::ready(fmt::format("loading {} topic(s) of {}", topics.size(),
                               job.topic_pattern.empty() ? "kafka.input.topics" : job.topic_pattern));
    service::Watchdog watchdog;
    // How often a streaming load with a pattern asks for topics created since.
    constexpr auto topic_refresh = std::chrono::seconds(5);
    auto refreshed = std::chrono::steady_clock::now();
    {
        std::unique_lock<std::mutex> lock(mu);
        for (;;) {
            cv.wait_for(lock, std::chrono::milliseconds(100));
            watchdog.tick();
            if (stop && !halt) {
                halt = true;
                service::stopping();
            }
            if (finished == running.size() && (halt || options.quit_at_eof || job.topic_pattern.empty())) break;
            if (halt || options.quit_at_eof || job.topic_pattern.empty() ||
                std::chrono::steady_clock::now() - refreshed < topic_refresh)
                continue;
            lock.unlock();
            std::vector<std::string> found;
            try {
                found = kafka::topic_names(admin.get(), job.brokers, kafka::metadata_timeout_ms, &halt);
            } catch (const Error& e) {  // the brokers are away: the topics' loads say so; asked again later
                log::debug("listing topics: {}", e.what());
            }
            lock.lock();
            refreshed = std::chrono::steady_clock::now();
            for (const auto& t : found)
                if (job.takes_topic(t) && !running.count(t) && !halt) start(t);
        }
    }
    service::stopping();
    for (auto& [t, thread] : running) thread.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    out << fmt::format("LOAD {} rows from {} messages of {} topics, {} rejected, {:.2f} s\n", shared.rows.load(),
                       shared.messages.load(), shared.topics.load(), shared.rejected.load(), seconds);
    out.flush();
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace

void run_load(const Config& job, const LoadOptions& options, std::ostream& out, const std::atomic<bool>& stop) {
#ifdef M_ARENA_MAX
    // librdkafka allocates messages in its threads and the loaders free them: with glibc's arena
    // per thread, the freed memory stays spread over a dozen arenas (scripts/bench.sh: -10% RSS).
    mallopt(M_ARENA_MAX, 2);
#endif
    if (job.many_topics())
        load_topics(job, options, out, stop);
    else
        load_topic(job, options, out, stop, nullptr);
}

}  // namespace dgkafka::load
