#include "check/check.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "db/tables.hpp"
#include "kafka/client.hpp"
#include "kafka/group_offsets.hpp"
#include "load/group_start.hpp"
#include "kafka/retention.hpp"
#include "util/errors.hpp"
#include "util/retry.hpp"
#include "util/table.hpp"
#include "util/text.hpp"

namespace dgkafka {

namespace {

struct Recorded {
    int32_t partition;
    int64_t committed;
    std::optional<int64_t> latest;
    std::string start, end;
    std::optional<int64_t> group_offset;  // taken from Kafka, written by another tool
};

struct FromKafka {
    int32_t partition;
    std::optional<int64_t> committed;  // the group's committed offset, if any
    int64_t latest;
    int64_t lag;  // latest - offset recorded in the database (or - earliest when none)
    std::string note;  // why the group's offset differs from the database's
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

nlohmann::json opt_json(const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

// -max-lag N: after the report, exit Exit::lagging naming every partition more than N behind.
void check_max_lag(const Config& cfg, const CheckOptions& options, const std::vector<FromKafka>& kafka_side) {
    if (!options.max_lag) return;
    std::vector<std::string> behind;
    for (const auto& k : kafka_side)
        if (k.lag > *options.max_lag) behind.push_back(fmt::format("{}[{}] lags {}", cfg.topic, k.partition, k.lag));
    if (!behind.empty())
        throw Error(Exit::lagging, fmt::format("{} (over -max-lag {})", text::join(behind, ", "), *options.max_lag));
}

}  // namespace

void run_check(const Config& cfg, const CheckOptions& options, std::ostream& out, const std::atomic<bool>& stop) {
    std::vector<Recorded> recorded;
    std::vector<History> history;
    std::string database;
    // The database is waited for up to retry_timeout: without it there is nothing to show.
    RetryPolicy::for_run(true, cfg.retry_timeout, stop).run([&] {
        recorded.clear();
        history.clear();
        auto conn = db::connect(cfg.db, "dgkafka check");
        db::guarded("reading the recorded offsets", [&] {
            pqxx::read_transaction tx(*conn);
            tx.exec0(sql::render("check_session", {}));
            database = tx.exec1(sql::render("current_database", {}))[0].as<std::string>();
            // This config's own tables: the offset tables may have been created by another config.
            db::require_setup(tx, cfg);
            db::require_current_offset_tables(tx, cfg);
            const auto vars = db::table_vars(cfg);
            for (const auto& r : tx.exec_params(sql::render("check_offsets", vars), cfg.consumer_group, cfg.topic,
                                                cfg.output_table.display()))
                recorded.push_back({r[0].as<int32_t>(), r[1].as<int64_t>(),
                                    r[2].is_null() ? std::nullopt : std::optional<int64_t>(r[2].as<int64_t>()),
                                    r[3].is_null() ? "-" : r[3].as<std::string>(),
                                    r[4].is_null() ? "-" : r[4].as<std::string>(),
                                    r[5].is_null() ? std::nullopt : std::optional<int64_t>(r[5].as<int64_t>())});
            if (options.history > 0)
                for (const auto& r : tx.exec_params(sql::render("check_history", vars), cfg.consumer_group, cfg.topic,
                                                    options.history, cfg.output_table.display()))
                    history.push_back({r[0].as<int32_t>(), r[1].as<std::string>(), r[2].as<int64_t>(),
                                       r[3].as<int64_t>(), r[4].as<int64_t>(), r[5].as<std::string>(),
                                       r[6].as<std::string>()});
        });
    });

    // Kafka is asked once: with the brokers down, what the database knows is shown at once.
    const std::string asked = utc_now();
    std::vector<FromKafka> kafka_side;
    std::vector<kafka::RetentionGap> gaps;  // recorded offsets that retention has passed
    int64_t total_lag = 0;
    std::optional<Unavailable> kafka_down;
    try {
        auto admin = kafka::make_admin(cfg.brokers, cfg.kafka_properties);
        const int partitions = kafka::partition_count(admin.get(), cfg.topic, cfg.brokers);
        const auto committed =
            kafka::group_offsets(cfg.brokers, cfg.kafka_properties, cfg.consumer_group, cfg.topic, partitions);
        for (int32_t p = 0; p < partitions; ++p) {
            const auto marks = kafka::query_watermarks(admin.get(), cfg.topic, p);
            int64_t loaded_to = marks.low;
            std::optional<db::StoredStart> stored;
            for (const auto& r : recorded)
                if (r.partition == p) {
                    loaded_to = std::max(r.committed, marks.low);
                    if (auto gap = kafka::retention_gap(p, r.committed, marks)) gaps.push_back(*gap);
                    stored = db::StoredStart{r.committed, r.group_offset};
                }
            const auto c = committed.find(p);
            const auto group = c == committed.end() ? std::nullopt : std::optional<kafka::GroupOffset>(c->second);
            FromKafka k{p, group ? std::optional<int64_t>(group->offset) : std::nullopt, marks.high,
                        std::max<int64_t>(0, marks.high - loaded_to),
                        group ? explain(classify(group, stored, cfg.output_table.display()), *group) : ""};
            total_lag += k.lag;
            kafka_side.push_back(k);
        }
    } catch (const Unavailable& e) {
        kafka_down.emplace(Exit::kafka, fmt::format("Kafka unavailable, only the database side is shown: {}", e.what()));
    }

    if (options.json) {
        nlohmann::json j = {{"database", database},
                            {"topic", cfg.topic},
                            {"group", cfg.consumer_group},
                            {"recorded", nlohmann::json::array()},
                            {"kafka", nlohmann::json::array()},
                            {"kafka_timestamp", asked},
                            {"total_lag", kafka_down ? nlohmann::json() : nlohmann::json(total_lag)},
                            {"retention_gaps", nlohmann::json::array()}};
        if (kafka_down) j["kafka_error"] = kafka_down->what();
        for (const auto& g : gaps)
            j["retention_gaps"].push_back(
                {{"partition", g.partition}, {"stored", g.stored}, {"log_start", g.log_start}, {"event", g.event()},
                 {"lost", g.kind == kafka::RetentionGap::Kind::deleted ? nlohmann::json(g.lost()) : nlohmann::json()}});
        for (const auto& r : recorded)
            j["recorded"].push_back({{"partition", r.partition},
                                     {"committed", r.committed},
                                     {"latest", opt_json(r.latest)},
                                     {"start", r.start},
                                     {"end", r.end}});
        for (const auto& k : kafka_side)
            j["kafka"].push_back({{"partition", k.partition},
                                  {"committed", opt_json(k.committed)},
                                  {"latest", k.latest},
                                  {"lag", k.lag},
                                  {"note", k.note}});
        if (options.history > 0) {
            j["history"] = nlohmann::json::array();
            for (const auto& h : history)
                j["history"].push_back({{"partition", h.partition},
                                        {"event", h.event},
                                        {"start_offset", h.start},
                                        {"end_offset", h.end},
                                        {"messages", h.count},
                                        {"start", h.batch_start},
                                        {"end", h.batch_end}});
        }
        if (options.max_lag) j["max_lag"] = *options.max_lag;
        out << j.dump(2) << "\n";
        if (kafka_down) throw *kafka_down;
        if (!gaps.empty()) kafka::throw_data_loss(cfg.topic, gaps);
        check_max_lag(cfg, options, kafka_side);
        return;
    }

    out << fmt::format("Database = {}, Topic = {}, Group = {}\n\n", database, cfg.topic, cfg.consumer_group);
    out << "[Last recorded offset]\n";
    TextTable rec({"Group", "Topic", "Partition", "Committed", "Latest", "Start", "End"});
    for (const auto& r : recorded)
        rec.add({cfg.consumer_group, cfg.topic, std::to_string(r.partition), std::to_string(r.committed),
                 opt(r.latest), r.start, r.end});
    rec.print(out);
    out << "\n[Offset from Kafka]\n";
    TextTable kt({"Group", "Topic", "Partition", "Committed", "Latest", "Timestamp", "Lag", "Note"});
    for (const auto& k : kafka_side)
        kt.add({cfg.consumer_group, cfg.topic, std::to_string(k.partition), opt(k.committed), std::to_string(k.latest),
                asked, std::to_string(k.lag), k.note});
    if (kafka_down)
        for (const auto& r : recorded)
            kt.add({cfg.consumer_group, cfg.topic, std::to_string(r.partition), unavailable, unavailable, asked,
                    unavailable, ""});
    kt.print(out);
    out << fmt::format("\nTotal lag = {}\n", kafka_down ? unavailable : std::to_string(total_lag));
    if (options.history > 0) {
        out << fmt::format("\n[History: last {} per partition]\n", options.history);
        TextTable ht({"Partition", "Event", "Start offset", "End offset", "Messages", "Start", "End"});
        for (const auto& h : history)
            ht.add({std::to_string(h.partition), h.event, std::to_string(h.start), std::to_string(h.end),
                    std::to_string(h.count), h.batch_start, h.batch_end});
        ht.print(out);
    }
    if (kafka_down) throw *kafka_down;
    if (!gaps.empty()) {
        out << "\n[Retention gaps: messages deleted before they were loaded]\n";
        TextTable gt({"Partition", "Stored offset", "Log start", "Lost"});
        for (const auto& g : gaps)
            gt.add({std::to_string(g.partition), std::to_string(g.stored), std::to_string(g.log_start),
                    g.kind == kafka::RetentionGap::Kind::deleted ? std::to_string(g.lost()) : "past the log end"});
        gt.print(out);
        out.flush();
        kafka::throw_data_loss(cfg.topic, gaps);
    }
    check_max_lag(cfg, options, kafka_side);
}

}  // namespace dgkafka
