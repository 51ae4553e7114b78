#pragma once
// A Confluent Schema Registry client over libcurl, with a cache shared by every loader of the
// process: each schema id (GET /schemas/ids/{id}) and each subject version a schema references
// (GET /subjects/{subject}/versions/{version}) is fetched once. Avro, Protobuf and JSON Schema
// are served alike; each reader checks the type it needs.
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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

    // A schema's import of another (Protobuf: `import "name"`), registered under subject/version.
    struct Reference {
        std::string name, subject;
        int version = 0;
    };
    enum class Found { schema, unknown_id };
    struct Lookup {
        Found found = Found::schema;
        std::string text;           // schema: its text; unknown_id: why (e.g. the registry's 404 message)
        std::string type = "AVRO";  // schemaType: AVRO, PROTOBUF or JSON
        std::vector<Reference> references;
        int32_t id = 0;  // subject versions: the schema's id (0 when the registry did not say)
    };
    // Throws RegistryUnavailable when no URL gives an answer; Error(config) when none has a
    // certificate kafka.input.schema_registry_ca trusts (waiting would not change that).
    Lookup schema(int32_t id);
    // A referenced schema: unknown_id when the subject or version does not exist. Throws as schema().
    Lookup subject_version(const std::string& subject, int version);
    // The subject's newest version, asked each time (not cached: a producer may register another).
    // unknown_id when the subject does not exist. Throws as schema().
    Lookup latest(const std::string& subject);

  private:
    Lookup fetch(const std::string& path, const std::string& what);

    AvroSettings settings_;
    std::mutex mutex_;  // one fetch at a time: loaders meeting a new id wait for the first fetch
    std::map<int32_t, Lookup> cache_;
    std::map<std::pair<std::string, int>, Lookup> versions_;
    size_t preferred_ = 0;  // the URL that answered last
};

}  // namespace dgkafka::avro
