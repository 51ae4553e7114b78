#pragma once
// dgkafka.toml: the spec's keys plus what a direct Kafka client needs, validated before any work.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "util/errors.hpp"
#include "vocabulary/ident.hpp"

namespace dgkafka {

enum class Format { csv, json, binary, avro, protobuf };

// A format whose messages become one JSON document each (the input column jdata): json, avro, protobuf.
inline bool json_documents(Format f) { return f == Format::json || f == Format::avro || f == Format::protobuf; }

struct ColumnSpec {
    std::string name;
    std::string type;
    bool ignored = false;
};

struct MappingSpec {
    std::vector<std::string> targets;  // "j1, j2" -> {"j1", "j2"}
    std::string expression;            // SQL over the input columns and the Kafka metadata
};

// Every field is optional: an omitted one falls back to libpq's environment (PGHOST, ~/.pgpass, ...).
struct DbSettings {
    std::optional<std::string> host, database, user, password, sslmode, sslcert, sslkey, sslrootcert;
    std::optional<int> port, connect_timeout;
    bool password_in_file = false;  // written in the config itself (not password_file/_env)
};

// format = "avro": where each message's writer schema comes from. The registry settings serve
// format = "protobuf" and "json" (JSON Schema) too.
struct AvroSettings {
    std::vector<std::string> registry_urls;  // Confluent wire format; tried in turn
    std::string user, password;              // HTTP basic auth (user empty: none)
    std::string ca_file;                     // https: the CA bundle (empty: the system's)
    std::string schema_file;                 // bare Avro binary with this schema (no registry)
    std::string schema_text;                 // schema_file's contents
};

// format = "protobuf" without a registry: plain Protobuf messages of one type from a .proto file.
struct ProtobufSettings {
    std::string file;     // the .proto file (its imports relative to its folder)
    std::string message;  // the message's full name, "shop.Order"
};

// kafka.input.envelope: what wraps the row in each message.
enum class Envelope { none, debezium };

struct Config {
    std::string path;
    DbSettings db;

    std::string brokers;
    std::vector<std::pair<std::string, std::string>> kafka_properties;  // passed to librdkafka unchanged

    Format format = Format::csv;
    std::string delimiter = ",";  // kafka.input.delimiter: one character or several
    std::string consumer_group;
    std::string topic;
    // Several topics in one job (kafka.input.topics, or topic_pattern): the job runs as one job per
    // topic (for_topic), each into the table output_table_template names from the topic.
    std::vector<std::string> topics;
    std::string topic_pattern;                      // ECMAScript, matched against the whole topic name
    std::shared_ptr<const std::regex> topic_regex;  // topic_pattern, compiled once
    std::string output_table_template;              // output_table as written, when it holds ${topic...}
    bool many_topics() const { return !topics.empty() || !topic_pattern.empty(); }
    bool takes_topic(const std::string& name) const;  // listed, or matched by the pattern
    // The job's topics among `names` (the brokers' topics); Error(no_topic) when a listed one is
    // missing.
    std::vector<std::string> job_topics(const std::vector<std::string>& names) const;
    // The job as it loads one of its topics: its topic, and its output table named from it.
    // Throws ConfigError when the name made is not a table name.
    Config for_topic(const std::string& name) const;
    std::optional<int> partition_num;
    std::optional<int> loaders;  // parallel loader threads; default chosen from the partition count
    // static: each process takes every partition, the database's offset locks keep overlapping
    // runs exact. group: each loader joins the consumer group and Kafka spreads the partitions
    // over every process of the job (scale-out across machines).
    bool group_assignment = false;
    // kafka.input.on_data_loss: what a load does when retention deleted messages it had not
    // loaded yet. stop: exit 9 before loading past the gap; skip: record the gap and go on.
    enum class OnDataLoss { stop, skip } on_data_loss = OnDataLoss::stop;
    std::vector<ColumnSpec> columns;
    AvroSettings avro;
    ProtobufSettings protobuf;
    Envelope envelope = Envelope::none;

    QualifiedName read_table;     // staging table: the input columns plus Kafka metadata
    QualifiedName write_table;    // outbox of `dgkafka publish` (empty: none)
    QualifiedName offset_table;   // current offsets: the source of truth for resuming
    QualifiedName history_table;  // one row per committed batch and partition
    QualifiedName output_table;
    QualifiedName reject_table;
    std::vector<MappingSpec> mappings;
    std::vector<std::string> field_columns;  // set when fields go to the columns of their names (no mappings)
    std::string filter;                      // SQL boolean expression; empty = keep every message
    // insert (default); merge: insert or update by match_columns; update: update matching rows only.
    enum class Mode { insert, merge, update } mode = Mode::insert;
    std::vector<std::string> match_columns;
    std::vector<std::string> update_columns;  // default: every target column not matched on
    std::string update_condition;             // SQL over "current" (the row) and "excluded" (the message)
    bool delete_on_tombstone = false;         // merge: a message without a value deletes its key's row
    // The output table follows the message schema: created from it when missing (create_table),
    // a column added for each field a later schema version adds (evolve). Never a drop or a type change.
    bool create_table = false;
    bool evolve = false;
    std::string before_load_sql;      // run once before loading starts
    std::string after_batch_sql;      // run after committed batches (e.g. SELECT rollup_http_request())
    double after_batch_interval = 0;  // seconds between runs of after_batch_sql; 0 = after every batch
    int append_shard_mb = 1024;       // an append-distributed Citus table's shard size before a new one
    // The offset history's retention of `load` rows, pruned by the load: the newest rows of each
    // partition (0: no count limit) and days (0: no age limit).
    int history_keep_rows = 10000;
    double history_keep_days = 30;

    // kafka.output.error_limit: rejected messages allowed, for the whole run (count) or per batch
    // (percent of its messages); past it the load stops and the batch is not committed.
    std::optional<int64_t> error_limit_count;
    std::optional<double> error_limit_percent;

    int max_row = 1000;
    double minimal_interval = -1;  // seconds; -1 = close the batch as soon as the queue is empty
    double retry_timeout = 60;     // seconds a -quit-at-eof load keeps retrying a lost server

    std::string metrics_address;  // HOST:PORT serving /metrics for load and publish; empty: none

    // [[kafka.output.targets]]: the job as each of its tables sees it, in order (each a Config
    // whose output keys are the target's, target_index set); the job's own output keys are the
    // first target's, so its offsets are stored under the first target's table. Empty: the job
    // writes one table, the one its own output keys name.
    std::vector<Config> targets;
    std::optional<size_t> target_index;  // set in each of `targets`
    // With targets: what becomes of a message no target's filter takes.
    enum class Unmatched { skip, reject, stop } unmatched = Unmatched::reject;
    // The tables the job writes: each target, or the job itself.
    std::vector<const Config*> outputs() const;

    std::vector<std::string> unused_keys;  // accepted for compatibility, e.g. the xdrive_* keys
    // Each key's line in the file ("kafka.output.mappings[0].key" -> 12), for problems found later.
    std::map<std::string, unsigned> key_lines;
    // "file:line: key" (or "file: key" when the key has no line), to start an error message; in a
    // target, its output keys are named as written ("kafka.output.targets[1].filter").
    std::string where(const std::string& key) const;
    std::string key_name(const std::string& key) const;

    std::vector<const ColumnSpec*> loaded_columns() const;
    // A mapping or the filter reads each message's headers (_headers).
    bool reads_headers() const;
    // Output table columns written by a load: the mapping targets, or else the loaded input columns.
    std::vector<std::string> target_columns() const;
    // Whether a mapping or the filter (of any target) names this identifier (a metadata column such as _key_bytes).
    bool references(std::string_view identifier) const;
};

// Problems found in a config file, each naming file, line and key: exit code 3.
class ConfigError : public Error {
  public:
    explicit ConfigError(std::vector<std::string> problems) : Error(Exit::config, std::move(problems)) {}
};

// Checks one kafka.properties key = value with the Kafka client (kafka::check_property): its
// error text, or nullopt when accepted. Given by the caller, so config needs no Kafka client.
using PropertyCheck = std::function<std::optional<std::string>(const std::string& key, const std::string& value)>;

// Without a check, every kafka.properties entry is taken as written.
Config load_config(const std::string& path, const PropertyCheck& check_property = {});
Config parse_config(const std::string& content, const std::string& path, const PropertyCheck& check_property = {});

}  // namespace dgkafka
