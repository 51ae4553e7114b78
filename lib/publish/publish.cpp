#include "publish/publish.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "db/offsets.hpp"
#include "db/tables.hpp"
#include "formats/csv.hpp"
#include "kafka/client.hpp"
#include "kafka/delivery.hpp"
#include "metrics/metrics.hpp"
#include "metrics/server.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/retry.hpp"
#include "util/service.hpp"
#include "util/text.hpp"

namespace dgkafka::publish {

namespace {

constexpr int rows_per_round = 10000;
constexpr auto idle_wait = std::chrono::milliseconds(200);

// One row as the message dgkafka load reads back: CSV re-delimited (NULL unquoted-empty, an
// empty string quoted), json text as is, binary bytes as is.
void encode(const Config& cfg, const pqxx::row& row, std::string& value) {
    value.clear();
    if (cfg.format != Format::csv) {
        if (!row[1].is_null()) {
            if (cfg.format == Format::binary) {
                const pqxx::binarystring bytes(row[1]);
                value.assign(bytes.str());
            } else {
                value = row[1].c_str();
            }
        }
        return;
    }
    for (pqxx::row::size_type i = 1; i < row.size(); ++i) {
        if (i > 1) value += cfg.delimiter;
        if (!row[i].is_null()) csv::append_field(value, row[i].c_str(), cfg.delimiter, true);
    }
}

// Read by /metrics while the publisher writes them, once per round.
struct PublishCounters {
    std::atomic<int64_t> messages{0}, rounds{0};
    metrics::Histogram round_seconds;
};

std::string render_metrics(const Config& cfg, const PublishCounters& c) {
    const metrics::Labels job = {{"topic", cfg.topic}};
    metrics::Exposition e;
    metrics::build_info(e, "publish");
    e.family("dgkafka_messages_published_total", metrics::Type::counter,
             "Outbox rows acknowledged by Kafka and deleted from the outbox.");
    e.sample(job, static_cast<double>(c.messages.load()));
    e.family("dgkafka_batches_committed_total", metrics::Type::counter,
             "Rounds of published rows deleted, each one transaction.");
    e.sample(job, static_cast<double>(c.rounds.load()));
    e.family("dgkafka_batch_duration_seconds", metrics::Type::histogram,
             "Seconds from reading a round of outbox rows to deleting them.");
    e.histogram(job, c.round_seconds.snapshot());
    return e.text();
}

// Takes the outbox's publish lock on this session, or says who holds it.
std::optional<std::string> lock_outbox(pqxx::transaction_base& tx, const Config& cfg) {
    const auto outbox = cfg.write_table.quoted();
    if (tx.exec_params1(sql::render("publish_lock", {}), outbox)[0].as<bool>()) return std::nullopt;
    const auto holder = tx.exec_params(sql::render("publish_lock_holder", {}), outbox);
    const std::string who = holder.empty()
                                ? std::string("another session")
                                : fmt::format("database session {} (from {}, \"{}\", since {})", holder[0][0].c_str(),
                                              holder[0][1].c_str(), holder[0][2].c_str(), holder[0][3].c_str());
    return fmt::format(
        "another dgkafka publish is sending {}: {} holds its lock; one publisher per outbox, or every "
        "row would be sent twice",
        cfg.write_table.display(), who);
}

// publish sends csv, json or binary rows: what load reads as avro or Debezium is never written here.
void require_publishable(const Config& cfg) {
    if (cfg.write_table.empty())
        throw Error(Exit::config,
                    fmt::format("{}: kafka.input.ext_write_table names no outbox table to publish", cfg.path));
    const bool schema_format = cfg.format == Format::avro || cfg.format == Format::protobuf;
    if (schema_format || cfg.envelope != Envelope::none)
        throw Error(Exit::config,
                    fmt::format("{}: {}: publish cannot encode it; it sends csv, json or binary rows", cfg.path,
                                schema_format ? fmt::format("kafka.input.format = \"{}\"",
                                                            cfg.format == Format::avro ? "avro" : "protobuf")
                                              : "kafka.input.envelope = \"debezium\""));
}

// The publisher's database session: it holds the outbox's publish lock, and every step on it is
// retried on a new session (each step is safe to repeat, a delete whose commit is in doubt too)
// with the policy of load: servers down are waited for (streaming: for ever), from the start.
class OutboxSession {
  public:
    OutboxSession(const Config& cfg, const RetryPolicy& retry) : cfg_(cfg), retry_(retry) {}

    template <typename Step>
    auto run(const char* what, Step&& step) {
        return retry_.run([&] {
            try {
                if (!conn_) reconnect(what);
                return db::guarded(what, [&] { return step(*conn_); });
            } catch (const Unavailable&) {
                conn_.reset();
                throw;
            }
        });
    }

    // Takes the lock, or throws naming who holds it; exit 7 without an outbox.
    void open() {
        run("looking for the outbox", [&](pqxx::connection& c) {
            pqxx::read_transaction tx(c);
            if (!db::table_exists(tx, cfg_.write_table))
                throw Error(Exit::not_set_up, fmt::format("outbox table {} does not exist: run `dgkafka setup {}`",
                                                          cfg_.write_table.display(), cfg_.path));
            if (auto held = lock_outbox(tx, cfg_)) throw Error(Exit::database, *held);
        });
        locked_ = true;
    }

  private:
    // Every new session takes the lock again; a stale one of ours may hold it a while.
    void reconnect(const char* what) {
        conn_ = db::connect(cfg_.db, "dgkafka publish");
        if (!locked_) return;
        const auto held = db::guarded(what, [&] {
            pqxx::nontransaction tx(*conn_);
            return lock_outbox(tx, cfg_);
        });
        if (held) throw Unavailable(Exit::database, fmt::format("{}: {}", what, *held));
    }

    const Config& cfg_;
    const RetryPolicy& retry_;
    std::unique_ptr<pqxx::connection> conn_;
    bool locked_ = false;
};

// An idempotent producer (retries never duplicate or reorder a partition's messages) reporting
// each acknowledged outbox row's id to `acks`, once the topic is known to exist.
kafka::HandlePtr make_producer(const Config& cfg, kafka::Deliveries& acks, const RetryPolicy& retry,
                               const std::atomic<bool>& stop) {
    auto conf = kafka::make_conf(cfg.brokers, {{"client.id", "dgkafka-publish"}, {"enable.idempotence", "true"}},
                                 cfg.kafka_properties);
    acks.attach(conf.get());
    auto rk = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf));
    retry.run([&] {
        return kafka::partition_count(rk.get(), cfg.topic, cfg.brokers, retry.attempt_ms(kafka::metadata_timeout_ms),
                                      &stop);
    });
    return rk;
}

}  // namespace

void run_publish(const Config& cfg, const PublishOptions& options, std::ostream& out, const std::atomic<bool>& stop) {
    require_publishable(cfg);
    std::vector<std::string> text_columns;
    for (const auto& c : cfg.columns)
        text_columns.push_back(cfg.format == Format::binary ? quote_ident(c.name) : quote_ident(c.name) + "::text");
    auto vars = db::table_vars(cfg);
    vars["text_columns"] = text::join(text_columns, ", ");
    const std::string read_sql = sql::render("publish_read", vars), delete_sql = sql::render("publish_delete", vars);

    const auto retry = RetryPolicy::for_run(options.quit_at_eof, cfg.retry_timeout, stop);
    OutboxSession outbox(cfg, retry);
    outbox.open();
    kafka::Deliveries acks(true);  // the ids of the outbox rows Kafka acknowledged
    auto rk = make_producer(cfg, acks, retry, stop);

    PublishCounters counters;
    std::unique_ptr<metrics::Server> server;
    if (!options.metrics_address.empty())
        server =
            std::make_unique<metrics::Server>(options.metrics_address, [&] { return render_metrics(cfg, counters); });
    service::ready(fmt::format("publishing {} to {}", cfg.write_table.display(), cfg.topic));
    int64_t sent = 0;
    std::string value;
    while (!stop) {
        const auto round_started = std::chrono::steady_clock::now();
        const auto rows = outbox.run("reading the outbox", [&](pqxx::connection& c) {
            pqxx::read_transaction tx(c);
            return tx.exec_params(read_sql, rows_per_round);
        });
        if (rows.empty()) {
            if (options.quit_at_eof) break;
            std::this_thread::sleep_for(idle_wait);  // an empty outbox: look again shortly
            continue;
        }
        for (const auto& row : rows) {
            encode(cfg, row, value);
            void* id = reinterpret_cast<void*>(static_cast<intptr_t>(row[0].as<int64_t>()));
            if (const auto e = kafka::produce(rk.get(), cfg.topic, value, nullptr, 0, id))
                throw Error(Exit::kafka,
                            fmt::format("{}: outbox row {}: {}", cfg.topic, row[0].c_str(), rd_kafka_err2str(e)));
        }
        // Rows are deleted once acknowledged; a signal stops the wait, and the rows not yet
        // acknowledged stay in the outbox for the next run.
        acks.wait(rk.get(), static_cast<int64_t>(rows.size()), &stop);
        outbox.run("deleting published rows from the outbox", [&](pqxx::connection& c) {
            pqxx::work tx(c);
            tx.exec_params0(delete_sql, db::pg_array(acks.ids()));
            tx.commit();
        });
        sent += acks.acknowledged();
        counters.messages = sent;
        ++counters.rounds;
        counters.round_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - round_started).count());
        if (acks.failed())
            throw Error(Exit::kafka,
                        fmt::format("{}: {} message(s) not acknowledged ({}); their rows stay in {} and are "
                                    "sent again by the next `dgkafka publish`",
                                    cfg.topic, acks.failed(), acks.first_error(), cfg.write_table.display()));
        acks.clear();
    }
    service::stopping();
    out << fmt::format("PUBLISH {} messages to {}{}\n", sent, cfg.topic, stop ? ", stopped by signal" : "");
}

}  // namespace dgkafka::publish
