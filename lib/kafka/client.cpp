#include "kafka/client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "util/errors.hpp"

namespace dgkafka::kafka {

std::string error_text(rd_kafka_resp_err_t err) { return rd_kafka_err2str(err); }

bool is_transient(rd_kafka_resp_err_t err) {
    switch (err) {
        case RD_KAFKA_RESP_ERR__TRANSPORT:
        case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
        case RD_KAFKA_RESP_ERR__RESOLVE:
        case RD_KAFKA_RESP_ERR__WAIT_COORD:
        case RD_KAFKA_RESP_ERR__WAIT_CACHE:
        case RD_KAFKA_RESP_ERR__UNKNOWN_BROKER:
        case RD_KAFKA_RESP_ERR__NODE_UPDATE:
        case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
        case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
        case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
        case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
        case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
            return true;
        default:
            return false;
    }
}

namespace {
// Error(kafka), or Unavailable(kafka) when a later attempt may succeed.
[[noreturn]] void fail(rd_kafka_resp_err_t err, const std::string& message) {
    if (is_transient(err)) throw Unavailable(Exit::kafka, message);
    throw Error(Exit::kafka, message);
}
}  // namespace

HandlePtr make_handle(rd_kafka_type_t type, ConfPtr conf) {
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof err);
    if (!rk) throw Error(Exit::kafka, fmt::format("cannot create Kafka client: {}", err));
    conf.release();  // rd_kafka_new took it over
    return HandlePtr(rk);
}

HandlePtr make_admin(const std::string& brokers, const Properties& user) {
    // A consumer-type handle: its metadata requests never create the topic they ask about, so a
    // misspelt topic is an error (producer handles ask brokers to auto-create).
    return make_handle(RD_KAFKA_CONSUMER,
                       make_conf(brokers, {{"client.id", "dgkafka"}, {"allow.auto.create.topics", "false"}}, user));
}

namespace {
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)>;

// All topics: a request naming the topic could make the broker auto-create it.
rd_kafka_resp_err_t all_metadata(rd_kafka_t* rk, MetadataPtr& out, int timeout_ms = metadata_timeout_ms) {
    const rd_kafka_metadata_t* md = nullptr;
    const auto err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
    if (!err) out.reset(md);
    return err;
}

// Every topic's metadata, asked in slices of a second until it comes, `timeout_ms` passes or `stop`.
rd_kafka_resp_err_t metadata_until(rd_kafka_t* rk, MetadataPtr& md, int timeout_ms, const std::atomic<bool>* stop) {
    constexpr int slice_ms = 1000;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const auto err = all_metadata(rk, md, static_cast<int>(std::clamp<int64_t>(left.count(), 1, slice_ms)));
        if (err != RD_KAFKA_RESP_ERR__TIMED_OUT || (stop && *stop) || std::chrono::steady_clock::now() >= deadline)
            return err;
    }
}
}  // namespace

void warm_metadata(rd_kafka_t* rk) {
    MetadataPtr md(nullptr, &rd_kafka_metadata_destroy);
    all_metadata(rk, md);
}

int partition_count(rd_kafka_t* rk, const std::string& topic, const std::string& brokers, int timeout_ms,
                    const std::atomic<bool>* stop) {
    MetadataPtr md(nullptr, &rd_kafka_metadata_destroy);
    const auto err = metadata_until(rk, md, timeout_ms, stop);
    if (err) fail(err, fmt::format("cannot read metadata of topic {} from {}: {}", topic, brokers, error_text(err)));
    for (int i = 0; i < md->topic_cnt; ++i) {
        const auto& t = md->topics[i];
        if (topic != t.topic) continue;
        if (t.err) fail(t.err, fmt::format("topic {}: {}", topic, error_text(t.err)));
        return t.partition_cnt;
    }
    throw Error(Exit::no_topic, fmt::format("topic {} does not exist on {}", topic, brokers));
}

std::vector<std::string> topic_names(rd_kafka_t* rk, const std::string& brokers, int timeout_ms,
                                     const std::atomic<bool>* stop) {
    MetadataPtr md(nullptr, &rd_kafka_metadata_destroy);
    const auto err = metadata_until(rk, md, timeout_ms, stop);
    if (err) fail(err, fmt::format("cannot read the topics of {}: {}", brokers, error_text(err)));
    std::vector<std::string> out;
    for (int i = 0; i < md->topic_cnt; ++i)
        if (!md->topics[i].err && md->topics[i].topic[0] != '_') out.emplace_back(md->topics[i].topic);
    std::sort(out.begin(), out.end());
    return out;
}

Watermarks query_watermarks(rd_kafka_t* rk, const std::string& topic, int32_t partition) {
    Watermarks w;
    const auto err =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &w.low, &w.high, metadata_timeout_ms);
    if (err)
        fail(err, fmt::format("topic {} partition {}: cannot read its offsets: {}", topic, partition, error_text(err)));
    return w;
}

Offsets end_offsets(rd_kafka_t* rk, const std::string& topic, const std::vector<int32_t>& partitions, int timeout_ms,
                    std::string& error) {
    Offsets query;
    for (const int32_t p : partitions) query[p] = RD_KAFKA_OFFSET_END;  // "latest" as the timestamp
    auto list = make_list(topic, query);
    Offsets out;
    error.clear();
    if (list->cnt == 0) return out;
    if (const auto err = rd_kafka_offsets_for_times(rk, list.get(), timeout_ms)) {
        error = error_text(err);
        return out;
    }
    for (int i = 0; i < list->cnt; ++i) {
        const auto& e = list->elems[i];
        if (!e.err && e.offset >= 0)
            out[e.partition] = e.offset;
        else if (error.empty())
            error = fmt::format("partition {}: {}", e.partition, error_text(e.err));
    }
    if (!out.empty()) error.clear();  // some leaders answered: not an outage of the brokers
    return out;
}

rd_kafka_resp_err_t produce(rd_kafka_t* rk, const std::string& topic, std::string_view value, const void* key_data,
                            size_t key_size, void* opaque) {
    while (true) {
        const auto e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                         RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                         RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) return e;
        rd_kafka_poll(rk, 100);  // full local queue: let deliveries make room
    }
}

ListPtr make_list(const std::string& topic, const Offsets& offsets) {
    ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& [p, o] : offsets) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = o;
    return list;
}

namespace {
// The timestamp of the message at `offset` (the next one after it if that one is gone), or -1.
int64_t timestamp_at(rd_kafka_t* probe, const std::string& topic, int32_t partition, int64_t offset) {
    auto list = make_list(topic, {{partition, offset}});
    if (rd_kafka_assign(probe, list.get())) return -1;
    for (int tries = 0; tries < 100; ++tries) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(probe, 100);
        if (!m) continue;
        const bool ok = !m->err && m->partition == partition;
        const int64_t ts = ok ? rd_kafka_message_timestamp(m, nullptr) : -1;
        const bool eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
        rd_kafka_message_destroy(m);
        if (ok || eof) return ts;
    }
    return -1;
}

// First offset in [low, high) whose message is at or after `ms`, by binary search: assumes
// timestamps grow with offsets (CreateTime in order, or LogAppendTime).
int64_t search_by_time(rd_kafka_t* probe, const std::string& topic, int32_t partition, Watermarks w, int64_t ms) {
    int64_t lo = w.low, hi = w.high;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        const int64_t ts = timestamp_at(probe, topic, partition, mid);
        if (ts >= ms)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}
}  // namespace

Offsets offsets_for_time(rd_kafka_t* rk, const std::string& topic, int partitions, int64_t ms,
                         const std::string& brokers, const Properties& user) {
    Offsets query;
    for (int p = 0; p < partitions; ++p) query[p] = ms;
    auto list = make_list(topic, query);
    if (const auto err = rd_kafka_offsets_for_times(rk, list.get(), metadata_timeout_ms))
        throw Error(Exit::kafka, fmt::format("topic {}: cannot look up offsets by time: {}", topic, error_text(err)));
    HandlePtr probe;
    Offsets out;
    for (int i = 0; i < list->cnt; ++i) {
        const auto& e = list->elems[i];
        if (e.err)
            throw Error(Exit::kafka, fmt::format("topic {} partition {}: cannot look up its offset by time: {}", topic,
                                                 e.partition, error_text(e.err)));
        if (e.offset >= 0) {
            out[e.partition] = e.offset;
            continue;
        }
        // "None at or after that time" — unless the broker cannot answer by time at all (some
        // brokers, librdkafka's mock cluster): then the partition's last message tells.
        const auto w = query_watermarks(rk, topic, e.partition);
        if (!probe)
            probe = make_handle(RD_KAFKA_CONSUMER, make_conf(brokers,
                                                             {{"group.id", "dgkafka-time-probe"},
                                                              {"enable.auto.commit", "false"},
                                                              {"enable.partition.eof", "true"},
                                                              {"fetch.wait.max.ms", "10"}},
                                                             user));
        const bool none_after = w.low == w.high || timestamp_at(probe.get(), topic, e.partition, w.high - 1) < ms;
        out[e.partition] = none_after ? w.high : search_by_time(probe.get(), topic, e.partition, w, ms);
    }
    if (probe) rd_kafka_destroy_flags(probe.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    return out;
}

}  // namespace dgkafka::kafka
