#include "config/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <toml.hpp>
#include <utility>
#include <variant>

#include "config/keys.hpp"
#include "util/text.hpp"

namespace dgkafka {

std::vector<const ColumnSpec*> Config::loaded_columns() const {
    std::vector<const ColumnSpec*> out;
    for (const auto& c : columns)
        if (!c.ignored) out.push_back(&c);
    return out;
}

bool Config::references(std::string_view identifier) const {
    const auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
    auto in = [&](std::string_view sql) {
        for (size_t at = sql.find(identifier); at != std::string_view::npos; at = sql.find(identifier, at + 1)) {
            const size_t end = at + identifier.size();
            if ((at == 0 || !word_char(sql[at - 1])) && (end == sql.size() || !word_char(sql[end]))) return true;
        }
        return false;
    };
    if (in(filter)) return true;
    if (std::any_of(targets.begin(), targets.end(), [&](const Config& t) { return t.references(identifier); }))
        return true;
    return std::any_of(mappings.begin(), mappings.end(), [&](const MappingSpec& m) { return in(m.expression); });
}

std::vector<const Config*> Config::outputs() const {
    if (targets.empty()) return {this};
    std::vector<const Config*> out;
    for (const auto& t : targets) out.push_back(&t);
    return out;
}

namespace {
// The output keys a target gives for itself (kafka.output.targets[].*).
constexpr const char* target_keys[] = {"output_table",   "filter",           "mode",    "match_columns",
                                       "update_columns", "update_condition", "mappings"};

// `text` with each kafka.output.<target key> named as target i's.
std::string rename_target_keys(const std::string& text, size_t i) {
    static const std::string prefix = "kafka.output.";
    const auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    std::string out;
    size_t copied = 0;
    for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
        const size_t leaf = at + prefix.size();
        for (const char* k : target_keys) {
            const std::string_view key(k);
            if (text.compare(leaf, key.size(), key) != 0) continue;
            if (leaf + key.size() < text.size() && word_char(text[leaf + key.size()])) continue;
            out.append(text, copied, leaf - copied);
            out += fmt::format("targets[{}].", i);
            copied = leaf;
            break;
        }
    }
    out.append(text, copied, std::string::npos);
    return out;
}
}  // namespace

namespace {
// output_table with ${topic} and ${topic[i]} replaced from the topic's name; nullopt and `why`
// when the template names something else.
// `evaluate` false: only the placeholders' syntax is checked.
std::optional<std::string> name_from_topic(const std::string& tmpl, const std::string& topic, std::string& why,
                                           bool evaluate = true) {
    const auto parts = text::split(topic, '.', false);
    std::string out;
    for (size_t at = 0; at < tmpl.size();) {
        const auto open = tmpl.find("${", at);
        if (open == std::string::npos) {
            out.append(tmpl, at, std::string::npos);
            break;
        }
        out.append(tmpl, at, open - at);
        const auto close = tmpl.find('}', open);
        if (close == std::string::npos) {
            why = "an unclosed ${";
            return std::nullopt;
        }
        const std::string field = tmpl.substr(open + 2, close - open - 2);
        if (field == "topic") {
            out += topic;
        } else if (field.size() > 7 && field.compare(0, 6, "topic[") == 0 && field.back() == ']') {
            const std::string index = field.substr(6, field.size() - 7);
            char* end = nullptr;
            const long i = std::strtol(index.c_str(), &end, 10);
            if (index.empty() || *end != '\0') {
                why = fmt::format("${{{}}}: the index is not a number", field);
                return std::nullopt;
            }
            if (!evaluate) {
                at = close + 1;
                continue;
            }
            const long n = static_cast<long>(parts.size());
            const long at_part = i < 0 ? n + i : i;
            if (at_part < 0 || at_part >= n) {
                why = fmt::format("${{{}}}: topic {} has {} dot-separated part(s)", field, topic, n);
                return std::nullopt;
            }
            out += parts[static_cast<size_t>(at_part)];
        } else {
            why = fmt::format("${{{}}} is not ${{topic}} nor ${{topic[i]}}", field);
            return std::nullopt;
        }
        at = close + 1;
    }
    return out;
}

// The table `tmpl` names for `topic`, or what is wrong ("for topic t, output_table ... makes no
// table name: ...").
std::variant<QualifiedName, std::string> table_for_topic(const std::string& tmpl, const std::string& topic) {
    std::string why;
    try {
        const auto text = name_from_topic(tmpl, topic, why);
        if (!text) throw std::invalid_argument(why);
        auto table = QualifiedName::parse(*text);
        if (table.name.size() > 63 || table.schema.size() > 63)
            throw std::invalid_argument("\"" + *text + "\" is longer than PostgreSQL's 63 bytes");
        return table;
    } catch (const std::invalid_argument& e) {
        return fmt::format("for topic {}, output_table \"{}\" makes no table name: {}", topic, tmpl, e.what());
    }
}
}  // namespace

Config Config::for_topic(const std::string& name) const {
    Config out = *this;
    out.topic = name;
    out.topics.clear();
    out.topic_pattern.clear();
    out.topic_regex.reset();
    if (output_table_template.empty()) return out;
    auto table = table_for_topic(output_table_template, name);
    if (const auto* bad = std::get_if<std::string>(&table))
        throw ConfigError({fmt::format("{}: {}", where("kafka.output.output_table"), *bad)});
    out.output_table = std::get<QualifiedName>(std::move(table));
    out.output_table_template.clear();
    return out;
}

bool Config::takes_topic(const std::string& name) const {
    if (std::find(topics.begin(), topics.end(), name) != topics.end()) return true;
    return topic_regex && std::regex_match(name, *topic_regex);
}

std::vector<std::string> Config::job_topics(const std::vector<std::string>& names) const {
    std::vector<std::string> out;
    for (const auto& n : names)
        if (takes_topic(n)) out.push_back(n);
    for (const auto& t : topics)
        if (std::find(out.begin(), out.end(), t) == out.end())
            throw Error(Exit::no_topic,
                        fmt::format("{}: topic {} does not exist on {}", where("kafka.input.topics"), t, brokers));
    return out;
}

std::string Config::key_name(const std::string& key) const {
    return target_index ? rename_target_keys(key, *target_index) : key;
}

std::string Config::where(const std::string& key) const {
    const auto name = key_name(key);
    const auto it = key_lines.find(name);
    return it == key_lines.end() ? fmt::format("{}: {}", path, name) : fmt::format("{}:{}: {}", path, it->second, name);
}

bool Config::reads_headers() const { return references("_headers"); }

std::vector<std::string> Config::target_columns() const {
    std::vector<std::string> out;
    if (mappings.empty()) {
        for (const auto* c : loaded_columns()) out.push_back(c->name);
    } else {
        for (const auto& m : mappings) out.insert(out.end(), m.targets.begin(), m.targets.end());
    }
    return out;
}

namespace {

using keys::Kind;
using keys::Need;

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::string:
            return "a string";
        case Kind::integer:
            return "an integer";
        case Kind::number:
            return "a number";
        case Kind::boolean:
            return "true or false";
        case Kind::table:
            return "a table";
        case Kind::table_array:
            return "an array of tables ([[...]])";
        case Kind::scalar:
            return "a string, number or boolean";
        case Kind::scalar_array:
            return "an array of strings";
        case Kind::strings:
            return "a string or an array of strings";
    }
    return "?";
}

bool has_kind(const toml::value& v, Kind k) {
    switch (k) {
        case Kind::string:
            return v.is_string();
        case Kind::integer:
            return v.is_integer();
        case Kind::number:
            return v.is_integer() || (v.is_floating() && std::isfinite(v.as_floating()));  // not inf, nan
        case Kind::boolean:
            return v.is_boolean();
        case Kind::table:
            return v.is_table();
        case Kind::table_array:
            return v.is_array() && std::all_of(v.as_array().begin(), v.as_array().end(),
                                               [](const toml::value& e) { return e.is_table(); });
        case Kind::scalar:
            return v.is_string() || v.is_integer() || v.is_floating() || v.is_boolean();
        case Kind::scalar_array:
            return v.is_array() && std::all_of(v.as_array().begin(), v.as_array().end(),
                                               [](const toml::value& e) { return e.is_string(); });
        case Kind::strings:
            return v.is_string() || has_kind(v, Kind::scalar_array);
    }
    return false;
}

std::string describe(const toml::value& v) {
    switch (v.type()) {
        case toml::value_t::string:
            return fmt::format("a string (\"{}\")", v.as_string().str);
        case toml::value_t::integer:
            return fmt::format("an integer ({})", v.as_integer());
        case toml::value_t::floating:
            return fmt::format("a float ({})", v.as_floating());
        case toml::value_t::boolean:
            return v.as_boolean() ? "true" : "false";
        case toml::value_t::table:
            return "a table";
        case toml::value_t::array:
            return "an array";
        default:
            return "a date/time";
    }
}

std::string scalar_text(const toml::value& v) {
    if (v.is_string()) return v.as_string().str;
    if (v.is_boolean()) return v.as_boolean() ? "true" : "false";
    if (v.is_integer()) return std::to_string(v.as_integer());
    std::ostringstream os;
    os << v.as_floating();
    return os.str();
}

// Collects problems, each as "file:line: key: message", sorted by line at the end.
class Problems {
  public:
    explicit Problems(std::string path) : path_(std::move(path)) {}
    void add(const toml::value& where, const std::string& key, const std::string& message) {
        const unsigned line = where.location().line();
        auto text = line ? fmt::format("{}:{}: {}: {}", path_, line, key, message)
                         : fmt::format("{}: {}: {}", path_, key, message);
        if (target_) text = rename_target_keys(text, *target_);
        list_.push_back({line, std::move(text)});
    }
    // Problems found while reading target i: its output keys named as written.
    void in_target(std::optional<size_t> i) { target_ = i; }
    void add_file(const std::string& message) { list_.push_back({0, path_ + ": " + message}); }
    bool empty() const { return list_.empty(); }
    [[noreturn]] void raise() {
        std::stable_sort(list_.begin(), list_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<std::string> out;
        for (auto& p : list_)  // the job's own keys are read again for each target: each problem once
            if (std::find(out.begin(), out.end(), p.second) == out.end()) out.push_back(std::move(p.second));
        throw ConfigError(std::move(out));
    }

  private:
    std::optional<size_t> target_;
    std::string path_;
    std::vector<std::pair<unsigned, std::string>> list_;
};

std::string dotted(const std::string& table, const std::string& key) { return table.empty() ? key : table + "." + key; }

// A key's value in the key table's terms; tables and arrays have none.
std::optional<keys::Value> value_of(const toml::value& v, Kind k) {
    switch (k) {
        case Kind::string:
            return keys::Value{v.as_string().str};
        case Kind::integer:
            return keys::Value{static_cast<long long>(v.as_integer())};
        case Kind::number:
            return keys::Value{v.is_integer() ? static_cast<double>(v.as_integer()) : v.as_floating()};
        case Kind::boolean:
            return keys::Value{v.as_boolean()};
        default:
            return std::nullopt;
    }
}

// Keys, types, allowed values of one table against the key table, recursing into sub-tables;
// accepted values of bound keys go straight into the Config.
class Checker {
  public:
    Checker(Problems& problems, Config& cfg) : problems_(problems), cfg_(cfg) {}

    void apply_defaults() {
        for (const auto& k : keys::all())
            if (k.default_value && k.binding.set) k.binding.set(cfg_, k, *k.default_value);
    }

    void table(const toml::value& table, const std::string& path, const std::string& display) {
        const auto known_keys = keys::children(path);
        if (known_keys.empty()) return;  // free-form (kafka.properties): checked by the reader
        std::vector<std::string> known;
        for (const auto* k : known_keys) known.push_back(k->leaf());

        std::vector<std::string> names;
        for (const auto& [k, v] : table.as_table()) names.push_back(k);
        std::sort(names.begin(), names.end());
        for (const auto& leaf : names) {
            const auto& v = table.as_table().at(leaf);
            const std::string name = dotted(display, leaf);
            const auto* key = keys::find(dotted(path, leaf));
            if (!key) {
                const auto near = text::nearest(leaf, known);
                problems_.add(v, name,
                              near.empty() ? "unknown key"
                                           : fmt::format("unknown key (did you mean \"{}\"?)", dotted(display, near)));
                continue;
            }
            if (!has_kind(v, key->kind)) {
                problems_.add(v, name, fmt::format("expected {}, got {}", kind_name(key->kind), describe(v)));
                continue;
            }
            if (key->need == Need::unused) cfg_.unused_keys.push_back(name);
            value(*key, v, name);
            if (key->kind == Kind::table) this->table(v, key->name, name);
            if (key->kind == Kind::table_array) {
                const auto& arr = v.as_array();
                for (size_t i = 0; i < arr.size(); ++i)
                    this->table(arr[i], key->name + "[]", fmt::format("{}[{}]", name, i));
            }
        }
        for (const auto* k : known_keys)
            if (k->need == Need::required && !table.as_table().count(k->leaf()))
                problems_.add(table, dotted(display, k->leaf()),
                              k->kind == Kind::table ? fmt::format("required section [{}] is missing: {}",
                                                                   dotted(display, k->leaf()), k->meaning)
                                                     : "required key is missing");
    }

  private:
    void value(const keys::Key& key, const toml::value& v, const std::string& name) {
        if (const unsigned line = v.location().line()) cfg_.key_lines[cfg_.key_name(name)] = line;
        // toml11 reads an integer past 64 bits as the nearest limit: never a value anyone meant.
        if (v.is_integer() && (v.as_integer() == std::numeric_limits<toml::integer>::max() ||
                               v.as_integer() == std::numeric_limits<toml::integer>::min())) {
            problems_.add(v, name, "is out of range: the number does not fit in 64 bits");
            return;
        }
        const auto val = value_of(v, key.kind);
        if (!val) return;
        if (auto problem = keys::check(key, *val, scalar_text(v))) {
            problems_.add(v, name, *problem);
            return;
        }
        if (key.binding.set) key.binding.set(cfg_, key, *val);
    }

    Problems& problems_;
    Config& cfg_;
};

// Typed access to keys that check_table already accepted.
const toml::value* find(const toml::value& table, const char* key) {
    if (!table.is_table()) return nullptr;
    const auto it = table.as_table().find(key);
    return it == table.as_table().end() ? nullptr : &it->second;
}
std::optional<std::string> opt_string(const toml::value& t, const char* key) {
    const auto* v = find(t, key);
    if (v && v->is_string()) return v->as_string().str;
    return std::nullopt;
}
class Reader {
  public:
    Reader(const toml::value& root, Problems& problems, Config& cfg, const PropertyCheck& check_property)
        : root_(root), problems_(problems), cfg_(cfg), check_property_(check_property) {}

    void read() {
        const toml::value empty = toml::table{};
        const auto& dg = table("dgkafka", root_, empty);
        const auto& kafka = table("kafka", root_, empty);
        const auto& input = table("input", kafka, empty);
        const auto& output = table("output", kafka, empty);
        read_database(dg);
        read_kafka(kafka);
        read_input(input);
        read_output(output, input);
        // Fields to columns: the output table's columns are checked at load time.
        const bool fields = cfg_.mappings.empty() && json_documents(cfg_.format);
        if (cfg_.mode != Config::Mode::insert && !fields) check_mode_columns(output);
        check_schema_follow(output, fields);
    }

  private:
    const toml::value& table(const char* key, const toml::value& parent, const toml::value& empty) {
        const auto* v = find(parent, key);
        return v && v->is_table() ? *v : empty;
    }

    void read_database(const toml::value& dg) {
        auto& db = cfg_.db;
        db.password = opt_string(dg, "password");
        if (db.password && db.password->empty()) db.password.reset();  // spec examples use ""
        db.password_in_file = db.password.has_value();
        read_password_source(dg);
        if (const auto* v = find(dg, "metrics_address"); v && v->is_string() && !is_host_port(v->as_string().str))
            problems_.add(*v, "dgkafka.metrics_address",
                          fmt::format("\"{}\" is not HOST:PORT (\":9187\" for every interface)", v->as_string().str));
    }

    static bool is_host_port(const std::string& s) {
        const auto colon = s.rfind(':');
        if (colon == std::string::npos || colon + 1 == s.size() || s.size() - colon > 6) return false;
        const auto digits = s.substr(colon + 1);
        return digits.find_first_not_of("0123456789") == std::string::npos && std::stoi(digits) <= 65535;
    }

    // The password can stay out of the config: from a file (first line) or an environment variable.
    void read_password_source(const toml::value& dg) {
        const auto* file = find(dg, "password_file");
        const auto* env = find(dg, "password_env");
        if (((file != nullptr) + (env != nullptr) + db_password_given(dg)) > 1) {
            problems_.add(file ? *file : *env, file ? "dgkafka.password_file" : "dgkafka.password_env",
                          "give the password one way only: password, password_file or password_env");
            return;
        }
        if (auto secret = read_secret(file, env, "dgkafka.")) cfg_.db.password = *secret;
    }

    // A password from a file (its first line) or an environment variable; keys named `prefix`file/_env.
    std::optional<std::string> read_secret(const toml::value* file, const toml::value* env, const std::string& prefix) {
        if (file && file->is_string()) {
            std::ifstream in(file->as_string().str);
            std::string line;
            if (!in || !std::getline(in, line)) {
                problems_.add(*file, prefix + "password_file",
                              fmt::format("cannot read \"{}\"", file->as_string().str));
                return std::nullopt;
            }
            if (!line.empty() && line.back() == '\r') line.pop_back();
            return line;
        }
        if (env && env->is_string()) {
            const char* value = std::getenv(env->as_string().str.c_str());
            if (!value) {
                problems_.add(*env, prefix + "password_env",
                              fmt::format("environment variable {} is not set", env->as_string().str));
                return std::nullopt;
            }
            return std::string(value);
        }
        return std::nullopt;
    }

    static bool db_password_given(const toml::value& dg) {
        const auto* v = find(dg, "password");
        return v && v->is_string() && !v->as_string().str.empty();
    }

    void read_kafka(const toml::value& kafka) {
        const auto* props = find(kafka, "properties");
        if (!props || !props->is_table()) return;
        std::vector<std::string> keys;
        for (const auto& [k, v] : props->as_table()) keys.push_back(k);
        std::sort(keys.begin(), keys.end());
        for (const auto& key : keys) {
            const auto& v = props->as_table().at(key);
            const std::string name = "kafka.properties." + key;
            if (!has_kind(v, Kind::scalar)) {
                problems_.add(v, name, fmt::format("expected {}, got {}", kind_name(Kind::scalar), describe(v)));
                continue;
            }
            const std::string value = scalar_text(v);
            if (auto err = check_property_ ? check_property_(key, value) : std::nullopt) {
                problems_.add(v, name, "librdkafka: " + *err);
                continue;
            }
            cfg_.kafka_properties.emplace_back(key, value);
        }
    }

    // A table name; `fallback` when absent, or else the key's documented default.
    QualifiedName name(const toml::value& t, const std::string& display, std::string fallback = "") {
        const auto* key = keys::find(display);
        if (fallback.empty() && key->default_value) fallback = std::get<std::string>(*key->default_value);
        const auto* v = find(t, key->leaf().c_str());
        const std::string text = v && v->is_string() ? v->as_string().str : fallback;
        if (text.empty()) return {};
        try {
            return QualifiedName::parse(text);
        } catch (const std::invalid_argument& e) {
            problems_.add(v ? *v : t, display, fmt::format("\"{}\" is not a valid table name: {}", text, e.what()));
            return {};
        }
    }

    void read_input(const toml::value& input) {
        read_topics(input);
        if (auto d = opt_string(input, "delimiter");
            d && (d->empty() || d->find_first_of("\"\n\r") != std::string::npos))
            problems_.add(*find(input, "delimiter"), "kafka.input.delimiter",
                          fmt::format("\"{}\" must be one or more characters, without quotes or line breaks", *d));
        read_avro(input);
        read_protobuf(input);
        if (cfg_.envelope == Envelope::debezium && cfg_.format != Format::json && cfg_.format != Format::avro)
            problems_.add(*find(input, "envelope"), "kafka.input.envelope",
                          "\"debezium\" needs format = \"json\" or \"avro\"");
        read_columns(input);
        cfg_.offset_table = name(input, "kafka.input.ext_offset_table");
    }

    // format = "avro": a Schema Registry (Confluent's wire format) or one schema file (bare Avro).
    void read_avro(const toml::value& input) {
        auto& avro = cfg_.avro;
        const auto* registry = find(input, "schema_registry");
        const auto* file = find(input, "avro_schema");
        if (registry && registry->is_string())
            avro.registry_urls = {registry->as_string().str};
        else
            avro.registry_urls = strings(input, "schema_registry");
        for (const auto& url : avro.registry_urls)
            if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
                problems_.add(*registry, "kafka.input.schema_registry",
                              fmt::format("\"{}\" is not an http:// or https:// URL", url));
        for (auto& url : avro.registry_urls)
            while (!url.empty() && url.back() == '/') url.pop_back();
        avro.user = opt_string(input, "schema_registry_user").value_or("");
        avro.ca_file = relative_to_config(opt_string(input, "schema_registry_ca").value_or(""));
        if (const auto* ca = find(input, "schema_registry_ca");
            ca && !avro.ca_file.empty() && !std::ifstream(avro.ca_file))
            problems_.add(*ca, "kafka.input.schema_registry_ca", fmt::format("cannot read \"{}\"", avro.ca_file));
        const auto* pw_file = find(input, "schema_registry_password_file");
        const auto* pw_env = find(input, "schema_registry_password_env");
        if (pw_file && pw_env)
            problems_.add(*pw_env, "kafka.input.schema_registry_password_env",
                          "give the password one way only: schema_registry_password_file or _env");
        else if (auto secret = read_secret(pw_file, pw_env, "kafka.input.schema_registry_"))
            avro.password = *secret;
        if ((pw_file || pw_env) && avro.user.empty())
            problems_.add(pw_file ? *pw_file : *pw_env, "kafka.input.schema_registry_user",
                          "required with a schema registry password");
        if (file && file->is_string()) {
            avro.schema_file = relative_to_config(file->as_string().str);
            std::ifstream in(avro.schema_file, std::ios::binary);
            std::ostringstream text;
            if (in) text << in.rdbuf();
            if (!in || text.str().empty())
                problems_.add(*file, "kafka.input.avro_schema", fmt::format("cannot read \"{}\"", avro.schema_file));
            avro.schema_text = text.str();
        }
        const bool is_avro = cfg_.format == Format::avro;
        if (is_avro && (registry != nullptr) == (file != nullptr))
            problems_.add(registry ? *registry : input, "kafka.input.schema_registry",
                          "format = \"avro\" needs exactly one of schema_registry (Confluent's wire format) or "
                          "avro_schema (bare Avro binary)");
        if (const auto* v = find(input, "avro_schema"); v && !is_avro)
            problems_.add(*v, "kafka.input.avro_schema", "only used with format = \"avro\"");
        const bool registered = json_documents(cfg_.format);  // avro, protobuf, json (JSON Schema)
        for (const char* key : {"schema_registry", "schema_registry_user", "schema_registry_ca",
                                "schema_registry_password_file", "schema_registry_password_env"})
            if (const auto* v = find(input, key); v && !registered)
                problems_.add(*v, std::string("kafka.input.") + key,
                              "only used with format = \"avro\", \"protobuf\" or \"json\"");
    }

    // format = "protobuf": a Schema Registry (Confluent's wire format) or a .proto file and the
    // message's type (plain Protobuf).
    void read_protobuf(const toml::value& input) {
        const auto* registry = find(input, "schema_registry");
        const auto* file = find(input, "protobuf_file");
        const auto* message = find(input, "protobuf_message");
        if (cfg_.format != Format::protobuf) {
            for (const auto* v : {file, message})
                if (v)
                    problems_.add(*v, v == file ? "kafka.input.protobuf_file" : "kafka.input.protobuf_message",
                                  "only used with format = \"protobuf\"");
            return;
        }
        if ((registry != nullptr) == (file != nullptr))
            problems_.add(registry ? *registry : input, "kafka.input.schema_registry",
                          "format = \"protobuf\" needs exactly one of schema_registry (Confluent's wire format) or "
                          "protobuf_file (plain Protobuf messages)");
        if (file && !message)
            problems_.add(*file, "kafka.input.protobuf_message",
                          "required with protobuf_file: the full name of the messages' type, e.g. \"shop.Order\"");
        if (message && !file)
            problems_.add(*message, "kafka.input.protobuf_message",
                          "only used with protobuf_file (through a registry each message names its type)");
        if (file && file->is_string()) {
            cfg_.protobuf.file = relative_to_config(file->as_string().str);
            if (!std::ifstream(cfg_.protobuf.file))
                problems_.add(*file, "kafka.input.protobuf_file",
                              fmt::format("cannot read \"{}\"", cfg_.protobuf.file));
        }
    }

    // A file named in the config, relative to the config file's folder.
    std::string relative_to_config(const std::string& file) const {
        if (file.empty() || file[0] == '/') return file;
        const auto slash = cfg_.path.rfind('/');
        return slash == std::string::npos ? file : cfg_.path.substr(0, slash + 1) + file;
    }

    // PostgreSQL truncates names to 63 bytes: a longer name would address another table, and two
    // derived names could become one.
    void check_name_lengths(const toml::value& output, const toml::value& input) {
        constexpr size_t max_name = 63;
        struct Named {
            const toml::value& where;
            const char* key;
            const QualifiedName& name;
        };
        const auto* out_value = find(output, "output_table");
        const toml::value& derived_from = out_value ? *out_value : output;
        auto at = [&](const toml::value& t, const char* key) -> const toml::value& {
            const auto* v = find(t, key);
            return v ? *v : derived_from;  // a derived name is the output table's doing
        };
        const std::vector<Named> names = {
            {at(output, "output_table"), "kafka.output.output_table", cfg_.output_table},
            {at(output, "reject_table"), "kafka.output.reject_table", cfg_.reject_table},
            {at(input, "ext_read_table"), "kafka.input.ext_read_table", cfg_.read_table},
            {at(output, "offset_table"), "kafka.output.offset_table", cfg_.history_table},
            {at(input, "ext_offset_table"), "kafka.input.ext_offset_table", cfg_.offset_table},
            {at(input, "ext_write_table"), "kafka.input.ext_write_table", cfg_.write_table},
        };
        for (size_t i = 0; i < names.size(); ++i) {
            const auto& n = names[i];
            if (n.name.name.size() > max_name) {
                problems_.add(
                    n.where, n.key,
                    fmt::format("table name \"{}\" is {} bytes, PostgreSQL keeps only {}: shorten it{}", n.name.name,
                                n.name.name.size(), max_name,
                                &n.where == &derived_from && i > 0
                                    ? fmt::format(" (derived from kafka.output.output_table), or set {}", n.key)
                                    : ""));
                continue;
            }
            for (size_t j = 0; j < i; ++j)
                if (!n.name.empty() && names[j].name.schema == n.name.schema && names[j].name.name == n.name.name)
                    problems_.add(n.where, n.key,
                                  fmt::format("table \"{}\" is also {}: each table needs its own name",
                                              n.name.display(), names[j].key));
        }
    }

    void read_columns(const toml::value& input) {
        const auto* cols = find(input, "columns");
        if (!cols || !has_kind(*cols, Kind::table_array)) {
            if (cfg_.format == Format::csv && !cols)
                problems_.add(input, "kafka.input.columns",
                              "required for format = \"csv\": add [[kafka.input.columns]]");
            if (json_documents(cfg_.format)) cfg_.columns = {{"jdata", "json", false}};
            if (cfg_.format == Format::binary) cfg_.columns = {{"bdata", "bytea", false}};
            return;
        }
        const auto& arr = cols->as_array();
        for (size_t i = 0; i < arr.size(); ++i) {
            const auto& c = arr[i];
            const std::string where = fmt::format("kafka.input.columns[{}]", i);
            ColumnSpec col{opt_string(c, "name").value_or(""), opt_string(c, "type").value_or(""), false};
            if (const auto* ign = find(c, "ignored"); ign && ign->is_boolean()) col.ignored = ign->as_boolean();
            if (const auto* v = find(c, "name"); v && v->is_string() && col.name.empty())
                problems_.add(*v, where + ".name", "is empty");
            if (const auto* v = find(c, "type"); v && v->is_string() && text::trim(col.type).empty())
                problems_.add(*v, where + ".type", "is empty: give a PostgreSQL type such as \"text\"");
            for (const auto& prev : cfg_.columns)
                if (!col.name.empty() && prev.name == col.name)
                    problems_.add(c, where + ".name", fmt::format("column \"{}\" is defined twice", col.name));
            cfg_.columns.push_back(std::move(col));
        }
        if (cfg_.format != Format::csv && cfg_.columns.size() != 1)
            problems_.add(*cols, "kafka.input.columns",
                          fmt::format("format \"{}\" reads each message into exactly one column, {} given",
                                      keys::find("kafka.input.format")->choice(cfg_.format), cfg_.columns.size()));
        if (!arr.empty() && cfg_.loaded_columns().empty())
            problems_.add(*cols, "kafka.input.columns", "every column is ignored: nothing would be loaded");
    }

    void read_output(const toml::value& output, const toml::value& input) {
        if (!find(output, "output_table") && !find(output, "targets"))
            problems_.add(output, "kafka.output.output_table", "required key is missing");
        refuse_topic_placeholders(output, input);
        if (const auto t = opt_string(output, "output_table"); t && t->find("${") != std::string::npos)
            read_output_template(*find(output, "output_table"), *t);
        else
            cfg_.output_table = name(output, "kafka.output.output_table");
        const std::string base = cfg_.output_table.name.empty() ? "dgkafka" : cfg_.output_table.name;
        const std::string schema_prefix =
            cfg_.output_table.schema.empty() ? "" : quote_ident(cfg_.output_table.schema) + ".";
        cfg_.history_table = name(output, "kafka.output.offset_table");
        cfg_.reject_table = name(output, "kafka.output.reject_table", schema_prefix + quote_ident(base + "_rejects"));
        cfg_.read_table = name(input, "kafka.input.ext_read_table", schema_prefix + quote_ident(base + "_kafka_read"));
        cfg_.write_table = name(input, "kafka.input.ext_write_table");
        check_name_lengths(output, input);
        read_mode(output);
        read_error_limit(output);
        const auto* maps = find(output, "mappings");
        if (!maps || !has_kind(*maps, Kind::table_array)) return;
        const auto& arr = maps->as_array();
        for (size_t i = 0; i < arr.size(); ++i) {
            const auto& m = arr[i];
            const std::string where = fmt::format("kafka.output.mappings[{}]", i);
            MappingSpec spec;
            if (auto n = opt_string(m, "name")) {
                spec.targets = text::split(*n, ',');
                for (const auto& t : spec.targets)
                    if (t.empty()) {
                        problems_.add(*find(m, "name"), where + ".name",
                                      fmt::format("\"{}\" has an empty column name", *n));
                        break;
                    }
            }
            spec.expression = opt_string(m, "key").value_or("");
            if (const auto* v = find(m, "key"); v && v->is_string() && text::trim(spec.expression).empty())
                problems_.add(*v, where + ".key", "is empty: give a SQL expression");
            cfg_.mappings.push_back(std::move(spec));
        }
    }

    // create_table and evolve take the columns from a schema that names the fields: fields go to
    // the columns of their names (no mappings), and the format carries a schema.
    void check_schema_follow(const toml::value& output, bool fields) {
        for (const char* key : {"create_table", "evolve"}) {
            const auto* v = find(output, key);
            if (!v || !v->is_boolean() || !v->as_boolean()) continue;
            const std::string name = std::string("kafka.output.") + key;
            if (!fields)
                problems_.add(*v, name,
                              "needs format \"avro\", \"protobuf\" or \"json\" without mappings: the fields go "
                              "to the columns of their names");
            else if (cfg_.format == Format::json && cfg_.avro.registry_urls.empty() && cfg_.envelope == Envelope::none)
                problems_.add(*v, name,
                              "format = \"json\" carries no schema: give schema_registry (JSON Schema) or "
                              "envelope = \"debezium\" (the converter's schema block)");
        }
    }

    // output_table named from each topic: checked on a topic of three parts; the job's own tables
    // are then named after "dgkafka", not after one topic's table.
    void read_output_template(const toml::value& v, const std::string& tmpl) {
        if (!cfg_.many_topics()) {
            problems_.add(v, "kafka.output.output_table",
                          "${topic} names a table from each topic: needs kafka.input.topics or topic_pattern");
            return;
        }
        // The placeholders' syntax here; a part a topic lacks, when its load starts (for_topic).
        std::string why;
        if (!name_from_topic(tmpl, "", why, false)) {
            problems_.add(v, "kafka.output.output_table", fmt::format("\"{}\": {}", tmpl, why));
            return;
        }
        cfg_.output_table_template = tmpl;
        for (const auto& t : cfg_.topics) {  // listed topics: their tables' names are known now
            const auto table = table_for_topic(tmpl, t);
            if (const auto* bad = std::get_if<std::string>(&table)) problems_.add(v, "kafka.output.output_table", *bad);
        }
    }

    // Only output_table names a table from each topic: the job's own tables are shared.
    void refuse_topic_placeholders(const toml::value& output, const toml::value& input) {
        const std::pair<const toml::value*, const char*> keys[] = {{&output, "reject_table"},
                                                                   {&output, "offset_table"},
                                                                   {&input, "ext_read_table"},
                                                                   {&input, "ext_offset_table"},
                                                                   {&input, "ext_write_table"}};
        for (const auto& [table, key] : keys)
            if (const auto v = opt_string(*table, key); v && v->find("${") != std::string::npos)
                problems_.add(*find(*table, key),
                              std::string(table == &output ? "kafka.output." : "kafka.input.") + key,
                              "only output_table names a table from each topic: the job's own tables are shared by "
                              "its topics");
    }

    // kafka.input.topic, topics or topic_pattern: one of them.
    void read_topics(const toml::value& input) {
        const auto* list = find(input, "topics");
        const auto* pattern = find(input, "topic_pattern");
        const auto* one = find(input, "topic");
        if ((one != nullptr) + (list != nullptr) + (pattern != nullptr) != 1) {
            problems_.add(one       ? *one
                          : list    ? *list
                          : pattern ? *pattern
                                    : input,
                          "kafka.input.topic",
                          one || list || pattern ? "give one of topic, topics and topic_pattern"
                                                 : "required key is missing (or topics, or topic_pattern)");
            return;
        }
        cfg_.topics = strings(input, "topics");
        if (list && cfg_.topics.empty()) problems_.add(*list, "kafka.input.topics", "is empty");
        for (const auto& t : cfg_.topics)
            if (text::trim(t).empty()) problems_.add(*list, "kafka.input.topics", "holds an empty name");
        if (!cfg_.topic_pattern.empty()) {
            try {
                cfg_.topic_regex = std::make_shared<const std::regex>(cfg_.topic_pattern, std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
                problems_.add(*pattern, "kafka.input.topic_pattern",
                              fmt::format("\"{}\" is not a regular expression: {}", cfg_.topic_pattern, e.what()));
            }
        }
    }

    // match_columns and update_columns name columns the load writes.
    void check_mode_columns(const toml::value& output) {
        const auto targets = cfg_.target_columns();
        for (const char* key : {"match_columns", "update_columns"})
            for (const auto& c : strings(output, key))
                if (std::find(targets.begin(), targets.end(), c) == targets.end())
                    problems_.add(
                        *find(output, key), std::string("kafka.output.") + key,
                        fmt::format("\"{}\" is not a column the load writes ({})", c, text::join(targets, ", ")));
    }

    static std::vector<std::string> strings(const toml::value& t, const char* key) {
        std::vector<std::string> out;
        if (const auto* v = find(t, key); v && v->is_array())
            for (const auto& e : v->as_array())
                if (e.is_string()) out.push_back(e.as_string().str);
        return out;
    }

    void read_mode(const toml::value& output) {
        cfg_.match_columns = strings(output, "match_columns");
        cfg_.update_columns = strings(output, "update_columns");
        if (const auto* v = find(output, "delete_on_tombstone");
            v && cfg_.delete_on_tombstone && (cfg_.mode != Config::Mode::merge || cfg_.envelope != Envelope::none))
            problems_.add(*v, "kafka.output.delete_on_tombstone",
                          "needs mode = \"merge\" and no envelope (a Debezium envelope deletes by its own events)");
        if (cfg_.envelope == Envelope::debezium && (cfg_.mode != Config::Mode::merge || cfg_.match_columns.empty()))
            problems_.add(find(output, "mode") ? *find(output, "mode") : output, "kafka.output.mode",
                          "kafka.input.envelope = \"debezium\" needs mode = \"merge\" with match_columns (the "
                          "table's key)");
        if (cfg_.mode == Config::Mode::insert) {
            for (const char* key : {"match_columns", "update_columns", "update_condition"})
                if (const auto* v = find(output, key))
                    problems_.add(*v, std::string("kafka.output.") + key,
                                  "only used with mode = \"merge\" or \"update\"");
            return;
        }
        if (cfg_.match_columns.empty())
            problems_.add(find(output, "match_columns") ? *find(output, "match_columns") : output,
                          "kafka.output.match_columns", "required for mode = \"merge\" or \"update\": the key columns");
    }

    void read_error_limit(const toml::value& output) {
        const auto* v = find(output, "error_limit");
        if (!v || !has_kind(*v, Kind::scalar)) return;
        const std::string key = "kafka.output.error_limit";
        if (v->is_integer() && v->as_integer() >= 0) {
            cfg_.error_limit_count = v->as_integer();
            return;
        }
        if (v->is_string()) {
            const std::string text = v->as_string().str;
            if (!text.empty() && text.back() == '%') {
                try {
                    size_t used = 0;
                    const double p = std::stod(text.substr(0, text.size() - 1), &used);
                    if (used == text.size() - 1 && p >= 0 && p <= 100) {
                        cfg_.error_limit_percent = p;
                        return;
                    }
                } catch (const std::exception&) {
                }
            }
        }
        problems_.add(*v, key,
                      fmt::format("{} is not a count (0 or more) nor a percentage such as \"5%\"", scalar_text(*v)));
    }

    const toml::value& root_;
    Problems& problems_;
    Config& cfg_;
    const PropertyCheck& check_property_;
};

}  // namespace

namespace {

// The job as one Config: every key checked and read (`target`: the job as target i sees it).
Config read_job(const toml::value& root, const std::string& path, const PropertyCheck& check_property,
                Problems& problems, std::optional<size_t> target) {
    Config cfg;
    cfg.path = path;
    cfg.target_index = target;
    problems.in_target(target);
    Checker checker(problems, cfg);
    checker.apply_defaults();
    checker.table(root, "", "");
    Reader(root, problems, cfg, check_property).read();
    problems.in_target(std::nullopt);
    return cfg;
}

const toml::value* targets_of(const toml::value& root) {
    const auto* kafka = find(root, "kafka");
    const auto* output = kafka ? find(*kafka, "output") : nullptr;
    const auto* list = output ? find(*output, "targets") : nullptr;
    return list && has_kind(*list, Kind::table_array) && !list->as_array().empty() ? list : nullptr;
}

// The file as target i sees it: kafka.output with the target's keys instead of the list.
toml::value with_target(const toml::value& root, size_t i) {
    toml::value out = root;
    auto& output = out.as_table().at("kafka").as_table().at("output");
    const toml::value target = output.as_table().at("targets").as_array().at(i);
    output.as_table().erase("targets");
    for (const auto& [k, v] : target.as_table())  // other keys are the whole file's problems, named once
        if (std::any_of(std::begin(target_keys), std::end(target_keys), [&](const char* t) { return k == t; }))
            output.as_table()[k] = v;
    return out;
}

// What a job of several targets cannot do (yet), each named where it is written.
void check_targets(const toml::value& root, const Config& job, Problems& problems) {
    const auto& output = root.as_table().at("kafka").as_table().at("output");
    for (const char* k : target_keys)
        if (const auto* v = find(output, k))
            problems.add(*v, std::string("kafka.output.") + k,
                         fmt::format("with [[kafka.output.targets]], each target gives its own {}", k));
    const auto& list = output.as_table().at("targets");
    if (job.many_topics())
        problems.add(list, "kafka.output.targets",
                     "several topics (kafka.input.topics, topic_pattern) and several targets in one job are not "
                     "supported yet: one job each");
    if (job.envelope != Envelope::none || job.delete_on_tombstone)
        problems.add(list, "kafka.output.targets",
                     "several targets do not take change events yet (kafka.input.envelope, delete_on_tombstone): "
                     "one job per table");
    std::vector<std::string> taken = {job.reject_table.display(), job.read_table.display(), job.history_table.display(),
                                      job.offset_table.display()};
    for (size_t i = 0; i < job.targets.size(); ++i) {  // each table once, and none of the job's own
        const auto name = job.targets[i].output_table.display();
        if (std::find(taken.begin(), taken.end(), name) != taken.end())
            problems.add(list.as_array().at(i), fmt::format("kafka.output.targets[{}].output_table", i),
                         fmt::format("{} is another target's table or one of the job's own", name));
        taken.push_back(name);
    }
    for (const auto& t : job.targets)
        if (json_documents(t.format) && t.mappings.empty())
            problems.add(list.as_array().at(*t.target_index), fmt::format("kafka.output.targets[{}]", *t.target_index),
                         "needs mappings: with several targets, fields do not go to the columns of their names");
}

}  // namespace

Config parse_config(const std::string& content, const std::string& path, const PropertyCheck& check_property) {
    // TOML is UTF-8; a NUL byte means another encoding (Windows editors save "Unicode" as UTF-16).
    if (content.find('\0') != std::string::npos)
        throw ConfigError({fmt::format("{}: not UTF-8 text (UTF-16?): save the config as UTF-8", path)});
    Problems problems(path);
    toml::value root;
    try {
        std::istringstream in(content);
        root = toml::parse(in, path);
    } catch (const toml::exception& e) {
        throw ConfigError({fmt::format("{}: not valid TOML:\n{}", path, e.what())});
    }
    Config cfg = read_job(root, path, check_property, problems, std::nullopt);
    const auto* list = targets_of(root);
    if (!list) {
        const auto* kafka = find(std::as_const(root), "kafka");
        const auto* output = kafka ? find(*kafka, "output") : nullptr;
        if (const auto* v = output ? find(*output, "unmatched") : nullptr)
            problems.add(*v, "kafka.output.unmatched", "only used with [[kafka.output.targets]]");
        if (!problems.empty()) problems.raise();
        return cfg;
    }
    std::vector<Config> targets;
    for (size_t i = 0; i < list->as_array().size(); ++i)
        targets.push_back(read_job(with_target(root, i), path, check_property, problems, i));
    // The job's own output keys are its first target's; its tables (staging, rejects, offsets)
    // are the job's, named after the first target's table where not given.
    for (auto& t : targets) {
        t.read_table = targets.front().read_table;
        t.reject_table = targets.front().reject_table;
    }
    Config job = targets.front();
    job.target_index.reset();
    job.key_lines = cfg.key_lines;
    job.targets = std::move(targets);
    check_targets(root, job, problems);
    if (!problems.empty()) problems.raise();
    return job;
}

Config load_config(const std::string& path, const PropertyCheck& check_property) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw ConfigError({fmt::format("{}: is a directory, not a config file (give the .toml file in it)", path)});
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError({fmt::format("{}: cannot read the config file{}", path,
                                       errno ? std::string(": ") + std::strerror(errno) : std::string())});
    std::ostringstream content;
    content << in.rdbuf();
    return parse_config(content.str(), path, check_property);
}

}  // namespace dgkafka
