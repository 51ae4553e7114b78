#include "load/sink/statements.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "db/tables.hpp"
#include "load/sink/json_pushdown.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"
#include "vocabulary/ident.hpp"

namespace dgkafka::load {

namespace {
// The table's rules as one condition a row passes; a rule that yields NULL lets it pass, as a CHECK does.
std::string rules_condition(const std::vector<std::string>& row_rules) {
    std::vector<std::string> rules;
    for (const auto& r : row_rules) rules.push_back("COALESCE((" + r + "), true)");
    return rules.empty() ? "true" : text::join(rules, " AND ");
}
}  // namespace

namespace {
// The move of one output table's rows from the staging table, and the variables it was rendered
// with (the slow path's functions use them too).
struct StagedMove {
    TargetMove move;
    std::string file;  // the schemas/ file of the move
    std::map<std::string, std::string> vars;
};

StagedMove staged_move(const Config& cfg, const db::OutputTable& table, const JsonPushdown::Target& rewritten,
                       const std::vector<std::string>& loaded, std::map<std::string, std::string> vars) {
    std::vector<std::string> targets;
    for (const auto& t : cfg.target_columns()) targets.push_back(quote_ident(t));
    auto expressions = cfg.mappings.empty() ? loaded : rewritten.expressions;
    for (size_t i = 0; i < table.casts.size() && i < expressions.size(); ++i)
        if (!table.casts[i].empty()) expressions[i] = "CAST((" + expressions[i] + ") AS " + table.casts[i] + ")";
    vars["output_table"] = cfg.output_table.quoted();
    vars["target_columns"] = text::join(targets, ", ");
    vars["expressions"] = text::join(expressions, ", ");
    vars["filter"] = rewritten.filter.empty() ? "true" : rewritten.filter;
    if (cfg.mode != Config::Mode::insert) {
        std::vector<std::string> match, assignments, conditions;
        for (const auto& m : cfg.match_columns) {
            match.push_back(quote_ident(m));
            conditions.push_back("\"current\"." + quote_ident(m) + " = \"excluded\"." + quote_ident(m));
        }
        auto updated = cfg.update_columns;
        if (updated.empty())
            for (const auto& t : cfg.target_columns())
                if (std::find(cfg.match_columns.begin(), cfg.match_columns.end(), t) == cfg.match_columns.end())
                    updated.push_back(t);
        for (const auto& u : updated) assignments.push_back(quote_ident(u) + " = \"excluded\"." + quote_ident(u));
        if (assignments.empty()) assignments = conditions;  // every column is a key: nothing to change
        vars["match_columns"] = text::join(match, ", ");
        vars["match_condition"] = text::join(conditions, " AND ");
        vars["update_assignments"] = text::join(assignments, ", ");
        vars["update_condition"] = cfg.update_condition.empty() ? "true" : cfg.update_condition;
    }
    const bool deletes = cfg.envelope != Envelope::none || cfg.delete_on_tombstone;
    StagedMove out;
    out.file = cfg.mode == Config::Mode::merge    ? (deletes ? "stage_merge_delete" : "stage_merge")
               : cfg.mode == Config::Mode::update ? "stage_update"
                                                  : "stage_insert";
    // update_condition: round r moves the r-th message of each key (move_staged); a refused
    // batch is then isolated from the client (BatchWriter), never by the server-side walk.
    out.move.rounds = cfg.mode != Config::Mode::insert && !deletes && !cfg.update_condition.empty();
    const char* rounds = cfg.mode == Config::Mode::merge ? "stage_merge_rounds" : "stage_update_rounds";
    out.move.insert = sql::render(out.move.rounds ? rounds : out.file, vars);
    out.move.table = cfg.output_table.display();
    out.move.kind = table.kind;
    vars["inserted"] = deletes ? "\"_dgkafka_op\" = 'u'" : "true";  // deletes and skips write no row
    out.vars = std::move(vars);
    return out;
}
}  // namespace

LoadStatements LoadStatements::build(const Config& job, const std::vector<db::OutputTable>& tables) {
    const auto outputs = job.outputs();
    LoadStatements s;
    s.target = tables.front().kind;
    for (const auto& t : tables)
        if (t.kind.citus()) s.target = t.kind;
    const auto& first = tables.front();
    const Config& cfg = *outputs.front();
    s.direct = outputs.size() == 1 && !first.copy_unfaithful && cfg.mappings.empty() && cfg.filter.empty() &&
               cfg.mode == Config::Mode::insert;
    s.session_setup = sql::render("session_setup", {});
    if (s.target.citus()) {
        s.citus_setup = sql::render("session_citus", {});
        s.citus_health = sql::render("citus_nodes_healthy", {});
    }
    s.batch_setup = sql::render("batch_setup", {});
    if (!job.field_columns.empty())
        for (size_t i = 0; i < job.mappings.size() && i < first.casts.size(); ++i)
            if (!first.casts[i].empty() && job.mappings[i].targets.size() == 1)
                s.field_types[job.mappings[i].targets.front()] = first.casts[i];
    std::vector<std::string> loaded;
    for (const auto* c : job.loaded_columns()) loaded.push_back(quote_ident(c->name));
    const bool append = first.kind.kind == db::TableKind::Kind::append;
    if (s.direct) {
        s.copy_table = cfg.output_table.quoted();
        s.copy_columns = loaded;
        if (append)
            s.append_copy = s.copy_table + " (" + text::join(loaded, ", ") + ") FROM STDIN WITH (append_to_shard ";
        auto vars = db::table_vars(cfg);
        vars["target_columns"] = vars["expressions"] = text::join(loaded, ", ");
        vars["filter"] = vars["inserted"] = "true";
        const auto calls = s.add_refused(vars, "stage_insert", text::join(loaded, ", "), cfg.output_table.quoted(),
                                         first.row_rules, first.kind, "");
        s.refused_walk = calls.walk;
        s.refused_move = calls.move;
        // A Citus COPY runs the WHERE on the coordinator but hides the shards' errors: no aside.
        if (!first.row_rules.empty() && !first.kind.citus()) s.add_aside(first.row_rules);
        return s;
    }
    const auto pushdown = JsonPushdown::plan(job);
    s.json_members = pushdown.members;
    s.json_document = pushdown.document_needed;
    s.copy_table = "pg_temp.\"dgkafka_stage\"";
    if (s.json_document) s.copy_columns = loaded;
    for (size_t i = 0; i < pushdown.members.size(); ++i) {
        s.copy_columns.push_back(JsonPushdown::column(i));
        if (pushdown.jsonb) s.copy_columns.push_back(JsonPushdown::json_column(i));
    }
    std::string extra_columns = pushdown.stage_columns();
    if (job.envelope != Envelope::none || job.delete_on_tombstone) {  // each row's event: upsert, delete, skip
        s.copy_columns.push_back(quote_ident("_dgkafka_op"));
        extra_columns += ", \"_dgkafka_op\" \"char\"";
    }
    if (job.reads_headers()) {
        s.copy_columns.push_back(quote_ident("_headers"));
        extra_columns += ", \"_headers\" jsonb";
    }
    for (const char* meta : {"_key", "_partition", "_offset", "_timestamp"})
        s.copy_columns.push_back(quote_ident(meta));
    if (job.references("_key_bytes")) {  // the key as bytea, for keys that are not text
        s.copy_columns.push_back(quote_ident("_key_bytes"));
        extra_columns += ", \"_key_bytes\" bytea";
    }

    auto vars = db::table_vars(job);
    vars["stage_extra_columns"] = extra_columns;
    vars["stage"] = "pg_temp.\"dgkafka_stage\"";
    s.stage_create = sql::render("stage_create", vars);
    s.stage_clear = sql::render("stage_clear", vars);
    std::vector<StagedMove> moves;
    std::vector<std::string> taken;
    for (size_t i = 0; i < outputs.size(); ++i) {
        moves.push_back(staged_move(*outputs[i], tables[i], pushdown.targets[i], loaded, vars));
        s.moves.push_back(moves.back().move);
        taken.push_back("COALESCE((" + moves.back().vars["filter"] + "), false)");
    }
    if (outputs.size() > 1 &&
        std::none_of(outputs.begin(), outputs.end(), [](const Config* t) { return t->filter.empty(); }))
        s.unmatched = sql::render("stage_unmatched", {{"taken", text::join(taken, " OR ")}});
    if (append) {
        s.append_copy = cfg.output_table.quoted() + " (" + moves.front().vars["target_columns"] +
                        ") FROM STDIN WITH (append_to_shard ";
        s.stage_select = sql::render("stage_select", moves.front().vars);
    }
    // The server-side walk of a refused batch, for each output table (its functions named apart),
    // but those moved in rounds.
    for (size_t i = 0; i < moves.size(); ++i) {
        if (moves[i].move.rounds) continue;
        const auto calls =
            s.add_refused(moves[i].vars, moves[i].file, "*", "pg_temp.\"dgkafka_stage\"", tables[i].row_rules,
                          tables[i].kind, moves.size() > 1 ? "_" + std::to_string(i + 1) : "");
        s.moves[i].refused_walk = calls.walk;
        s.moves[i].refused_move = calls.move;
    }
    return s;
}

void LoadStatements::add_aside(const std::vector<std::string>& rules) {
    const auto columns = text::join(copy_columns, ", ");
    // pqxx 6.4's tablewriter only sends "COPY <table> FROM STDIN": the WHERE rides in the table's
    // name, and the FROM STDIN appended after it is a comment.
    aside_copy = copy_table + " (" + columns + ") FROM STDIN WHERE " +
                 sql::render("refused_aside", {{"rules", rules_condition(rules)}, {"row_columns", columns}}) + "\n--";
    row_rules = rules;
    aside_start = sql::render("refused_aside_start", {});
    aside_count = sql::render("refused_count", {});
    tried_aside = sql::render("refused_tried_aside", {});
}

auto LoadStatements::add_refused(std::map<std::string, std::string> vars, const std::string& move,
                                 const std::string& row_columns, const std::string& row_source,
                                 const std::vector<std::string>& rules, const db::TableKind& kind,
                                 const std::string& suffix) -> RefusedCalls {
    refused_table = "pg_temp.\"dgkafka_rows\"";
    refused_columns = {quote_ident("_dgkafka_n")};
    refused_columns.insert(refused_columns.end(), copy_columns.begin(), copy_columns.end());
    std::vector<std::string> refusals;
    for (const auto& c : db::data_classes()) refusals.push_back("'" + c + "'");
    // The move of rows [dgkafka_lo, dgkafka_hi), marked or not (see refused_create.sql).
    const auto move_rows = [&](const std::string& mark) {
        vars["stage"] = sql::render("refused_stage", {{"mark", mark}});
        auto statement = sql::render(move, vars);
        while (!statement.empty() &&
               (statement.back() == ';' || std::isspace(static_cast<unsigned char>(statement.back()))))
            statement.pop_back();  // it ends a statement of the function
        // A plain INSERT ... SELECT into a Citus table is a COPY to its shards, hiding their
        // SQLSTATEs; merge and update (ON CONFLICT, UPDATE ... FROM) keep them as they are.
        const bool citus_copy = kind.citus() && move == "stage_insert";
        return sql::render(citus_copy ? "refused_counted_citus" : "refused_counted", {{"move", statement}});
    };
    vars["move"] = move_rows("pg_catalog.setval('pg_temp.\"dgkafka_mark\"', \"_dgkafka_n\") >= 0");
    vars["move_unmarked"] = move_rows("true");
    vars["row_columns"] = row_columns;
    vars["row_source"] = row_source;
    vars["refusals"] = "ARRAY[" + text::join(refusals, ", ") + "]";
    vars["try_marked"] = sql::render("refused_try", {{"move", vars["move"]}, {"refusals", vars["refusals"]}});
    vars["try_unmarked"] =
        sql::render("refused_try", {{"move", vars["move_unmarked"]}, {"refusals", vars["refusals"]}});
    vars["rules"] = rules_condition(rules);
    vars["suspects"] = rules.empty() ? "NULL" : "(" + sql::render("refused_suspects", vars) + ")";
    vars["target"] = suffix;
    if (!stage_create.empty()) stage_create += ";\n";
    stage_create += sql::render("refused_create", vars);
    return {sql::render("refused_walk", {{"target", suffix}}), sql::render("refused_move", {{"target", suffix}})};
}

// What the load must know of each output table; an append-distributed Citus table takes only a
// COPY naming its shard, so it is a job's only table.
std::vector<db::OutputTable> read_output_tables(pqxx::dbtransaction& tx, const Config& cfg) {
    std::vector<db::OutputTable> out;
    for (const auto* target : cfg.outputs()) {
        out.push_back(db::read_output_table(tx, *target));
        if (cfg.targets.size() > 1 && out.back().kind.kind == db::TableKind::Kind::append)
            throw Error(Exit::config,
                        fmt::format("{}: {} is {}, which takes rows only by a COPY naming its shard: it cannot be one "
                                    "of several targets (load it with a job of its own)",
                                    target->where("kafka.output.output_table"), target->output_table.display(),
                                    out.back().kind.describe()));
    }
    return out;
}

}  // namespace dgkafka::load
