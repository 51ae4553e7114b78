#include "kafka/properties.hpp"

#include <fmt/format.h>

#include "util/errors.hpp"

namespace dgkafka::kafka {

namespace {
std::optional<std::string> set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
        return std::string(err);
    return std::nullopt;
}
}  // namespace

std::optional<std::string> check_property(const std::string& key, const std::string& value) {
    ConfPtr conf(rd_kafka_conf_new());
    return set(conf.get(), key, value);
}

ConfPtr make_conf(const std::string& brokers, const Properties& defaults, const Properties& user) {
    ConfPtr conf(rd_kafka_conf_new());
    auto apply = [&](const std::string& key, const std::string& value) {
        if (auto err = set(conf.get(), key, value))
            throw Error(Exit::kafka, fmt::format("Kafka property {}: {}", key, *err));
    };
    apply("bootstrap.servers", brokers);
    for (const auto& [k, v] : defaults) apply(k, v);
    for (const auto& [k, v] : user) apply(k, v);
    return conf;
}

}  // namespace dgkafka::kafka
