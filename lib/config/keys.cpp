#include "config/keys.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include "config/config.hpp"
#include "util/text.hpp"

namespace dgkafka::keys {

Range between(double min, double max) { return Range{min, max, false, std::nullopt, ""}; }
Range at_least(double min) { return Range{min, std::nullopt, false, std::nullopt, ""}; }
Range more_than(double min) { return Range{min, std::nullopt, true, std::nullopt, ""}; }

namespace {

Range or_value(Range r, double also, std::string means) {
    r.also = also;
    r.also_means = std::move(means);
    return r;
}

size_t choice_index(const Key& k, const Value& v) {
    const auto& s = std::get<std::string>(v);
    return static_cast<size_t>(std::find(k.choices.begin(), k.choices.end(), s) - k.choices.begin());
}

// Writes a checked value into a Config field of any of the shapes the struct uses.
template <typename T>
void assign(T& field, const Key& k, const Value& v) {
    if constexpr (std::is_enum_v<T>) {
        field = static_cast<T>(k.choice_values.at(choice_index(k, v)));
    } else if constexpr (std::is_same_v<T, bool>) {
        field = k.choices.empty() ? std::get<bool>(v) : k.choice_values.at(choice_index(k, v)) != 0;
    } else if constexpr (std::is_same_v<T, char>) {
        field = std::get<std::string>(v)[0];
    } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::optional<int>>) {
        field = static_cast<int>(std::get<long long>(v));
    } else if constexpr (std::is_same_v<T, double>) {
        field = std::get<double>(v);
    } else {
        field = std::get<std::string>(v);
    }
}

template <typename T>
std::optional<Value> value_of(const T& field, const Key& k) {
    if constexpr (std::is_enum_v<T>) {
        return Value{k.choice(field)};
    } else if constexpr (std::is_same_v<T, bool>) {
        return k.choices.empty() ? Value{field} : Value{k.choice(field)};
    } else if constexpr (std::is_same_v<T, char>) {
        return Value{std::string(1, field)};
    } else if constexpr (std::is_same_v<T, int>) {
        return Value{static_cast<long long>(field)};
    } else if constexpr (std::is_same_v<T, std::optional<int>>) {
        return field ? std::optional<Value>(static_cast<long long>(*field)) : std::nullopt;
    } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
        return field ? std::optional<Value>(*field) : std::nullopt;
    } else {
        return Value{field};
    }
}

// bind([](auto& c) -> auto& { return c.max_row; }): the one accessor gives both directions.
template <typename Access>
Binding field(Access access) {
    return Binding{[access](Config& c, const Key& k, const Value& v) { assign(access(c), k, v); },
                   [access](const Config& c, const Key& k) { return value_of(access(c), k); }};
}

#define DGKAFKA_FIELD(member) field([](auto& c) -> auto& { return c.member; })

std::vector<Key> make_keys() {
    using K = Kind;
    std::vector<Key> k;
    k.push_back(Key("dgkafka", K::table, "the database connection").required());
    k.push_back(Key("kafka", K::table, "the topic, its format and where it goes").required());

    const std::string libpq = "libpq's environment";
    k.push_back(
        Key("dgkafka.database", K::string, "database name").def_text("PGDATABASE").bind(DGKAFKA_FIELD(db.database)));
    k.push_back(Key("dgkafka.user", K::string, "database user").def_text("PGUSER").bind(DGKAFKA_FIELD(db.user)));
    k.push_back(Key("dgkafka.password", K::string,
                    "database password (\"\": none); prefer password_file, password_env or ~/.pgpass")
                    .def_text("PGPASSWORD, ~/.pgpass"));
    k.push_back(Key("dgkafka.password_file", K::string, "file whose first line is the database password"));
    k.push_back(Key("dgkafka.password_env", K::string, "environment variable holding the database password"));
    k.push_back(Key("dgkafka.host", K::string, "database host name, or a socket directory when it starts with /")
                    .def_text("PGHOST, else localhost")
                    .bind(DGKAFKA_FIELD(db.host)));
    k.push_back(Key("dgkafka.port", K::integer, "database port")
                    .def_text("PGPORT")
                    .in(between(1, 65535))
                    .bind(DGKAFKA_FIELD(db.port)));
    k.push_back(Key("dgkafka.sslmode", K::string, "TLS to the database, as libpq's sslmode")
                    .def_text("PGSSLMODE, else require (the manual's, not libpq's prefer)")
                    .one_of({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
                    .bind(DGKAFKA_FIELD(db.sslmode)));
    k.push_back(Key("dgkafka.sslcert", K::string, "client certificate file")
                    .def_text("PGSSLCERT")
                    .bind(DGKAFKA_FIELD(db.sslcert)));
    k.push_back(
        Key("dgkafka.sslkey", K::string, "client key file").def_text("PGSSLKEY").bind(DGKAFKA_FIELD(db.sslkey)));
    k.push_back(Key("dgkafka.sslrootcert", K::string, "CA certificates that sign the server's certificate")
                    .def_text("PGSSLROOTCERT")
                    .bind(DGKAFKA_FIELD(db.sslrootcert)));
    k.push_back(Key("dgkafka.connect_timeout", K::integer, "seconds to wait for a database connection (0: for ever)")
                    .def_text("PGCONNECT_TIMEOUT")
                    .in(at_least(0), "seconds")
                    .bind(DGKAFKA_FIELD(db.connect_timeout)));
    k.push_back(
        Key("dgkafka.metrics_address", K::string,
            "serve Prometheus metrics at http://HOST:PORT/metrics during load and publish; -metrics-address overrides")
            .allowed("HOST:PORT; \":PORT\": every interface")
            .bind(DGKAFKA_FIELD(metrics_address)));
    for (const char* x : {"xdrive_host", "xdrive_port", "xdrive_offset_endpoint", "xdrive_kafka_endpoint"})
        k.push_back(Key(std::string("dgkafka.") + x, std::string(x) == "xdrive_port" ? K::integer : K::string,
                        "xdrive-era key, accepted and ignored")
                        .unused());

    k.push_back(Key("kafka.brokers", K::string, "bootstrap brokers, \"host1:9092,host2:9092\"")
                    .required()
                    .not_empty()
                    .bind(DGKAFKA_FIELD(brokers)));
    k.push_back(Key("kafka.input", K::table, "the topic and its message format").required());
    k.push_back(Key("kafka.output", K::table, "the output table and how rows are written").required());
    k.push_back(Key("kafka.commit", K::table, "when a batch (one transaction) closes"));
    k.push_back(Key("kafka.properties", K::table,
                    "librdkafka properties passed through unchanged (SSL, SASL, ...); a rejected one is reported "
                    "with librdkafka's text"));

    k.push_back(Key("kafka.input.format", K::string, "how a message becomes a row")
                    .required()
                    .one_of<Format>({{"csv", Format::csv},
                                     {"json", Format::json},
                                     {"binary", Format::binary},
                                     {"avro", Format::avro},
                                     {"protobuf", Format::protobuf}})
                    .bind(DGKAFKA_FIELD(format)));
    k.push_back(Key("kafka.input.delimiter", K::string, "CSV field separator (the manual's delimiter_string)")
                    .def(std::string(","))
                    .allowed("one or more characters, without quotes or line breaks")
                    .bind(DGKAFKA_FIELD(delimiter)));
    k.push_back(Key("kafka.input.consumer_group", K::string,
                    "consumer group: with the topic and the output table, names the job's offsets")
                    .required()
                    .not_empty()
                    .bind(DGKAFKA_FIELD(consumer_group)));
    k.push_back(Key("kafka.input.topic", K::string, "the topic to load")
                    .def_text("required, unless topics or topic_pattern names them")
                    .not_empty()
                    .bind(DGKAFKA_FIELD(topic)));
    k.push_back(Key("kafka.input.topics", K::scalar_array,
                    "several topics in one job, each into the table output_table names for it (${topic}, "
                    "${topic[i]}); offsets, history and check per topic and partition"));
    k.push_back(Key("kafka.input.topic_pattern", K::string,
                    "every topic whose whole name this regular expression (ECMAScript) matches, as topics; one "
                    "created later is loaded too while streaming")
                    .not_empty()
                    .bind(DGKAFKA_FIELD(topic_pattern)));
    k.push_back(Key("kafka.input.partition_num", K::integer, "partitions the topic is created with (by tools)")
                    .in(at_least(1))
                    .bind(DGKAFKA_FIELD(partition_num)));
    k.push_back(Key("kafka.input.loaders", K::integer,
                    "parallel loaders, each its own consumer and database connection; -loaders N overrides; fewer "
                    "(with a warning) when the server has fewer free connections (max_connections less reserved and "
                    "in use)")
                    .def_text("min(partitions, 4); with topics or topic_pattern, 1 per topic")
                    .in(at_least(1))
                    .bind(DGKAFKA_FIELD(loaders)));
    k.push_back(Key("kafka.input.assignment", K::string,
                    "static: this process loads every partition; group: Kafka spreads them over the job's processes")
                    .def(std::string("static"))
                    .one_of<bool>({{"static", false}, {"group", true}})
                    .bind(DGKAFKA_FIELD(group_assignment)));
    k.push_back(
        Key("kafka.input.on_data_loss", K::string,
            "when retention deleted messages not loaded yet: stop (exit 9) or skip (record the gap, warn, load "
            "on; the run still exits 9)")
            .def(std::string("stop"))
            .one_of<Config::OnDataLoss>({{"stop", Config::OnDataLoss::stop}, {"skip", Config::OnDataLoss::skip}})
            .bind(DGKAFKA_FIELD(on_data_loss)));
    k.push_back(Key("kafka.input.nwriter", K::integer, "xdrive-era key, accepted and ignored").unused());
    k.push_back(Key("kafka.input.ext_read_table", K::string, "staging table: the input columns plus Kafka metadata")
                    .def_text("<output_table>_kafka_read"));
    k.push_back(Key("kafka.input.ext_write_table", K::string, "outbox table that dgkafka publish sends to the topic"));
    k.push_back(Key("kafka.input.ext_offset_table", K::string,
                    "current offsets, one row per group, topic, output table and partition")
                    .def(std::string("kafka_offset")));
    k.push_back(Key("kafka.input.schema_registry", K::strings,
                    "avro, protobuf, json: Schema Registry URL(s), tried in turn, for Confluent's wire format")
                    .allowed("http:// or https:// URLs"));
    k.push_back(
        Key("kafka.input.schema_registry_user", K::string, "registry: user for the registry's HTTP basic auth"));
    k.push_back(Key("kafka.input.schema_registry_password_file", K::string,
                    "registry: file whose first line is the registry password"));
    k.push_back(Key("kafka.input.schema_registry_password_env", K::string,
                    "registry: environment variable holding the registry password"));
    k.push_back(
        Key("kafka.input.schema_registry_ca", K::string,
            "registry: CA bundle (PEM, relative to the config file) for an https:// registry; untrusted: exit 3")
            .def_text("the system's"));
    k.push_back(Key("kafka.input.avro_schema", K::string,
                    "avro: .avsc file (relative to the config file) for bare Avro binary, without a registry"));
    k.push_back(Key("kafka.input.protobuf_file", K::string,
                    "protobuf: .proto file (relative to the config file; imports from its folder) for plain Protobuf "
                    "messages, without a registry"));
    k.push_back(Key("kafka.input.protobuf_message", K::string,
                    "protobuf: with protobuf_file, the full name of each message's type, \"shop.Order\"")
                    .not_empty()
                    .bind(DGKAFKA_FIELD(protobuf.message)));
    k.push_back(Key("kafka.input.envelope", K::string,
                    "debezium: each message is a Debezium change event (needs mode = \"merge\" and match_columns)")
                    .def(std::string("none"))
                    .one_of<Envelope>({{"none", Envelope::none}, {"debezium", Envelope::debezium}})
                    .bind(DGKAFKA_FIELD(envelope)));
    k.push_back(Key("kafka.input.columns", K::table_array, "the input columns, in message order")
                    .def_text("required for csv; json, avro, protobuf: jdata json; binary: bdata bytea"));
    k.push_back(Key("kafka.input.columns[].name", K::string, "column name").required());
    k.push_back(Key("kafka.input.columns[].type", K::string, "PostgreSQL type").required());
    k.push_back(Key("kafka.input.columns[].ignored", K::boolean, "read but not loaded").def(false));

    k.push_back(Key("kafka.output.output_table", K::string,
                    "the table the rows go to; with topics or topic_pattern, named from each topic: ${topic} is its "
                    "name, ${topic[i]} its i-th dot-separated part (from 0; -1: the last)")
                    .def_text("required, unless [[kafka.output.targets]] names the tables"));
    k.push_back(Key("kafka.output.offset_table", K::string, "offset history: one row per committed batch and partition")
                    .def(std::string("kafka_offset_summary")));
    k.push_back(Key("kafka.output.history_keep_rows", K::integer,
                    "offset history: the newest batch rows kept per partition; older ones are pruned by the load "
                    "(0: no count limit)")
                    .def(10000LL)
                    .in(between(0, 1'000'000'000))
                    .bind(DGKAFKA_FIELD(history_keep_rows)));
    k.push_back(Key("kafka.output.history_keep_days", K::number,
                    "offset history: days a batch row is kept; older ones are pruned by the load (0: no age limit)")
                    .def(30.0)
                    .in(at_least(0), "days")
                    .bind(DGKAFKA_FIELD(history_keep_days)));
    k.push_back(Key("kafka.output.reject_table", K::string, "rejected messages with their error")
                    .def_text("<output_table>_rejects"));
    k.push_back(Key("kafka.output.filter", K::string,
                    "SQL boolean expression; messages for which it is not true are skipped (offsets still advance)")
                    .bind(DGKAFKA_FIELD(filter)));
    k.push_back(Key("kafka.output.error_limit", K::scalar,
                    "rejected messages allowed: a count for the run, or a share of each batch")
                    .def_text("none")
                    .allowed("0 or more, or \"N%\" (0 to 100)"));
    k.push_back(
        Key("kafka.output.mode", K::string,
            "insert; merge: insert or update by match_columns; update: update matching rows only")
            .def(std::string("insert"))
            .one_of<Config::Mode>(
                {{"insert", Config::Mode::insert}, {"merge", Config::Mode::merge}, {"update", Config::Mode::update}})
            .bind(DGKAFKA_FIELD(mode)));
    k.push_back(
        Key("kafka.output.match_columns", K::scalar_array, "key columns of merge and update (need a unique index)")
            .allowed("columns the load writes"));
    k.push_back(Key("kafka.output.update_columns", K::scalar_array, "columns an update sets")
                    .def_text("every column not matched on")
                    .allowed("columns the load writes"));
    k.push_back(Key("kafka.output.update_condition", K::string,
                    "SQL condition over \"current\" (the row) and \"excluded\" (the message) for an update")
                    .bind(DGKAFKA_FIELD(update_condition)));
    k.push_back(Key("kafka.output.delete_on_tombstone", K::boolean,
                    "merge without an envelope: a message without a value deletes the row its key names")
                    .def(false)
                    .bind(DGKAFKA_FIELD(delete_on_tombstone)));
    k.push_back(Key("kafka.output.create_table", K::boolean,
                    "avro, or json with a JSON Schema registry: setup and each load's start create a missing "
                    "output table from the registered schema (<topic>-value), keyed by match_columns or the key's "
                    "fields")
                    .def(false)
                    .bind(DGKAFKA_FIELD(create_table)));
    k.push_back(Key("kafka.output.evolve", K::boolean,
                    "as create_table: each field the registered schema has and the table lacks gets a NULL-able "
                    "column (recorded in the history table); never a drop or a type change")
                    .def(false)
                    .bind(DGKAFKA_FIELD(evolve)));
    k.push_back(Key("kafka.output.before_load_sql", K::string, "SQL run once before loading starts")
                    .bind(DGKAFKA_FIELD(before_load_sql)));
    k.push_back(Key("kafka.output.after_batch_sql", K::string,
                    "SQL run after committed batches (e.g. SELECT rollup()); its failure undoes nothing")
                    .bind(DGKAFKA_FIELD(after_batch_sql)));
    k.push_back(Key("kafka.output.after_batch_interval", K::number,
                    "seconds between runs of after_batch_sql (0: after every batch)")
                    .def(0.0)
                    .in(at_least(0), "seconds")
                    .bind(DGKAFKA_FIELD(after_batch_interval)));
    k.push_back(Key("kafka.output.append_shard_size", K::integer,
                    "append-distributed Citus table: MB a shard takes before batches go to a new one")
                    .def(1024LL)
                    .in(between(1, 1'048'576), "MB")
                    .bind(DGKAFKA_FIELD(append_shard_mb)));
    k.push_back(Key("kafka.output.mappings", K::table_array, "output columns computed by SQL expressions")
                    .def_text("input columns (json, avro, protobuf: fields) into output columns of the same names"));
    k.push_back(Key("kafka.output.mappings[].name", K::string, "target column, or \"a, b\" for a row-returning key")
                    .required());
    k.push_back(Key("kafka.output.mappings[].key", K::string,
                    "SQL over the input columns and _key, _key_bytes, _partition, _offset, _timestamp, _headers")
                    .required());

    k.push_back(Key("kafka.output.targets", K::table_array,
                    "several output tables from one topic, each with its own output_table and, as kafka.output "
                    "has them, filter, mappings, mode, match_columns, update_columns, update_condition; a "
                    "message goes to every target whose filter takes it, all in the batch's one transaction")
                    .def_text("one target: kafka.output itself"));
    k.push_back(Key("kafka.output.targets[].output_table", K::string, "this target's table").required());
    for (const char* x : {"filter", "mode", "update_condition"})
        k.push_back(Key(std::string("kafka.output.targets[].") + x, K::string,
                        std::string("as kafka.output.") + x + ", for this target"));
    for (const char* x : {"match_columns", "update_columns"})
        k.push_back(Key(std::string("kafka.output.targets[].") + x, K::scalar_array,
                        std::string("as kafka.output.") + x + ", for this target"));
    k.push_back(Key("kafka.output.targets[].mappings", K::table_array, "as kafka.output.mappings, for this target"));
    k.push_back(Key("kafka.output.targets[].mappings[].name", K::string, "target column").required());
    k.push_back(Key("kafka.output.targets[].mappings[].key", K::string, "SQL expression").required());
    k.push_back(Key("kafka.output.unmatched", K::string,
                    "with targets: a message no target's filter takes is counted (skip), counted and written to "
                    "the reject table (reject), or stops the load before its batch commits (stop, exit 6)")
                    .def(std::string("reject"))
                    .one_of<Config::Unmatched>({{"skip", Config::Unmatched::skip},
                                                {"reject", Config::Unmatched::reject},
                                                {"stop", Config::Unmatched::stop}})
                    .bind(DGKAFKA_FIELD(unmatched)));

    k.push_back(Key("kafka.commit.max_row", K::integer, "messages per batch at most")
                    .def(1000LL)
                    .in(between(1, 10'000'000))
                    .bind(DGKAFKA_FIELD(max_row)));
    k.push_back(Key("kafka.commit.minimal_interval", K::number,
                    "seconds a batch waits to fill (-1: closes as soon as no message is waiting)")
                    .def(-1.0)
                    .in(or_value(at_least(0), -1, "do not wait"), "seconds")
                    .bind(DGKAFKA_FIELD(minimal_interval)));
    k.push_back(Key("kafka.commit.retry_timeout", K::number,
                    "seconds a -quit-at-eof run, check or publish -quit-at-eof retries a database or brokers it "
                    "cannot reach, at start as mid-run (streaming load and publish: for ever)")
                    .def(60.0)
                    .in(more_than(0), "seconds")
                    .bind(DGKAFKA_FIELD(retry_timeout)));
    return k;
}

#undef DGKAFKA_FIELD

std::string number_text(double d) { return fmt::format("{}", d); }

}  // namespace

std::string Key::leaf() const { return name.substr(name.rfind('.') + 1); }
std::string Key::parent() const {
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? "" : name.substr(0, dot);
}

const std::vector<Key>& all() {
    static const std::vector<Key> table = make_keys();
    return table;
}

const Key* find(const std::string& name) {
    for (const auto& k : all())
        if (k.name == name) return &k;
    return nullptr;
}

std::vector<const Key*> children(const std::string& table) {
    std::vector<const Key*> out;
    for (const auto& k : all())
        if (k.parent() == table) out.push_back(&k);
    return out;
}

std::optional<std::string> check(const Key& key, const Value& value, const std::string& shown) {
    if (const auto* s = std::get_if<std::string>(&value)) {
        if (key.nonempty && text::trim(*s).empty()) return std::string("is empty");
        if (!key.choices.empty() && std::find(key.choices.begin(), key.choices.end(), *s) == key.choices.end())
            return fmt::format("\"{}\" is not one of {}", *s, text::join(key.choices, ", "));
        return std::nullopt;
    }
    if (!key.range) return std::nullopt;
    const double d = std::holds_alternative<long long>(value) ? static_cast<double>(std::get<long long>(value))
                                                              : std::get<double>(value);
    const auto& r = *key.range;
    const bool low_ok = !r.min || (r.min_open ? d > *r.min : d >= *r.min);
    const bool high_ok = !r.max || d <= *r.max;
    if ((low_ok && high_ok) || (r.also && d == *r.also)) return std::nullopt;
    return fmt::format("{} must be {}", shown, allowed_text(key));
}

std::string kind_text(Kind k) {
    switch (k) {
        case Kind::string:
            return "string";
        case Kind::integer:
            return "integer";
        case Kind::number:
            return "number";
        case Kind::boolean:
            return "boolean";
        case Kind::table:
            return "table";
        case Kind::table_array:
            return "array of tables";
        case Kind::scalar:
            return "string or number";
        case Kind::scalar_array:
            return "array of strings";
        case Kind::strings:
            return "string or array of strings";
    }
    return "?";
}

std::string value_text(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return fmt::format("\"{}\"", *s);
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (const auto* i = std::get_if<long long>(&v)) return std::to_string(*i);
    return number_text(std::get<double>(v));
}

std::string default_text(const Key& key) {
    if (key.need == Need::required) return "required";
    if (key.default_value) return value_text(*key.default_value);
    return key.default_text;
}

std::string allowed_text(const Key& key) {
    std::vector<std::string> parts;
    if (!key.choices.empty()) {
        std::vector<std::string> quoted;
        for (const auto& c : key.choices) quoted.push_back("\"" + c + "\"");
        parts.push_back(text::join(quoted, ", "));
    }
    if (key.range) {
        const auto& r = *key.range;
        std::string s;
        if (r.also) s = fmt::format("{} ({}) or ", number_text(*r.also), r.also_means);
        if (r.min && r.max)
            s += fmt::format("between {} and {}", number_text(*r.min), number_text(*r.max));
        else if (r.min)
            s += r.min_open ? fmt::format("more than {}", number_text(*r.min))
                            : fmt::format("{} or more", number_text(*r.min));
        if (!key.unit.empty()) s += " " + key.unit;
        parts.push_back(s);
    }
    if (key.nonempty) parts.push_back("not empty");
    if (!key.allowed_text.empty()) parts.push_back(key.allowed_text);
    return text::join(parts, "; ");
}

}  // namespace dgkafka::keys
