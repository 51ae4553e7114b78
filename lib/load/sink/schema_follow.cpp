#include "load/sink/schema_follow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "avro/registry.hpp"
#include "db/connection.hpp"
#include "db/fault.hpp"
#include "db/tables.hpp"
#include "formats/protobuf_columns.hpp"
#include "formats/schema_columns.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace dgkafka::load {

namespace {
std::vector<db::WantedColumn> wanted(const std::vector<formats::SchemaColumn>& columns) {
    std::vector<db::WantedColumn> out;
    for (const auto& c : columns) out.push_back({c.name, c.type});
    return out;
}

// The columns of registered schema `id` of the job's format; false with `reason` when it names none.
bool registered_columns(const Config& cfg, int32_t id, const avro::Registry::Lookup& found,
                        std::vector<formats::SchemaColumn>& out, std::string& reason) {
    if (cfg.format == Format::avro && found.type == "AVRO") return formats::avro_columns(found.text, out, reason);
    if (cfg.format == Format::json && found.type == "JSON")
        return formats::json_schema_columns(found.text, out, reason);
    if (cfg.format == Format::protobuf && found.type == "PROTOBUF")  // compiled with its references
        return formats::protobuf_columns(cfg, id, out, reason);
    reason = fmt::format("a {} schema, not one of format \"{}\" that dgkafka maps to columns", found.type,
                         cfg.format == Format::protobuf ? "protobuf"
                         : cfg.format == Format::avro   ? "avro"
                                                        : "json");
    return false;
}
}  // namespace

std::optional<KnownSchema> known_schema(const Config& cfg) {
    KnownSchema out;
    std::vector<formats::SchemaColumn> columns;
    std::string reason;
    if (cfg.format == Format::avro && !cfg.avro.schema_text.empty()) {
        if (!formats::avro_columns(cfg.avro.schema_text, columns, reason))
            throw Error(Exit::config, fmt::format("{}: {}", cfg.where("kafka.input.avro_schema"), reason));
        out.source = cfg.avro.schema_file;
    } else if (cfg.format == Format::protobuf && !cfg.protobuf.file.empty()) {
        if (!formats::protobuf_columns(cfg, 0, columns, reason))
            throw Error(Exit::config, fmt::format("{}: {}", cfg.where("kafka.input.protobuf_file"), reason));
        out.source = cfg.protobuf.file;
    } else if (!cfg.avro.registry_urls.empty() && cfg.envelope == Envelope::none) {
        const auto registry = avro::Registry::shared(cfg.avro);
        const std::string subject = cfg.topic + "-value";
        avro::Registry::Lookup found;
        try {
            found = registry->latest(subject);
        } catch (const avro::RegistryUnavailable& e) {
            throw Unavailable(Exit::kafka, e.what());
        }
        if (found.found == avro::Registry::Found::unknown_id) return std::nullopt;  // nothing registered yet
        if (!registered_columns(cfg, found.id, found, columns, reason))
            throw Error(Exit::config,
                        fmt::format("kafka.output.create_table / evolve: subject \"{}\" (schema id {}): {}", subject,
                                    found.id, reason));
        out.source = fmt::format("schema id {} (subject {})", found.id, subject);
        if (cfg.match_columns.empty()) {  // the key's fields, when the key has a record schema
            std::vector<formats::SchemaColumn> key;
            try {
                const auto k = registry->latest(cfg.topic + "-key");
                if (k.found == avro::Registry::Found::schema && registered_columns(cfg, k.id, k, key, reason))
                    for (const auto& c : key) out.key.push_back(c.name);
            } catch (const avro::RegistryUnavailable& e) {
                throw Unavailable(Exit::kafka, e.what());
            }
        }
    } else {
        return std::nullopt;
    }
    out.columns = wanted(columns);
    if (!cfg.match_columns.empty()) out.key = cfg.match_columns;
    for (const auto& k : out.key)  // a key of fields the value lacks cannot be the table's
        if (std::none_of(columns.begin(), columns.end(), [&](const formats::SchemaColumn& c) { return c.name == k; }))
            out.key.clear();
    return out;
}

std::optional<KnownSchema> registered_schema(const Config& cfg, int32_t id) {
    const auto found = avro::Registry::shared(cfg.avro)->schema(id);
    const bool of_format = (cfg.format == Format::avro && found.type == "AVRO") ||
                           (cfg.format == Format::json && found.type == "JSON") ||
                           (cfg.format == Format::protobuf && found.type == "PROTOBUF");
    if (found.found == avro::Registry::Found::unknown_id || !of_format) return std::nullopt;
    std::vector<formats::SchemaColumn> columns;
    std::string reason;
    // Its messages decode, but its new fields could not be given columns: not loaded silently.
    if (!registered_columns(cfg, id, found, columns, reason))
        throw Error(Exit::config, fmt::format("kafka.output.evolve: schema id {} gives no columns: {}", id, reason));
    KnownSchema out;
    out.columns = wanted(columns);
    out.source = fmt::format("schema id {}", id);
    return out;
}

void follow(pqxx::transaction_base& tx, const Config& cfg, const KnownSchema& schema, std::ostream& out) {
    const auto done = db::follow_schema(tx, cfg, schema.columns, schema.key, schema.source);
    if (done.created) {
        std::vector<std::string> defs;
        for (const auto& c : schema.columns) defs.push_back(c.name + " " + c.type);
        out << fmt::format("created: {} from {}: {}{}\n", cfg.output_table.display(), schema.source,
                           text::join(defs, ", "),
                           schema.key.empty() ? "" : fmt::format("; primary key ({})", text::join(schema.key, ", ")));
    }
    if (!done.added.empty())
        out << fmt::format("evolved: {} from {}: added {}\n", cfg.output_table.display(), schema.source,
                           text::join(done.added, ", "));
    for (const auto& d : done.differing)
        log::warn("{}: column {} (not changed: values that do not fit it are rejected)", cfg.output_table.display(), d);
    for (const auto& u : done.unusable)
        log::warn("{}: {} gets no column, so it is not loaded (map it under another name with mappings)",
                  cfg.output_table.display(), u);
}

void follow_at_start(const Config& cfg) {
    if (!cfg.create_table && !cfg.evolve) return;
    const auto schema = known_schema(cfg);
    if (!schema) return;
    std::ostringstream changed;
    db::guarded("making the output table follow the schema", [&] {
        auto conn = db::connect(cfg.db, "dgkafka load");
        pqxx::work tx(*conn);
        db::require_setup(tx, cfg);
        follow(tx, cfg, *schema, changed);
        tx.commit();
    });
    for (const auto& line : text::split(changed.str(), '\n'))
        if (!line.empty()) log::info("{}", line);
}

}  // namespace dgkafka::load
