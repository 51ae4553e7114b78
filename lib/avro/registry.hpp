#pragma once
// A Confluent Schema Registry client (GET /schemas/ids/{id}) over libcurl, with a cache shared by
// every loader of the process: each schema id is fetched once.
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "config/config.hpp"

namespace dgkafka::avro {

// No registry answered: waited for like unreachable brokers, never a reason to reject a message.
struct RegistryUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Registry {
public:
    // The process's registry client for these settings (loaders are built from the config alone).
    static std::shared_ptr<Registry> shared(const AvroSettings& settings);
    explicit Registry(AvroSettings settings);

    enum class Found { schema, unknown_id };
    struct Lookup {
        Found found;
        std::string text;  // schema: its JSON; unknown_id: why (e.g. the registry's 404 message)
    };
    // Throws RegistryUnavailable when no URL gives an answer; Error(config) when none has a
    // certificate kafka.input.schema_registry_ca trusts (waiting would not change that).
    Lookup schema(int32_t id);

private:
    Lookup fetch(int32_t id);

    AvroSettings settings_;
    std::mutex mutex_;  // one fetch at a time: loaders meeting a new id wait for the first fetch
    std::map<int32_t, Lookup> cache_;
    size_t preferred_ = 0;  // the URL that answered last
};

}  // namespace dgkafka::avro
