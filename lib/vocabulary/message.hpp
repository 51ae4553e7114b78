#pragma once
// One Kafka message as every layer sees it, and what decoding it into a row gave.
#include <cstdint>
#include <string_view>

typedef struct rd_kafka_headers_s rd_kafka_headers_t;

namespace dgkafka {

// Views into the consumer's buffers: valid until the message is released.
struct Message {
    std::string_view value;  // a tombstone's has no data at all; an empty value's is not null
    std::string_view key;
    bool has_key = false;
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp_ms = -1;                    // -1: the message has none
    const rd_kafka_headers_t* headers = nullptr;  // set only when the decoder reads_headers()
};

// row: the line was written; rejected: the message is malformed (a reason says why);
// unavailable: what decoding needs (a schema registry) cannot be reached now, a later try may succeed.
enum class Encoded { row, rejected, unavailable };

}  // namespace dgkafka
