#include "formats/protobuf_reader.hpp"

#include <fmt/format.h>
#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>

#include <filesystem>
#include <mutex>

#include "avro/registry.hpp"
#include "avro/wire_format.hpp"
#include "formats/protobuf_json.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace dgkafka::formats::protobuf {

namespace gp = google::protobuf;

bool read_message_indexes(std::string_view& body, std::vector<int>& indexes, std::string& reason) {
    indexes.clear();
    size_t at = 0;
    // One zigzag varint of at most 5 bytes (an int32, as Confluent's serializer writes it).
    const auto varint = [&](int32_t& value) {
        uint32_t raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (at == body.size()) return false;
            const auto byte = static_cast<unsigned char>(body[at++]);
            raw |= uint32_t{byte & 0x7fu} << shift;
            if (!(byte & 0x80)) {
                value = static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
                return true;
            }
        }
        return false;
    };
    int32_t count = 0;
    if (!varint(count)) {
        reason = "message-index list truncated or corrupt (after the schema id)";
        return false;
    }
    if (count < 0 || static_cast<size_t>(count) > max_message_indexes) {
        reason = fmt::format("message-index list of {} indexes: not a count of 0 to {}", count, max_message_indexes);
        return false;
    }
    for (int32_t i = 0; i < count; ++i) {
        int32_t index = 0;
        if (!varint(index)) {
            reason = fmt::format("message-index list truncated or corrupt (index {} of {})", i + 1, count);
            return false;
        }
        if (index < 0) {
            reason = fmt::format("message index {} is negative", index);
            return false;
        }
        indexes.push_back(index);
    }
    if (indexes.empty()) indexes.push_back(0);  // the single byte 0: the file's first message
    body.remove_prefix(at);
    return true;
}

namespace {

// libprotobuf's own log lines (e.g. invalid UTF-8 in a string field) become debug lines: the
// message's reject already says what is wrong.
void quiet_library_log() {
    static std::once_flag once;
    std::call_once(once, [] {
        gp::SetLogHandler(
            [](gp::LogLevel, const char*, int, const std::string& message) { log::debug("libprotobuf: {}", message); });
    });
}

// The schema texts of one registry schema: its own and those of its references, by import name.
class TextTree : public gp::compiler::SourceTree {
  public:
    explicit TextTree(std::map<std::string, std::string> files) : files_(std::move(files)) {}
    gp::io::ZeroCopyInputStream* Open(const std::string& name) override {
        const auto it = files_.find(name);
        if (it == files_.end()) return nullptr;
        return new gp::io::ArrayInputStream(it->second.data(), static_cast<int>(it->second.size()));
    }
    std::string GetLastErrorMessage() override { return "not among the schema's references"; }

  private:
    std::map<std::string, std::string> files_;
};

// The first problems met while parsing and building, for the reason or the config error.
class Problems : public gp::compiler::MultiFileErrorCollector, public gp::DescriptorPool::ErrorCollector {
  public:
    void AddError(const std::string& file, int line, int column, const std::string& message) override {
        add(line >= 0 ? fmt::format("{}:{}:{}: {}", file, line + 1, column + 1, message)
                      : fmt::format("{}: {}", file, message));
    }
    void AddError(const std::string& file, const std::string& element, const gp::Message*, ErrorLocation,
                  const std::string& message) override {
        add(fmt::format("{}: {}: {}", file, element, message));
    }
    std::string text() const { return text_; }

  private:
    void add(const std::string& line) {
        if (++count_ <= 3) text_ += (text_.empty() ? "" : "; ") + line;
    }
    std::string text_;
    int count_ = 0;
};

constexpr int max_reference_depth = 32;

// Adds the texts of `refs` (and of theirs) to `files`: false with `reason` when one is missing or not Protobuf.
bool add_references(avro::Registry& registry, const std::vector<avro::Registry::Reference>& refs,
                    std::map<std::string, std::string>& files, int depth, std::string& reason) {
    for (const auto& ref : refs) {
        if (files.count(ref.name)) continue;
        if (depth > max_reference_depth) {
            reason = fmt::format("references nested deeper than {} (at \"{}\")", max_reference_depth, ref.name);
            return false;
        }
        const auto found = registry.subject_version(ref.subject, ref.version);
        if (found.found == avro::Registry::Found::unknown_id) {
            reason = fmt::format("reference \"{}\": {}", ref.name, found.text);
            return false;
        }
        if (found.type != "PROTOBUF") {
            reason = fmt::format("reference \"{}\" (subject \"{}\" version {}) is a {} schema, not Protobuf", ref.name,
                                 ref.subject, ref.version, found.type);
            return false;
        }
        files.emplace(ref.name, found.text);
        if (!add_references(registry, found.references, files, depth + 1, reason)) return false;
    }
    return true;
}

}  // namespace

// A DescriptorPool over one source tree and the well-known types libprotobuf carries, and the
// reusable message of each type met so far.
struct Reader::Schema {
    explicit Schema(std::unique_ptr<gp::compiler::SourceTree> source_tree)
        : tree(std::move(source_tree)),
          sources(tree.get()),
          generated(*gp::DescriptorPool::generated_pool()),
          merged(&generated, &sources),
          pool(&merged, &problems),
          factory(&pool) {
        sources.RecordErrorsTo(&problems);
    }

    gp::Message* instance(const gp::Descriptor* type) {
        auto& m = messages[type];
        if (!m) m.reset(factory.GetPrototype(type)->New());
        return m.get();
    }

    std::unique_ptr<gp::compiler::SourceTree> tree;
    gp::compiler::SourceTreeDescriptorDatabase sources;
    gp::DescriptorPoolDatabase generated;
    gp::MergedDescriptorDatabase merged;
    Problems problems;
    gp::DescriptorPool pool;
    gp::DynamicMessageFactory factory;
    const gp::FileDescriptor* file = nullptr;
    const gp::Descriptor* fixed_type = nullptr;  // protobuf_file: protobuf_message
    std::map<const gp::Descriptor*, std::unique_ptr<gp::Message>> messages;
};

namespace {
// Parses `body` as a `type` and appends its JSON.
bool decode(Reader::Schema& schema, const gp::Descriptor* type, std::string_view body, std::string& out,
            std::string& reason) {
    gp::Message* m = schema.instance(type);
    if (!m->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
        reason = fmt::format("not a {} message (truncated or corrupt, {} bytes)", type->full_name(), body.size());
        return false;
    }
    return append_json(*m, out, reason);
}
}  // namespace

Reader::Reader(const Config& cfg) {
    quiet_library_log();
    if (!cfg.avro.registry_urls.empty()) {
        registry_ = avro::Registry::shared(cfg.avro);
        return;
    }
    const std::filesystem::path file(cfg.protobuf.file);
    auto tree = std::make_unique<gp::compiler::DiskSourceTree>();
    tree->MapPath("", file.parent_path().empty() ? "." : file.parent_path().string());
    fixed_ = std::make_unique<Schema>(std::move(tree));
    fixed_->file = fixed_->pool.FindFileByName(file.filename().string());
    if (!fixed_->file)
        throw Error(Exit::config,
                    fmt::format("kafka.input.protobuf_file: {}: {}", cfg.protobuf.file, fixed_->problems.text()));
    fixed_->fixed_type = fixed_->pool.FindMessageTypeByName(cfg.protobuf.message);
    if (!fixed_->fixed_type) {
        std::vector<std::string> names;
        for (int i = 0; i < fixed_->file->message_type_count(); ++i)
            names.push_back(fixed_->file->message_type(i)->full_name());
        throw Error(Exit::config, fmt::format("kafka.input.protobuf_message: no message \"{}\" in {} (it declares {})",
                                              cfg.protobuf.message, cfg.protobuf.file,
                                              names.empty() ? "none" : text::join(names, ", ")));
    }
}

Reader::~Reader() = default;

Reader::Schema* Reader::schema(int32_t id, std::string& reason) {
    if (const auto it = schemas_.find(id); it != schemas_.end()) {
        if (!it->second) reason = unusable_[id];
        return it->second.get();
    }
    const auto lookup = registry_->schema(id);
    if (lookup.found == avro::Registry::Found::unknown_id) {
        reason = lookup.text;  // not kept: the registry's cache answers the next one
        return nullptr;
    }
    const std::string root = fmt::format("schema-{}.proto", id);
    std::map<std::string, std::string> files = {{root, lookup.text}};
    std::unique_ptr<Schema> compiled;
    if (lookup.type != "PROTOBUF") {
        reason = fmt::format("schema id {} is a {} schema, not Protobuf", id, lookup.type);
    } else if (add_references(*registry_, lookup.references, files, 1, reason)) {
        compiled = std::make_unique<Schema>(std::make_unique<TextTree>(std::move(files)));
        compiled->file = compiled->pool.FindFileByName(root);
        if (!compiled->file) {
            reason = fmt::format("schema id {}: not a usable Protobuf schema: {}", id, compiled->problems.text());
            compiled.reset();
        }
    } else {
        reason = fmt::format("schema id {}: {}", id, reason);
    }
    if (!compiled) unusable_[id] = reason;
    return (schemas_[id] = std::move(compiled)).get();
}

const gp::Descriptor* Reader::value_type(int32_t id, std::string& reason) {
    if (fixed_) return fixed_->fixed_type;
    const Schema* s = schema(id, reason);
    if (!s) return nullptr;
    if (s->file->message_type_count() == 0) {
        reason = fmt::format("schema id {} declares no message", id);
        return nullptr;
    }
    return s->file->message_type(0);
}

bool Reader::to_json(std::string_view message, std::string& out, std::string& reason) {
    if (fixed_) return decode(*fixed_, fixed_->fixed_type, message, out, reason);
    int32_t id = 0;
    if (!avro::read_wire_header(message, id, reason, "message indexes, Protobuf message")) return false;
    Schema* s = schema(id, reason);
    if (!s) return false;
    if (!read_message_indexes(message, indexes_, reason)) {
        reason = fmt::format("schema id {}: {}", id, reason);
        return false;
    }
    const gp::Descriptor* type = nullptr;
    for (size_t i = 0; i < indexes_.size(); ++i) {
        const int n = i == 0 ? s->file->message_type_count() : type->nested_type_count();
        if (indexes_[i] >= n) {
            std::vector<std::string> shown;
            for (const int k : indexes_) shown.push_back(std::to_string(k));
            reason = fmt::format("schema id {}: message index [{}] names no message ({} has {})", id,
                                 text::join(shown, ", "), i == 0 ? "the file" : type->full_name(),
                                 n == 1 ? "1 message" : fmt::format("{} messages", n));
            return false;
        }
        type = i == 0 ? s->file->message_type(indexes_[i]) : type->nested_type(indexes_[i]);
    }
    if (decode(*s, type, message, out, reason)) return true;
    reason = fmt::format("schema id {}: {}", id, reason);
    return false;
}

}  // namespace dgkafka::formats::protobuf
