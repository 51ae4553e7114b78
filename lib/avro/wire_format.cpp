#include "avro/wire_format.hpp"

#include <fmt/format.h>

namespace dgkafka::avro {

bool read_wire_header(std::string_view& message, int32_t& id, std::string& reason, std::string_view body) {
    if (message.size() < wire_header) {
        reason = fmt::format("{} bytes: too short for Confluent's wire format (magic byte 0, schema id, {})",
                             message.size(), body);
        return false;
    }
    if (message[0] != 0) {
        reason =
            fmt::format("magic byte {} is not 0: not Confluent's wire format", static_cast<unsigned char>(message[0]));
        return false;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(message.data());
    id = static_cast<int32_t>((uint32_t{p[1]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 8) | p[4]);
    message.remove_prefix(wire_header);
    return true;
}

}  // namespace dgkafka::avro
