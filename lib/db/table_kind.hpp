#pragma once
// What kind of table a load writes to: a plain PostgreSQL table, or one Citus spreads over its
// nodes. A Citus table loads as a plain one except where the cluster behaves differently:
// its COPY reports a shard's error without the shard's SQLSTATE (as XX000), merge and update
// must match on the distribution column, and an append-distributed table takes no plain COPY.
#include <cstdint>
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "vocabulary/ident.hpp"

namespace dgkafka::db {

struct TableKind {
    enum class Kind {
        plain,        // PostgreSQL's own (also on a Citus coordinator, not yet distributed)
        citus_local,  // added to Citus metadata, kept on the coordinator
        distributed,  // hash-distributed over the workers' shards
        reference,    // a copy on every node
        append,       // append- or range-distributed: rows go to a shard named when loading
    };
    Kind kind = Kind::plain;
    std::string distribution_column;  // distributed and append: the column deciding each row's shard
    int64_t shards = 0;
    int64_t nodes = 0;  // holding its shards

    bool citus() const { return kind != Kind::plain; }
    // "local", "citus_local", "distributed", "reference", "append" (check -json)
    const char* name() const;
    // "distributed by customer_id (32 shards on 2 nodes)", "reference (on 3 nodes)", "local", ...
    std::string describe() const;
};

// Reads it from the catalogs (Citus's when the extension is installed).
TableKind read_table_kind(pqxx::transaction_base& tx, const QualifiedName& table);

// What a load of `table` in merge or update mode matching on `match_columns` and changing
// `updated_columns` cannot do there, each problem with `where(key)` in front: on a distributed
// table every statement must name the distribution column, and no statement may change it.
// Empty for insert mode (`keyed` false) and for tables that are not distributed.
std::vector<std::string> keyed_write_problems(const TableKind& kind, const QualifiedName& table, bool keyed,
                                              const std::vector<std::string>& match_columns,
                                              const std::vector<std::string>& updated_columns,
                                              const std::function<std::string(const std::string&)>& where);

}  // namespace dgkafka::db
