#include "kafka/properties.hpp"

#include <fmt/format.h>

#include <cstring>

#include "util/errors.hpp"
#include "util/log.hpp"

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

namespace {
// librdkafka's own log lines join ours on stderr: warnings and worse (which it retries) as warnings,
// the rest at -vv.
// AUTOCREATE only says a broker cannot be told not to create topics; dgkafka never asks by name.
void on_log(const rd_kafka_t*, int level, const char* facility, const char* text) {
    const auto fields = log::Fields{}.add("component", "librdkafka").add("facility", facility);
    if (level <= 4 && std::strcmp(facility, "AUTOCREATE") != 0)
        log::warn(fields, "kafka: {}", text);
    else
        log::debug(fields, "kafka: {}: {}", facility, text);
}
}  // namespace

ConfPtr make_conf(const std::string& brokers, const Properties& defaults, const Properties& user) {
    ConfPtr conf(rd_kafka_conf_new());
    rd_kafka_conf_set_log_cb(conf.get(), on_log);
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
