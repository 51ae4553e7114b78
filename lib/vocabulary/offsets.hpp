#pragma once
// Offsets by partition: where Kafka hands out messages and where the database stores a load's
// progress, in one type for both sides.
#include <cstdint>
#include <map>

namespace dgkafka {

using PartitionOffsets = std::map<int32_t, int64_t>;  // partition -> offset

}  // namespace dgkafka
