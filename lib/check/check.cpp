#include "check/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "db/fields.hpp"
#include "db/offsets.hpp"
#include "db/table_kind.hpp"
#include "db/tables.hpp"
#include "kafka/client.hpp"
#include "kafka/group_offsets.hpp"
#include "kafka/retention.hpp"
#include "load/source/group_start.hpp"
#include "util/errors.hpp"
#include "util/retry.hpp"
#include "util/table.hpp"
#include "util/text.hpp"

namespace dgkafka::check {

namespace {

struct Recorded {
    int32_t partition;
    int64_t committed;
    std::optional<int64_t> latest;
    std::optional<std::string> start, end;  // the last batch's times; none when no batch was recorded
    std::optional<int64_t> group_offset;    // taken from Kafka, written by another tool
};

// One partition's row of Kafka's side. Latest and lag are missing when Kafka could not be asked
// (each recorded partition is listed, "unavailable") or the partition is not in Kafka.
struct FromKafka {
    int32_t partition;
    std::optional<int64_t> committed;  // the group's committed offset, if any
    std::optional<int64_t> latest;
    std::optional<int64_t> lag;  // latest - offset recorded in the database (or - earliest when none)
    std::string note;            // why the group's offset differs from the database's, or a gap
};

struct History {
    int32_t partition;
    std::string event;
    int64_t start, end, count;
    std::string batch_start, batch_end;
};

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S+00", &tm);
    return buf;
}

constexpr const char* unavailable = "unavailable";

std::string opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }

template <typename T>
nlohmann::json opt_json(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
}

// -max-lag N: after the report, exit Exit::lagging naming every partition more than N behind.
void check_max_lag(const Config& cfg, const CheckOptions& options, const std::vector<FromKafka>& kafka_side) {
    if (!options.max_lag) return;
    std::vector<std::string> behind;
    for (const auto& k : kafka_side)
        if (k.lag && *k.lag > *options.max_lag)
            behind.push_back(fmt::format("{}[{}] lags {}", cfg.topic, k.partition, *k.lag));
    if (!behind.empty())
        throw Error(Exit::lagging, fmt::format("{} (over -max-lag {})", text::join(behind, ", "), *options.max_lag));
}

// What the database knows of this config.
struct FromDatabase {
    std::string database;
    db::TableKind output;  // how Citus spreads the output table, if it does
    std::vector<Recorded> recorded;
    std::vector<History> history;
    // [[kafka.output.targets]]: each table and its kind (nullopt: it does not exist).
    std::vector<std::pair<std::string, std::optional<db::TableKind>>> targets;
};

// The recorded offsets (and history), waiting for the database up to retry_timeout.
FromDatabase read_database(const Config& cfg, const CheckOptions& options, const std::atomic<bool>& stop) {
    return RetryPolicy::for_run(true, cfg.retry_timeout, stop).run([&] {
        FromDatabase out;
        auto conn = db::connect(cfg.db, "dgkafka check");
        db::guarded("reading the recorded offsets", [&] {
            pqxx::read_transaction tx(*conn);
            tx.exec0(sql::render("check_session", {}));
            out.database = tx.exec1(sql::render("current_database", {}))[0].as<std::string>();
            // This config's own tables: the offset tables may have been created by another config.
            db::require_setup(tx, cfg);
            db::require_current_offset_tables(tx, cfg);
            if (db::table_exists(tx, cfg.output_table)) out.output = db::read_table_kind(tx, cfg.output_table);
            for (const auto* target : cfg.targets.size() > 1 ? cfg.outputs() : std::vector<const Config*>{})
                out.targets.emplace_back(target->output_table.display(),
                                         db::table_exists(tx, target->output_table)
                                             ? std::optional(db::read_table_kind(tx, target->output_table))
                                             : std::nullopt);
            const auto vars = db::table_vars(cfg);
            for (const auto& r : tx.exec_params(sql::render("check_offsets", vars), cfg.consumer_group, cfg.topic,
                                                cfg.output_table.display()))
                out.recorded.push_back({r[0].as<int32_t>(), r[1].as<int64_t>(), db::nullable<int64_t>(r[2]),
                                        db::nullable<std::string>(r[3]), db::nullable<std::string>(r[4]),
                                        db::nullable<int64_t>(r[5])});
            if (options.history > 0)
                for (const auto& r : tx.exec_params(sql::render("check_history", vars), cfg.consumer_group, cfg.topic,
                                                    options.history, cfg.output_table.display()))
                    out.history.push_back({r[0].as<int32_t>(), r[1].as<std::string>(), r[2].as<int64_t>(),
                                           r[3].as<int64_t>(), r[4].as<int64_t>(), r[5].as<std::string>(),
                                           r[6].as<std::string>()});
        });
        return out;
    });
}

// Exit::data_loss naming every retention gap and every stored partition Kafka no longer has.
void throw_if_lost(const Config& cfg, const std::vector<kafka::RetentionGap>& gaps,
                   const std::vector<Recorded>& missing, int partitions) {
    if (missing.empty()) {
        if (!gaps.empty()) kafka::throw_data_loss(cfg.topic, gaps);
        return;
    }
    std::string what;
    for (const auto& g : gaps) what += kafka::describe(cfg.topic, g) + "\n";
    for (const auto& r : missing)
        what += kafka::describe_missing_partition(cfg.topic, r.partition, r.committed, partitions) + "\n";
    what += fmt::format("once dealt with, delete the row of each partition not in Kafka from the offset table {}{}",
                        cfg.offset_table.display(),
                        gaps.empty() ? ""
                                     : "; for a gap, run once with -force-reset-earliest or set "
                                       "kafka.input.on_data_loss = \"skip\"");
    throw Error(Exit::data_loss, what);
}

// Kafka's side of every partition Kafka has, and of each recorded one it no longer has.
struct KafkaSide {
    std::vector<FromKafka> rows;
    std::vector<kafka::RetentionGap> gaps;  // recorded offsets that retention has passed
    std::vector<Recorded> missing;          // recorded partitions the topic no longer has
    int partitions = 0;
    int64_t total_lag = 0;
};

// Kafka is asked once, for no longer than retry_timeout: with the brokers down, what the database
// knows is shown at once. Throws Unavailable.
KafkaSide ask_kafka(const Config& cfg, const std::vector<Recorded>& recorded, const std::atomic<bool>& stop) {
    KafkaSide out;
    const auto retry = RetryPolicy::for_run(true, cfg.retry_timeout, stop);
    auto admin = kafka::make_admin(cfg.brokers, cfg.kafka_properties);
    out.partitions = kafka::partition_count(admin.get(), cfg.topic, cfg.brokers,
                                            retry.attempt_ms(kafka::metadata_timeout_ms), &stop);
    const auto committed =
        kafka::group_offsets(cfg.brokers, cfg.kafka_properties, cfg.consumer_group, cfg.topic, out.partitions);
    for (int32_t p = 0; p < out.partitions; ++p) {
        const auto marks = kafka::query_watermarks(admin.get(), cfg.topic, p);
        int64_t loaded_to = marks.low;
        std::optional<db::StoredStart> stored;
        std::string gap_note;
        for (const auto& r : recorded)
            if (r.partition == p) {
                loaded_to = r.committed;  // below the log start: the lag counts the messages lost too
                if (auto gap = kafka::retention_gap(p, r.committed, marks)) {
                    out.gaps.push_back(*gap);
                    gap_note =
                        gap->kind == kafka::RetentionGap::Kind::deleted
                            ? fmt::format("retention gap: {} message(s) deleted before they were loaded", gap->lost())
                            : "stored offset past the log's end";
                }
                stored = db::StoredStart{r.committed, r.group_offset};
            }
        const auto c = committed.find(p);
        const auto group = c == committed.end() ? std::nullopt : std::optional<kafka::GroupOffset>(c->second);
        const std::string group_note =
            group ? load::explain(load::classify(group, stored, cfg.output_table.display()), *group, stored) : "";
        FromKafka k{p, group ? std::optional<int64_t>(group->offset) : std::nullopt, marks.high,
                    std::max<int64_t>(0, marks.high - loaded_to),
                    gap_note.empty() || group_note.empty() ? gap_note + group_note : gap_note + "; " + group_note};
        out.total_lag += *k.lag;
        out.rows.push_back(k);
    }
    for (const auto& r : recorded)
        if (r.partition >= out.partitions) {
            out.missing.push_back(r);
            out.rows.push_back({r.partition, std::nullopt, std::nullopt, std::nullopt, "partition not in Kafka"});
        }
    return out;
}

// What check found: the database's side, and Kafka's when it could be asked.
struct Report {
    FromDatabase db_side;
    KafkaSide kafka_side;
    std::optional<Unavailable> kafka_down;
    std::string asked;  // when Kafka was asked (UTC)
};

// `kafka_down`: the brokers were found unreachable already (a job of several topics): not asked again.
Report gather(const Config& cfg, const CheckOptions& options, const std::atomic<bool>& stop,
              const std::optional<Error>& kafka_down) {
    Report r;
    try {
        r.db_side = read_database(cfg, options, stop);
    } catch (const Stopped& e) {  // stopped before anything was read: no report, so never 0
        throw Error(Exit::database, e.what());
    }
    r.asked = utc_now();
    try {
        if (kafka_down) throw Unavailable(Exit::kafka, kafka_down->what());
        r.kafka_side = ask_kafka(cfg, r.db_side.recorded, stop);
    } catch (const Unavailable& e) {
        r.kafka_down.emplace(Exit::kafka,
                             fmt::format("Kafka unavailable, only the database side is shown: {}", e.what()));
        for (const auto& rec : r.db_side.recorded)
            r.kafka_side.rows.push_back({rec.partition, std::nullopt, std::nullopt, std::nullopt, ""});
    }
    return r;
}

// `one_line`: one topic of several, one object per line.
void print_json(const Config& cfg, const CheckOptions& options, const Report& r, std::ostream& out, bool one_line) {
    const auto& db_side = r.db_side;
    const auto& kafka_side = r.kafka_side;
    const auto& kafka_down = r.kafka_down;
    nlohmann::json j = {{"database", db_side.database},
                        {"topic", cfg.topic},
                        {"group", cfg.consumer_group},
                        {"recorded", nlohmann::json::array()},
                        {"kafka", nlohmann::json::array()},
                        {"kafka_timestamp", kafka_down ? nlohmann::json() : nlohmann::json(r.asked)},
                        {"total_lag", kafka_down ? nlohmann::json() : nlohmann::json(kafka_side.total_lag)},
                        {"retention_gaps", nlohmann::json::array()}};
    const auto& kind = db_side.output;
    j["output_table"] = {{"name", cfg.output_table.display()}, {"kind", kind.name()}};
    if (!kind.distribution_column.empty()) j["output_table"]["distribution_column"] = kind.distribution_column;
    if (kind.citus()) {
        j["output_table"]["shards"] = kind.shards;
        j["output_table"]["nodes"] = kind.nodes;
    }
    if (!db_side.targets.empty()) {  // [[kafka.output.targets]], in order
        j["output_tables"] = nlohmann::json::array();
        for (const auto& [name, k] : db_side.targets)
            j["output_tables"].push_back({{"name", name}, {"kind", k ? nlohmann::json(k->name()) : nlohmann::json()}});
    }
    if (kafka_down) j["kafka_error"] = kafka_down->what();
    for (const auto& g : kafka_side.gaps)
        j["retention_gaps"].push_back(
            {{"partition", g.partition},
             {"stored", g.stored},
             {"log_start", g.log_start},
             {"event", g.event()},
             {"lost", g.kind == kafka::RetentionGap::Kind::deleted ? nlohmann::json(g.lost()) : nlohmann::json()}});
    for (const auto& rec : db_side.recorded)
        j["recorded"].push_back({{"partition", rec.partition},
                                 {"committed", rec.committed},
                                 {"latest", opt_json(rec.latest)},
                                 {"start", opt_json(rec.start)},
                                 {"end", opt_json(rec.end)}});
    for (const auto& k : kafka_side.rows)
        j["kafka"].push_back({{"partition", k.partition},
                              {"committed", opt_json(k.committed)},
                              {"latest", opt_json(k.latest)},
                              {"lag", opt_json(k.lag)},
                              {"note", k.note}});
    if (options.history > 0) {
        j["history"] = nlohmann::json::array();
        for (const auto& h : db_side.history)
            j["history"].push_back({{"partition", h.partition},
                                    {"event", h.event},
                                    {"start_offset", h.start},
                                    {"end_offset", h.end},
                                    {"messages", h.count},
                                    {"start", h.batch_start},
                                    {"end", h.batch_end}});
    }
    if (options.max_lag) j["max_lag"] = *options.max_lag;
    out << (one_line ? j.dump() : j.dump(2)) << "\n";
}

// The manual's tab-separated tables; the retention gaps only when Kafka could be asked.
void print_text(const Config& cfg, const CheckOptions& options, const Report& r, std::ostream& out) {
    const auto& db_side = r.db_side;
    const auto& kafka_down = r.kafka_down;
    // Kafka's cells: "unavailable" when it could not be asked, "-" when it has no such value.
    const auto cell = [&](const std::optional<int64_t>& v) {
        return v ? std::to_string(*v) : kafka_down ? unavailable : "-";
    };
    out << fmt::format("Database = {}, Topic = {}, Group = {}\n", db_side.database, cfg.topic, cfg.consumer_group);
    if (!db_side.targets.empty()) {
        for (const auto& [name, kind] : db_side.targets)
            out << fmt::format("Output table = {}: {}\n", name, kind ? kind->describe() : "does not exist");
    } else if (db_side.output.citus()) {
        out << fmt::format("Output table = {}: {}\n", cfg.output_table.display(), db_side.output.describe());
    }
    out << "\n";
    out << "[Last recorded offset]\n";
    TextTable rec({"Group", "Topic", "Partition", "Committed", "Latest", "Start", "End"});
    for (const auto& x : db_side.recorded)
        rec.add({cfg.consumer_group, cfg.topic, std::to_string(x.partition), std::to_string(x.committed), opt(x.latest),
                 x.start.value_or("-"), x.end.value_or("-")});
    rec.print(out);
    out << "\n[Offset from Kafka]\n";
    TextTable kt({"Group", "Topic", "Partition", "Committed", "Latest", "Timestamp", "Lag", "Note"});
    for (const auto& k : r.kafka_side.rows)
        kt.add({cfg.consumer_group, cfg.topic, std::to_string(k.partition), cell(k.committed), cell(k.latest),
                kafka_down ? unavailable : r.asked, cell(k.lag), k.note});
    kt.print(out);
    out << fmt::format("\nTotal lag = {}\n", kafka_down ? unavailable : std::to_string(r.kafka_side.total_lag));
    if (options.history > 0) {
        out << fmt::format("\n[History: last {} per partition]\n", options.history);
        TextTable ht({"Partition", "Event", "Start offset", "End offset", "Messages", "Start", "End"});
        for (const auto& h : db_side.history)
            ht.add({std::to_string(h.partition), h.event, std::to_string(h.start), std::to_string(h.end),
                    std::to_string(h.count), h.batch_start, h.batch_end});
        ht.print(out);
    }
    if (kafka_down || r.kafka_side.gaps.empty()) return;
    out << "\n[Retention gaps: messages deleted before they were loaded]\n";
    TextTable gt({"Partition", "Stored offset", "Log start", "Lost"});
    for (const auto& g : r.kafka_side.gaps)
        gt.add({std::to_string(g.partition), std::to_string(g.stored), std::to_string(g.log_start),
                g.kind == kafka::RetentionGap::Kind::deleted ? std::to_string(g.lost()) : "past the log end"});
    gt.print(out);
}

}  // namespace

namespace {
void check_topic(const Config& cfg, const CheckOptions& options, std::ostream& out, const std::atomic<bool>& stop,
                 bool one_of_many, const std::optional<Error>& kafka_down = std::nullopt) {
    const auto report = gather(cfg, options, stop, kafka_down);
    if (options.json)
        print_json(cfg, options, report, out, one_of_many);
    else
        print_text(cfg, options, report, out);
    out.flush();
    if (report.kafka_down) throw *report.kafka_down;
    throw_if_lost(cfg, report.kafka_side.gaps, report.kafka_side.missing, report.kafka_side.partitions);
    check_max_lag(cfg, options, report.kafka_side.rows);
}
}  // namespace

// Several topics: each one's report in turn (-json: one object per line); the first problem
// found decides the exit code, after every report is printed.
void run_check(const Config& cfg, const CheckOptions& options, std::ostream& out, const std::atomic<bool>& stop) {
    if (!cfg.many_topics()) return check_topic(cfg, options, out, stop, false);
    // The job's topics: those stored in the database (each is reported, Kafka's side unavailable
    // when the brokers cannot be asked, exit 8 when Kafka no longer has it) and those Kafka has.
    std::vector<std::string> topics = RetryPolicy::for_run(true, cfg.retry_timeout, stop).run([&] {
        auto conn = db::connect(cfg.db, "dgkafka check");
        return db::guarded("reading the job's topics", [&] {
            pqxx::read_transaction tx(*conn);
            std::vector<std::string> stored;
            for (const auto& t : db::stored_topics(tx, cfg))
                if (cfg.takes_topic(t)) stored.push_back(t);
            return stored;
        });
    });
    auto admin = kafka::make_admin(cfg.brokers, cfg.kafka_properties);
    std::optional<Error> kafka_down;
    std::optional<std::vector<std::string>> names;
    try {
        names = kafka::topic_names(admin.get(), cfg.brokers, kafka::metadata_timeout_ms, &stop);
    } catch (const Error& e) {  // the stored topics are reported all the same
        kafka_down = e;
    }
    if (names)
        for (const auto& t : cfg.job_topics(*names))
            if (std::find(topics.begin(), topics.end(), t) == topics.end()) topics.push_back(t);
    std::sort(topics.begin(), topics.end());
    std::exception_ptr first;
    for (const auto& t : topics) {
        try {
            check_topic(cfg.for_topic(t), options, out, stop, true, kafka_down);
        } catch (const Error&) {
            if (!first) first = std::current_exception();
        }
    }
    if (first) std::rethrow_exception(first);
    if (kafka_down) throw *kafka_down;  // no topic listed: what could be said was said
}

}  // namespace dgkafka::check
