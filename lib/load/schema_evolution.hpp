#pragma once
// kafka.output.evolve while a load streams: a producer registers a schema version that adds a
// field, and its messages arrive. Each loader sees a message's schema id (Confluent's wire
// format) before decoding it; an id it has not seen is looked up once in the registry and mapped
// to columns (registered_schema). A schema with a field the load does not write ends the batch
// before that message; after its commit, follow() adds the columns (db::follow_schema: under a
// lock, so that of the loaders and processes meeting the version at once one adds and records
// each column), then builds the loader's fields to columns, statements, decoder and database side
// again from the evolved table. Nothing is skipped: the message and those after it are read
// again from the stored offsets.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "config/config.hpp"
#include "load/schema_side.hpp"
#include "load/sink/schema_follow.hpp"
#include "load/sink/statements.hpp"

namespace dgkafka::load {

class SchemaEvolution final : public SchemaSide {
  public:
    // nullptr unless the load follows its schema while it streams: evolve, fields to columns
    // (`cfg`, with_field_columns of `job`), and messages whose schema the registry gives.
    static std::unique_ptr<SchemaSide> make(const Config& job, const Config& cfg, int loader);

    SchemaEvolution(const Config& job, const Config& cfg, int loader);
    ~SchemaEvolution() override;

    Met meet(const Message& m, std::string& reason) override;
    Step follow(std::unique_ptr<formats::Decoder>& decoder, std::unique_ptr<DatabaseSide>& database) override;

  private:
    const Config& job_;  // as configured, before fields to columns
    const int loader_;
    std::set<std::string> written_;  // the columns the load writes (Config::field_columns)
    // Schema id → its columns when it has fields without one (nullopt: every field has its column).
    std::map<int32_t, std::optional<KnownSchema>> seen_;
    int32_t known_ = -1;    // the last id met whose fields all have columns
    int32_t pending_ = -1;  // the id follow() follows
    // What the replaced decoder and database side refer to; those of the start belong to run_load.
    std::unique_ptr<Config> cfg_;
    std::unique_ptr<LoadStatements> statements_;
};

}  // namespace dgkafka::load
