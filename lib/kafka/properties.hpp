#pragma once
#include <librdkafka/rdkafka.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dgkafka::kafka {

using Properties = std::vector<std::pair<std::string, std::string>>;

struct ConfDeleter {
    void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// librdkafka's own error text when it rejects key=value, nullopt when it accepts it.
std::optional<std::string> check_property(const std::string& key, const std::string& value);

// A configuration with bootstrap.servers, then `defaults`, then the user's properties (which win).
// Throws Error(kafka) naming the key with librdkafka's text if one is rejected.
ConfPtr make_conf(const std::string& brokers, const Properties& defaults, const Properties& user);

}  // namespace dgkafka::kafka
