#pragma once
// The real Kafka side of one loader: a librdkafka consumer for its partitions (assigned by the
// loader, or by the consumer group), with a prefetch bounded per process.
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "kafka/client.hpp"
#include "kafka/fetch_waker.hpp"
#include "kafka/mirror.hpp"
#include "load/source/kafka_side.hpp"

namespace dgkafka::load {

class KafkaConsumer final : public KafkaSide {
  public:
    // loader_count: loaders in this process, sharing its prefetch budget. headers: polled
    // messages carry their headers. mirror: where static assignment mirrors committed offsets.
    KafkaConsumer(const Config& cfg, int id, int loader_count, bool headers, kafka::OffsetMirror& mirror);
    ~KafkaConsumer() override;

    void start(Listener& listener) override;
    void subscribe() override;
    kafka::Offsets positions(const std::vector<int32_t>& partitions) override;
    void assign(const kafka::Offsets& from) override;
    const std::vector<Polled>& poll(int timeout_ms, size_t max) override;
    void release() override;
    int64_t known_end(int32_t partition) override;
    kafka::Watermarks watermarks(int32_t partition) override;
    void committed(const kafka::Offsets& next) override;
    void leave() override;

  private:
    static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                             void* opaque);
    void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);

    const Config& cfg_;
    const int id_;
    const int loader_count_;
    const bool headers_;
    kafka::OffsetMirror& mirror_;
    Listener* listener_ = nullptr;
    bool subscribed_ = false;
    kafka::HandlePtr consumer_;
    std::unique_ptr<kafka::FetchWaker> waker_;  // destroyed before the consumer
    rd_kafka_queue_t* queue_ = nullptr;
    std::vector<rd_kafka_message_t*> raw_;  // the last poll's, until release()
    std::vector<Polled> polled_;
};

}  // namespace dgkafka::load
