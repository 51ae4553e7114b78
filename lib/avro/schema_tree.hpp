#pragma once
// What dgkafka needs to know about an Avro schema beyond what avro-c exposes: each position's kind
// and logical type (avro-c 1.11 knows no logical types; Kafka Connect's converter names Debezium's
// types in "connect.name"), in avro-c's index order (record fields,
// union branches, array items, map values), taken from the schema's JSON once avro-c accepted it.
#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace dgkafka::avro {

struct Node {
    enum class Kind {
        null,
        boolean,
        int32,
        int64,
        float32,
        float64,
        bytes,
        string,
        record,
        enumeration,
        array,
        map,
        union_,
        fixed
    } kind = Kind::null;
    enum class Logical {
        none,
        decimal,
        date,
        time_millis,
        time_micros,
        ts_millis,
        ts_micros,
        local_ts_millis,
        local_ts_micros,
        // Kafka Connect's and Debezium's types, named by the schema's "connect.name"
        time_nanos,
        local_ts_nanos,
        variable_decimal,  // io.debezium.data.VariableScaleDecimal: a record {scale, value}
        bits,              // io.debezium.data.Bits: little-endian bytes of `size` bits
        json_text          // io.debezium.data.Json: a string holding JSON
    } logical = Logical::none;
    int scale = 0;
    int64_t size = 0;  // fixed: its size; enum: its symbol count; bits: the bit count
    std::string name;  // named types
    std::vector<const Node*> children;
};

// A schema's nodes; named types are shared, so a recursive schema is a graph.
class SchemaTree {
  public:
    // Throws std::invalid_argument when the JSON is not a schema (avro-c has usually said so
    // first).
    explicit SchemaTree(const nlohmann::json& schema);
    SchemaTree(SchemaTree&&) = default;
    SchemaTree& operator=(SchemaTree&&) = default;

    const Node& root() const { return *root_; }

    // The name of a record whose every value contains itself (no null, array or map branch to end
    // on): no finite message holds one, and avro-c recurses for ever on it. Empty when none.
    std::string endless_record() const;

  private:
    const Node* build(const nlohmann::json& j, const std::string& ns);
    const Node* primitive_or_named(const std::string& name, const std::string& ns);
    Node* make(Node::Kind kind);

    std::deque<Node> nodes_;
    std::map<std::string, Node*> named_;
    const Node* root_ = nullptr;
};

}  // namespace dgkafka::avro
