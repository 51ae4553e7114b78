#include "load/source/kafka_consumer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "kafka/group_offsets.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

namespace dgkafka::load {

namespace {
// Per process, shared by its loaders. With librdkafka's fetching kept awake (kafka::FetchWaker),
// the queues only have to cover a fetch's round trip: scripts/bench.sh loads as fast with a
// quarter of this as with four times it (and peaks at ~100 MB instead of ~140 MB).
constexpr int prefetch_messages = 100000;
constexpr int prefetch_kbytes = 24576;
}  // namespace

KafkaConsumer::KafkaConsumer(const Config& cfg, int id, int loader_count, bool headers, kafka::OffsetMirror& mirror)
    : cfg_(cfg), id_(id), loader_count_(loader_count), headers_(headers), mirror_(mirror) {}

KafkaConsumer::~KafkaConsumer() {
    release();
    waker_.reset();
    if (queue_) rd_kafka_queue_destroy(queue_);
    // No consumer_close(): there is no group membership to leave (partitions are assigned, or
    // leave() left the group) and no commit pending (the OffsetMirror commits), so this never
    // waits on brokers.
    if (consumer_) rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

void KafkaConsumer::start(Listener& listener) {
    listener_ = &listener;
    // Offsets are the database's business: Kafka's committed offset is only a mirror for its tools.
    // The process's prefetch budget is shared by its loaders, so memory stays bounded whatever
    // the topic size and the loader count: librdkafka keeps up to queued.min.messages (and at
    // most queued.max.messages.kbytes) fetched ahead per consumer.
    const int loaders = std::max(1, loader_count_);
    kafka::Properties defaults = {
        {"group.id", cfg_.consumer_group},
        {"client.id", fmt::format("dgkafka-{}", id_)},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "true"},
        {"fetch.wait.max.ms", "100"},  // streaming latency; Kafka's default is 500
        {"queued.min.messages", std::to_string(std::max(10000, prefetch_messages / loaders))},
        {"queued.max.messages.kbytes", std::to_string(std::max(4096, prefetch_kbytes / loaders))}};
    for (auto& p : kafka::fetch_backoff_defaults()) defaults.push_back(std::move(p));
    // Retention passing a loader surfaces as an error (the loader's gap), never as a silent jump.
    auto user = cfg_.kafka_properties;
    user.emplace_back("auto.offset.reset", "error");
    auto conf = kafka::make_conf(cfg_.brokers, defaults, user);
    if (cfg_.group_assignment) {
        rd_kafka_conf_set_rebalance_cb(conf.get(), on_rebalance);
        rd_kafka_conf_set_opaque(conf.get(), this);
    }
    consumer_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf));
    queue_ = rd_kafka_queue_get_consumer(consumer_.get());
    kafka::warm_metadata(consumer_.get());
    if (kafka::needs_fetch_waker()) waker_ = std::make_unique<kafka::FetchWaker>(consumer_.get());
}

void KafkaConsumer::subscribe() {
    auto topics = kafka::make_list(cfg_.topic, {{RD_KAFKA_PARTITION_UA, 0}});
    if (const auto err = rd_kafka_subscribe(consumer_.get(), topics.get()))
        throw Error(Exit::kafka,
                    fmt::format("cannot join consumer group {}: {}", cfg_.consumer_group, kafka::error_text(err)));
    subscribed_ = true;
}

kafka::Offsets KafkaConsumer::positions(const std::vector<int32_t>& partitions) {
    kafka::Offsets out;
    for (const int32_t p : partitions) out[p] = RD_KAFKA_OFFSET_INVALID;
    auto list = kafka::make_list(cfg_.topic, out);
    rd_kafka_position(consumer_.get(), list.get());
    for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
    return out;
}

void KafkaConsumer::assign(const kafka::Offsets& from) {
    auto list = kafka::make_list(cfg_.topic, from);
    if (const auto err = rd_kafka_assign(consumer_.get(), list.get()))
        throw Error(Exit::kafka, fmt::format("cannot assign {} partitions: {}", cfg_.topic, kafka::error_text(err)));
}

const std::vector<Polled>& KafkaConsumer::poll(int timeout_ms, size_t max) {
    release();
    raw_.resize(max);
    const ssize_t n = rd_kafka_consume_batch_queue(queue_, timeout_ms, raw_.data(), max);
    if (n < 0) {
        raw_.clear();
        throw Error(Exit::kafka,
                    fmt::format("{}: cannot consume: {}", cfg_.topic, kafka::error_text(rd_kafka_last_error())));
    }
    raw_.resize(static_cast<size_t>(n));
    polled_.resize(raw_.size());
    size_t bytes = 0;
    for (size_t i = 0; i < raw_.size(); ++i) {
        const rd_kafka_message_t* m = raw_[i];
        Polled& out = polled_[i];
        out.err = m->err;
        Message& msg = out.message;
        msg.value = {static_cast<const char*>(m->payload), m->payload ? m->len : 0};
        msg.has_key = m->key != nullptr;
        msg.key = {static_cast<const char*>(m->key), m->key ? m->key_len : 0};
        msg.partition = m->partition;
        msg.offset = m->offset;
        msg.timestamp_ms = -1;
        msg.headers = nullptr;
        if (!m->err) {
            rd_kafka_timestamp_type_t ts_type;
            msg.timestamp_ms = rd_kafka_message_timestamp(m, &ts_type);
            rd_kafka_headers_t* headers = nullptr;
            if (headers_ && rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) msg.headers = headers;
        }
        bytes += m->len;
    }
    if (waker_) waker_->consumed(raw_.size(), bytes);
    return polled_;
}

// Holding librdkafka's messages would pin whole fetch buffers: the loader copies what it keeps.
void KafkaConsumer::release() {
    for (auto* m : raw_) rd_kafka_message_destroy(m);
    raw_.clear();
    polled_.clear();
}

int64_t KafkaConsumer::known_end(int32_t partition) {
    int64_t low = 0, high = -1;
    return rd_kafka_get_watermark_offsets(consumer_.get(), cfg_.topic.c_str(), partition, &low, &high) == 0 ? high : -1;
}

kafka::Watermarks KafkaConsumer::watermarks(int32_t partition) {
    kafka::Watermarks marks;
    if (const auto err = rd_kafka_query_watermark_offsets(consumer_.get(), cfg_.topic.c_str(), partition, &marks.low,
                                                          &marks.high, kafka::metadata_timeout_ms))
        throw Error(Exit::kafka,
                    fmt::format("topic {} partition {}: offset out of range, and cannot read its offsets: {}",
                                cfg_.topic, partition, kafka::error_text(err)));
    return marks;
}

void KafkaConsumer::committed(const kafka::Offsets& next) {
    if (!cfg_.group_assignment) {
        mirror_.commit(next);
        return;
    }
    // Only a member may commit for an active group; the OffsetMirror is not one.
    auto list = kafka::make_list(cfg_.topic, next);
    kafka::mark(list.get(), kafka::commit_mark(cfg_.output_table.display()));
    rd_kafka_commit(consumer_.get(), list.get(), 1);
}

// Leaving the group at once lets the other processes take the partitions over now rather than
// after session.timeout.ms.
void KafkaConsumer::leave() {
    if (!subscribed_) return;
    release();
    rd_kafka_consumer_close(consumer_.get());
    subscribed_ = false;
}

void KafkaConsumer::on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                                 void* opaque) {
    static_cast<KafkaConsumer*>(opaque)->rebalance(err, parts);
}

// Runs inside librdkafka's poll: only records what changed (no database work here).
void KafkaConsumer::rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(consumer_.get(), nullptr);
        log::debug("loader {}: partitions revoked", id_);
        listener_->revoked();
        return;
    }
    std::vector<int32_t> partitions;
    for (int i = 0; i < parts->cnt; ++i) partitions.push_back(parts->elems[i].partition);
    // Nothing to fetch until the loader has read where the database says these partitions start
    // (never Kafka's committed offset): an empty assignment answers the group meanwhile.
    auto none = kafka::make_list(cfg_.topic, {});
    rd_kafka_assign(consumer_.get(), none.get());
    log::debug("loader {}: assigned {} partition(s)", id_, partitions.size());
    listener_->assigned(partitions);
}

}  // namespace dgkafka::load
