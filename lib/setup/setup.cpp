#include "setup/setup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "db/tables.hpp"
#include "load/sink/field_columns.hpp"
#include "load/sink/schema_follow.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace dgkafka::setup {

namespace {
struct ShapeColumn {
    std::string name, type;
    bool in_key = false;
};

std::vector<ShapeColumn> shape(pqxx::transaction_base& tx, const std::string& quoted) {
    std::vector<ShapeColumn> out;
    for (const auto& row : tx.exec_params(sql::render("table_shape", {}), quoted))
        out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>()});
    return out;
}

// How an existing table differs from the one `file` creates: the latter is made as a temporary
// table in a savepoint rolled back at once, so the schema files stay the only description.
std::vector<std::string> shape_problems(pqxx::dbtransaction& tx, const std::string& file,
                                        std::map<std::string, std::string> vars, const std::string& var,
                                        const QualifiedName& table) {
    const std::string probe = "pg_temp.\"dgkafka_shape\"";
    vars[var] = probe;
    std::vector<ShapeColumn> want;
    {
        pqxx::subtransaction sub(tx, "shape");
        sub.exec0(sql::render(file, vars));
        want = shape(sub, probe);
        sub.abort();
    }
    const auto have = shape(tx, table.quoted());
    std::vector<std::string> problems, key_want, key_have;
    auto find = [](const std::vector<ShapeColumn>& cols, const std::string& name) {
        return std::find_if(cols.begin(), cols.end(), [&](const ShapeColumn& c) { return c.name == name; });
    };
    for (const auto& w : want) {
        if (w.in_key) key_want.push_back(w.name);
        const auto h = find(have, w.name);
        if (h == have.end())
            problems.push_back(fmt::format("no column \"{}\" ({})", w.name, w.type));
        else if (h->type != w.type)
            problems.push_back(fmt::format("column \"{}\" is {}, not {}", w.name, h->type, w.type));
    }
    for (const auto& h : have) {
        if (h.in_key) key_have.push_back(h.name);
        if (find(want, h.name) == want.end()) problems.push_back(fmt::format("unexpected column \"{}\"", h.name));
    }
    std::sort(key_want.begin(), key_want.end());
    std::sort(key_have.begin(), key_have.end());
    if (key_want != key_have)
        problems.push_back(
            fmt::format("primary key ({}) instead of ({})", text::join(key_have, ", "), text::join(key_want, ", ")));
    return problems;
}

// The table's name for setup's report, with the schema search_path found it in when unqualified.
std::string placed(pqxx::transaction_base& tx, const QualifiedName& table) {
    if (!table.schema.empty()) return table.display();
    const auto rows = tx.exec_params(sql::render("table_schema", {}), table.quoted());
    return rows.empty() ? table.display()
                        : fmt::format("{} (in schema {})", table.display(), rows[0][0].as<std::string>());
}

// A table of the job: the schema file creating it and the variable naming it there.
struct JobTable {
    const char* file;
    const char* var;
    const QualifiedName* name;
};

std::vector<JobTable> job_tables(const Config& cfg) {
    std::vector<JobTable> out = {{"offset_table", "offset_table", &cfg.offset_table},
                                 {"offset_history", "history_table", &cfg.history_table},
                                 {"staging_table", "read_table", &cfg.read_table},
                                 {"reject_table", "reject_table", &cfg.reject_table}};
    if (!cfg.write_table.empty()) out.push_back({"write_table", "write_table", &cfg.write_table});
    return out;
}

// Offset tables of an earlier dgkafka get the output table in their key (schemas/offset_upgrade.sql).
void upgrade_offsets(pqxx::work& tx, const Config& cfg, const std::map<std::string, std::string>& vars,
                     std::ostream& out) {
    if (db::offset_tables_current(tx, cfg)) return;
    tx.exec_params(sql::render("offset_upgrade_args", {}), cfg.output_table.display(), cfg.offset_table.quoted(),
                   cfg.history_table.quoted());
    tx.exec0(sql::render("offset_upgrade", vars));
    out << fmt::format("upgraded: {} and {}: keyed by output table; the rows already there are {}'s\n",
                       cfg.offset_table.display(), cfg.history_table.display(), cfg.output_table.display());
}

// The history's index, when missing (schemas/history_index.sql).
void index_history(pqxx::work& tx, const Config& cfg, const std::map<std::string, std::string>& vars,
                   std::ostream& out) {
    const std::string index = db::history_index(cfg);
    const auto row = tx.exec_params1(sql::render("history_index_exists", {}), cfg.history_table.quoted(), index);
    if (row[0].as<bool>()) return;
    if (!row[1].as<bool>()) {  // not this role's to add: the job works without it, only slower to read
        out << fmt::format("note:    {} has no index {}: its owner's `dgkafka setup` adds it\n",
                           cfg.history_table.display(), index);
        return;
    }
    tx.exec0(sql::render("history_index", vars));
    out << fmt::format("created: index {} on {}\n", index, cfg.history_table.display());
}

// Reports each table that existed before as "exists" or says how it differs; throws if one does.
void check_shapes(pqxx::work& tx, const Config& cfg, const std::map<std::string, std::string>& vars,
                  const std::vector<JobTable>& existing, std::ostream& out) {
    std::vector<std::string> differ;
    for (const auto& t : existing) {
        const auto problems = shape_problems(tx, t.file, vars, t.var, *t.name);
        if (problems.empty()) {
            out << fmt::format("exists:  {}\n", placed(tx, *t.name));
            continue;
        }
        out << fmt::format("differs: {}: {}\n", t.name->display(), text::join(problems, "; "));
        differ.push_back(
            fmt::format("table {} is not the shape dgkafka needs: {}", t.name->display(), text::join(problems, "; ")));
    }
    if (!differ.empty())
        throw Error(Exit::config, fmt::format("{}\n(fix or drop them, then run `dgkafka setup {}` again)",
                                              text::join(differ, "\n"), cfg.path));
}

// Each input column's type, in a savepoint: a misspelt one is the config's fault, named.
void check_column_types(pqxx::work& tx, const Config& cfg) {
    for (size_t i = 0; i < cfg.columns.size(); ++i) {
        try {
            pqxx::subtransaction sub(tx, "column_type");
            sub.exec("SELECT CAST(NULL AS " + cfg.columns[i].type + ")");
            sub.commit();
        } catch (const pqxx::sql_error& e) {
            throw Error(Exit::config, fmt::format("{}: \"{}\" is not a PostgreSQL type: {}",
                                                  cfg.where(fmt::format("kafka.input.columns[{}].type", i)),
                                                  cfg.columns[i].type, text::trim(e.what())));
        }
    }
}
// kafka.output.create_table / evolve: the table made to follow the schema registered for the
// topic (or the local one); true when it did. A schema known only from messages waits for the load.
bool follow_schema(pqxx::work& tx, const Config& cfg, std::ostream& changed) {
    if (!cfg.create_table && !cfg.evolve) return false;
    const auto schema = load::known_schema(cfg);
    if (!schema) {
        changed << fmt::format(
            "note:    {}: no schema registered for topic {} (subject {}-value) yet: the next setup or load after "
            "a producer registers one follows it\n",
            cfg.output_table.display(), cfg.topic, cfg.topic);
        return false;
    }
    load::follow(tx, cfg, *schema, changed);
    return true;
}
}  // namespace

void run_setup(const Config& job, std::ostream& out) {
    // Output tables named from each topic are checked by each topic's load at its start.
    const bool per_topic = !job.output_table_template.empty();
    const Config cfg = per_topic ? job : load::with_field_columns(job);  // reads the output table
    auto conn = db::connect(cfg.db, "dgkafka setup");
    const auto vars = db::table_vars(cfg);
    db::guarded("setup failed", [&] {
        pqxx::work tx(*conn);
        tx.exec(sql::render("setup_lock", {}));
        check_column_types(tx, cfg);
        std::ostringstream changed;  // created/upgraded: said once committed, never for a rollback
        std::vector<JobTable> existing;
        for (const auto& t : job_tables(cfg)) {
            // Left alone: its owner may be another role (CREATE INDEX IF NOT EXISTS is the owner's too).
            if (db::table_exists(tx, *t.name)) {
                existing.push_back(t);
                continue;
            }
            tx.exec0(sql::render(t.file, vars));  // names what search_path resolves: as table_exists looked
            changed << fmt::format("created: {}\n", placed(tx, *t.name));
        }
        upgrade_offsets(tx, cfg, vars, changed);
        index_history(tx, cfg, vars, changed);
        check_shapes(tx, cfg, vars, existing, out);
        db::require_setup(tx, cfg);
        if (per_topic) {
            tx.commit();
            out << changed.str()
                << fmt::format(
                       "note:    output tables are named from each topic (output_table = \"{}\"): each is "
                       "checked when its topic's load starts\n",
                       job.output_table_template);
            return;
        }
        // The output table follows the producers' schema: read again once created or evolved.
        const Config followed = follow_schema(tx, job, changed) ? load::with_field_columns(job, tx) : cfg;
        // Each output table ([[kafka.output.targets]]): ready, not created yet, or its problems.
        std::vector<std::string> problems, lines;
        for (const auto* target : followed.outputs()) {
            const auto found = db::output_table_problems(tx, *target);
            if (found.empty())
                lines.push_back(
                    fmt::format("ready:   output table {} has every target column\n", target->output_table.display()));
            else if (!db::table_exists(tx, target->output_table))  // the spec's order: setup, then CREATE TABLE
                lines.push_back(
                    fmt::format("note:    output table {} does not exist yet: create it before "
                                "`dgkafka load`\n",
                                target->output_table.display()));
            else
                problems.insert(problems.end(), found.begin(), found.end());
        }
        tx.commit();
        out << changed.str();
        for (const auto& l : lines) out << l;
        if (!problems.empty()) throw Error(Exit::config, text::join(problems, "\n"));
    });
}

}  // namespace dgkafka::setup
