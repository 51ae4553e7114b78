#include "load/schema_evolution.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <string_view>
#include <utility>

#include "avro/registry.hpp"
#include "avro/wire_format.hpp"
#include "db/connection.hpp"
#include "db/fault.hpp"
#include "load/sink/batch_transaction.hpp"
#include "load/sink/field_columns.hpp"
#include "load/sink/schema_follow.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace dgkafka::load {

std::unique_ptr<SchemaSide> SchemaEvolution::make(const Config& job, const Config& cfg, int loader) {
    // The schemas a registry gives and that map to columns (as at start: known_schema).
    const bool registered = !job.avro.registry_urls.empty() && job.envelope == Envelope::none &&
                            ((job.format == Format::avro && job.avro.schema_text.empty()) ||
                             job.format == Format::json || job.format == Format::protobuf);
    if (!job.evolve || !registered || cfg.field_columns.empty()) return nullptr;
    return std::make_unique<SchemaEvolution>(job, cfg, loader);
}

SchemaEvolution::SchemaEvolution(const Config& job, const Config& cfg, int loader)
    : job_(job), loader_(loader), written_(cfg.field_columns.begin(), cfg.field_columns.end()) {}

SchemaEvolution::~SchemaEvolution() = default;

SchemaSide::Met SchemaEvolution::meet(const Message& m, std::string& reason) {
    std::string_view value = m.value;
    int32_t id = 0;
    std::string why;
    // Not in the wire format: the decoder rejects it, saying why.
    if (value.empty() || value[0] != 0 || !avro::read_wire_header(value, id, why, "")) return Met::known;
    if (id == known_) return Met::known;
    auto seen = seen_.find(id);
    if (seen == seen_.end()) {
        std::optional<KnownSchema> schema;
        try {
            schema = registered_schema(job_, id);
        } catch (const avro::RegistryUnavailable& e) {
            reason = e.what();
            return Met::unavailable;
        }
        const bool adds = schema && std::any_of(schema->columns.begin(), schema->columns.end(),
                                                [&](const db::WantedColumn& c) { return !written_.count(c.name); });
        seen = seen_.emplace(id, adds ? std::move(schema) : std::nullopt).first;
    }
    if (!seen->second) {
        known_ = id;
        return Met::known;
    }
    pending_ = id;
    return Met::new_fields;
}

Step SchemaEvolution::follow(std::unique_ptr<formats::Decoder>& decoder, std::unique_ptr<DatabaseSide>& database) {
    const auto context =
        fmt::format("loader {}: making {} follow schema id {}", loader_, job_.output_table.display(), pending_);
    const auto& schema = seen_.at(pending_);  // met by meet(), with fields to add

    std::ostringstream changed;
    std::unique_ptr<Config> cfg;
    std::unique_ptr<LoadStatements> statements;
    try {
        db::guarded(context, [&] {
            auto conn = db::connect(job_.db, fmt::format("dgkafka load {}", loader_));
            pqxx::work tx(*conn);
            load::follow(tx, job_, *schema, changed);
            // The columns as they are now, the ones added by another loader or process too.
            cfg = std::make_unique<Config>(with_field_columns(job_, tx));
            statements = std::make_unique<LoadStatements>(LoadStatements::build(*cfg, read_output_tables(tx, *cfg)));
            tx.commit();
        });
    } catch (const Unavailable& e) {
        return Step::unavailable(Step::Server::database, e.what());
    } catch (const Error& e) {
        return Step::failed(Step::Outcome::fatal, e.what(), e.code());
    }
    for (const auto& line : text::split(changed.str(), '\n'))
        if (!line.empty()) log::info("{}", line);

    // The new parts first, then the old ones go, then what the old ones referred to.
    auto next_decoder =
        formats::make_decoder(*cfg, !statements->direct, statements->json_members, statements->json_document);
    std::unique_ptr<DatabaseSide> next_database = std::make_unique<BatchTransaction>(*cfg, *statements, loader_);
    database->rollback();
    database = std::move(next_database);
    decoder = std::move(next_decoder);
    cfg_ = std::move(cfg);
    statements_ = std::move(statements);

    written_ = {cfg_->field_columns.begin(), cfg_->field_columns.end()};
    seen_.clear();                   // ids met before are judged against the new columns
    seen_[pending_] = std::nullopt;  // followed: never again, whatever the table holds now
    known_ = -1;
    return Step{};
}

}  // namespace dgkafka::load
