#include "kafka/fetch_waker.hpp"

#include <algorithm>
#include <string>

#include "kafka/client.hpp"

namespace dgkafka::kafka {

namespace {
// librdkafka's fetch.queue.backoff.ms appeared in 2.1.0 (version 0x020100ff).
constexpr int first_with_fetch_queue_backoff = 0x02010000;
// Only the request matters, not the answer: the broker thread woke when it was queued.
constexpr int wake_timeout_ms = 500;

size_t conf_number(const rd_kafka_conf_t* conf, const char* key) {
    char value[64];
    size_t size = sizeof value;
    if (rd_kafka_conf_get(conf, key, value, &size) != RD_KAFKA_CONF_OK) return 0;
    return static_cast<size_t>(std::max(0LL, std::stoll(value)));
}
}  // namespace

bool needs_fetch_waker() { return rd_kafka_version() < first_with_fetch_queue_backoff; }

Properties fetch_backoff_defaults() {
    if (needs_fetch_waker()) return {};
    return {{"fetch.queue.backoff.ms", "10"}};  // librdkafka's default is a second
}

FetchWaker::FetchWaker(rd_kafka_t* consumer) : consumer_(consumer) {
    const rd_kafka_conf_t* conf = rd_kafka_conf(consumer);
    message_step_ = std::max<size_t>(1, conf_number(conf, "queued.min.messages") / 2);
    byte_step_ = std::max<size_t>(1, conf_number(conf, "queued.max.messages.kbytes") * 1024 / 2);
    thread_ = std::thread([this] { serve(); });
}

FetchWaker::~FetchWaker() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wanted_.notify_one();
    thread_.join();
}

void FetchWaker::consumed(size_t messages, size_t bytes) {
    messages_ += messages;
    bytes_ += bytes;
    if (messages_ < message_step_ && bytes_ < byte_step_) return;
    messages_ = bytes_ = 0;
    {
        std::lock_guard lock(mutex_);
        pending_ = true;
    }
    wanted_.notify_one();
}

void FetchWaker::serve() {
    std::unique_lock lock(mutex_);
    while (true) {
        wanted_.wait(lock, [this] { return pending_ || stopping_; });
        if (stopping_) return;
        pending_ = false;
        lock.unlock();
        wake();
        lock.lock();
    }
}

// One ListOffsets request per broker leading an assigned partition ("latest" as the timestamp).
void FetchWaker::wake() {
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(consumer_, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR || !assigned) return;
    ListPtr list(assigned);
    for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = RD_KAFKA_OFFSET_END;
    if (list->cnt > 0) rd_kafka_offsets_for_times(consumer_, list.get(), wake_timeout_ms);
}

}  // namespace dgkafka::kafka
