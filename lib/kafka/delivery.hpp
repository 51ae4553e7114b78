#pragma once
// A producer's delivery reports, for publish and csv2kafka: each message produced gets exactly
// one, acknowledged or failed (after message.timeout.ms).
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace dgkafka::kafka {

class Deliveries {
  public:
    // keep_ids: remember each acknowledged message's opaque (publish: its outbox row id).
    explicit Deliveries(bool keep_ids = false) : keep_ids_(keep_ids) {}

    // Routes the reports of the producer made from `conf` here; this object must outlive it.
    void attach(rd_kafka_conf_t* conf);

    int64_t acknowledged() const { return acknowledged_; }
    int64_t bytes() const { return bytes_; }  // of the acknowledged messages
    int64_t failed() const { return failed_; }
    const std::string& first_error() const { return first_error_; }
    const std::vector<int64_t>& ids() const { return ids_; }
    int64_t reported() const { return acknowledged_ + failed_; }

    // Serves reports until `produced` messages have theirs, or until `stop` is set (false then).
    bool wait(rd_kafka_t* rk, int64_t produced, const std::atomic<bool>* stop = nullptr);
    void clear();

  private:
    static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);

    const bool keep_ids_;
    int64_t acknowledged_ = 0, bytes_ = 0, failed_ = 0;
    std::string first_error_;
    std::vector<int64_t> ids_;
};

}  // namespace dgkafka::kafka
