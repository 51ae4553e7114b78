#pragma once
// What the loader asks of Kafka: a consumer of its partitions. KafkaConsumer is the real one; the
// unit tests drive the loader with a fake. Calls are per poll or per batch, never per message.
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <vector>

#include "kafka/client.hpp"
#include "vocabulary/message.hpp"

namespace dgkafka::load {

// One message, or an event (err set: end of partition, offset out of range, ...) of a poll.
// Its views stay valid until the next poll() or release().
struct Polled {
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    Message message;  // partition and offset also for events
};

class KafkaSide {
  public:
    // Group assignment: Kafka's rebalances, reported during poll(). Eager: every rebalance
    // revokes the whole assignment, then assigns the new one.
    class Listener {
      public:
        virtual void assigned(const std::vector<int32_t>& partitions) = 0;
        virtual void revoked() = 0;

      protected:
        ~Listener() = default;
    };

    virtual ~KafkaSide() = default;

    virtual void start(Listener& listener) = 0;  // creates the consumer; throws Error(kafka)
    virtual void subscribe() = 0;                // group assignment: joins the group; throws Error(kafka)
    // The next offset handed out of each partition, RD_KAFKA_OFFSET_INVALID where none yet.
    virtual kafka::Offsets positions(const std::vector<int32_t>& partitions) = 0;
    virtual void assign(const kafka::Offsets& from) = 0;  // throws Error(kafka)
    // Up to `max` messages and events, waiting at most timeout_ms; throws Error(kafka).
    virtual const std::vector<Polled>& poll(int timeout_ms, size_t max) = 0;
    virtual void release() = 0;                                   // the last poll's messages
    virtual int64_t known_end(int32_t partition) = 0;             // as last seen, no request; -1: unknown
    virtual kafka::Watermarks watermarks(int32_t partition) = 0;  // asks the leader; throws Error(kafka)
    virtual void committed(const kafka::Offsets& next) = 0;       // offsets the database now holds
    virtual void leave() = 0;                                     // leaves the group at once
};

}  // namespace dgkafka::load
