#pragma once
// The SQL one batch runs, built once from the config.
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/output_table.hpp"

namespace dgkafka::load {

// One output table's move from the staging table into it (the staged path).
struct TargetMove {
    std::string table;   // as the config names it, for messages
    db::TableKind kind;  // how its errors read (db::classify)
    std::string insert;  // INSERT ... SELECT (or merge, update) through its mappings and filter
    // update_condition (merge, update): `insert` runs once per round, $1 the round (move_staged).
    bool rounds = false;
    // A refused batch: the calls of its functions that walk and move the numbered rows into this
    // table (LoadStatements::refused_table); empty with rounds (runs tried from the client).
    std::string refused_walk, refused_move;
};

struct LoadStatements {
    // The output table's kind: how its errors read (db::classify); of several, a Citus one's.
    db::TableKind target;
    // One output table, no mappings and no filter: COPY straight into it, no staging step.
    bool direct = false;
    std::string copy_table;                 // quoted COPY target
    std::vector<std::string> copy_columns;  // quoted
    std::string stage_create;               // once per loader connection: the staging tables
    std::vector<TargetMove> moves;          // staging path: each output table's, in order
    // Several output tables, each with a filter: the staged rows none takes (their _partition and
    // _offset); empty when some table takes every row.
    std::string unmatched;
    std::string stage_clear;    // staging path only
    std::string session_setup;  // once per loader connection
    std::string citus_setup;    // then, for a Citus table: its sessions' defaults
    std::string citus_health;   // a Citus table: whether its nodes reach each other
    // A refused batch, written again server-side (schemas/refused_create.sql): its COPY target
    // and columns (a row number, then copy_columns); each output table's functions that move its
    // rows are its TargetMove's, the direct path's these:
    std::string refused_table;
    std::vector<std::string> refused_columns;
    std::string refused_walk;  // $1 first row, $2 last row (numbered from 1)
    std::string refused_move;  // $1 first row, $2 end row, $3 keep
    // Direct loads into a table with row rules (CHECK, NOT NULL): the COPY that sets the rows
    // breaking them aside (schemas/refused_aside.sql), as tablewriter's table name; empty when
    // there are none. aside_start before it, then aside_count and tried_aside after it.
    std::string aside_copy;
    std::vector<std::string> row_rules;  // the rules aside_copy tests, as read at start
    std::string aside_start;
    std::string aside_count;
    std::string tried_aside;
    // An append-distributed Citus table (target.kind is append): its COPY names a shard
    // (append_copy, then the shard's id and a closing parenthesis), as tablewriter's table name;
    // a staged batch is selected (stage_select, a COPY ... TO STDOUT) and copied into it.
    std::string append_copy;
    std::string stage_select;
    std::string batch_setup;  // first in each batch's transaction
    // Fields to columns (Config::field_columns): each column whose type the field's text is cast
    // to (db::mapping_casts), by name: what a refused row's reject explains (DebeziumHints).
    std::map<std::string, std::string> field_types;
    std::vector<std::string> json_members;  // JSON members dgkafka stages itself (JsonPushdown)
    bool json_document = true;              // the JSON document is staged too

    // tables: what the load knows of each output table (job.outputs(), in order). Its BEFORE
    // INSERT triggers or INSERT rules (copy_unfaithful) send the rows through staging, whose
    // INSERT counts and diverts them as the table does; its row rules are what the walk of a
    // refused batch looks for first.
    static LoadStatements build(const Config& job, const std::vector<db::OutputTable>& tables);

  private:
    // The slow path's table and one output table's functions (their names end in `suffix`);
    // `move` names the schemas/ file of the batch's move. Returns the calls of the functions.
    struct RefusedCalls {
        std::string walk, move;
    };
    RefusedCalls add_refused(std::map<std::string, std::string> vars, const std::string& move,
                             const std::string& row_columns, const std::string& row_source,
                             const std::vector<std::string>& rules, const db::TableKind& target,
                             const std::string& suffix);
    // A direct load's COPY that sets rows breaking `rules` aside (aside_copy and the rest).
    void add_aside(const std::vector<std::string>& rules);
};

// What the load must know of each output table (job.outputs(), in order), as build() takes it.
// Throws Error(config) for an append-distributed Citus table that is one of several targets.
std::vector<db::OutputTable> read_output_tables(pqxx::dbtransaction& tx, const Config& job);

}  // namespace dgkafka::load
