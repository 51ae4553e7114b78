#include "db/tables.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/params.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace dgkafka::db {

std::map<std::string, std::string> table_vars(const Config& cfg) {
    std::vector<std::string> defs, input_defs;
    for (const auto* c : cfg.loaded_columns()) defs.push_back(quote_ident(c->name) + " " + c->type);
    for (const auto& c : cfg.columns) input_defs.push_back(quote_ident(c.name) + " " + c.type);
    return {
        {"input_column_definitions", text::join(input_defs, ",\n    ")},
        {"offset_table", cfg.offset_table.quoted()},
        {"history_table", cfg.history_table.quoted()},
        {"history_index", quote_ident(cfg.history_table.name + "_by_partition")},
        {"read_table", cfg.read_table.quoted()},
        {"reject_table", cfg.reject_table.quoted()},
        {"write_table", cfg.write_table.empty() ? "" : cfg.write_table.quoted()},
        {"output_table", cfg.output_table.quoted()},
        {"column_definitions", text::join(defs, ",\n    ")},
    };
}

bool table_exists(pqxx::transaction_base& tx, const QualifiedName& table) {
    return tx.exec_params1(sql::render("table_exists", {}), table.quoted())[0].as<bool>();
}

std::vector<std::string> table_columns(pqxx::transaction_base& tx, const QualifiedName& table) {
    std::vector<std::string> out;
    for (const auto& row : tx.exec_params(sql::render("table_columns", {}), table.quoted()))
        out.push_back(row[0].as<std::string>());
    return out;
}

namespace {
std::vector<std::string> staging_columns(const Config& cfg) {
    std::vector<std::string> out;
    for (const auto* c : cfg.loaded_columns()) out.push_back(c->name);
    for (const char* meta : {"_key", "_partition", "_offset", "_timestamp"}) out.emplace_back(meta);
    return out;
}
}  // namespace

std::vector<std::string> output_table_problems(pqxx::transaction_base& tx, const Config& cfg) {
    const auto have = table_columns(tx, cfg.output_table);
    if (have.empty())
        return {fmt::format("output table {} does not exist: create it before loading (kafka.output.output_table)",
                            cfg.output_table.display())};
    std::vector<std::string> problems;
    const char* source = cfg.mappings.empty() ? "kafka.input.columns" : "kafka.output.mappings";
    for (const auto& col : cfg.target_columns())
        if (std::find(have.begin(), have.end(), col) == have.end())
            problems.push_back(fmt::format("output table {} has no column \"{}\" (named in {}); its columns are: {}",
                                           cfg.output_table.display(), col, source, text::join(have, ", ")));
    if (problems.empty() && cfg.mode == Config::Mode::merge &&
        !tx.exec_params1(sql::render("unique_index_check", {}), cfg.output_table.quoted(),
                         pg_array(cfg.match_columns))[0].as<bool>()) {
        std::vector<std::string> quoted;
        for (const auto& m : cfg.match_columns) quoted.push_back(quote_ident(m));
        problems.push_back(fmt::format("mode = \"merge\" needs a unique index or primary key on exactly ({}) of {}: "
                                       "CREATE UNIQUE INDEX ON {} ({})",
                                       text::join(cfg.match_columns, ", "), cfg.output_table.display(),
                                       cfg.output_table.quoted(), text::join(quoted, ", ")));
    }
    return problems;
}

void require_setup(pqxx::transaction_base& tx, const Config& cfg) {
    for (const auto* t : {&cfg.offset_table, &cfg.history_table, &cfg.read_table, &cfg.reject_table})
        if (!table_exists(tx, *t))
            throw Error(Exit::not_set_up, fmt::format("table {} does not exist: run `dgkafka setup {}` first",
                                                      t->display(), cfg.path));
    const auto expected = staging_columns(cfg);
    const auto have = table_columns(tx, cfg.read_table);
    if (have != expected)
        throw Error(Exit::not_set_up,
                    fmt::format("staging table {} has columns ({}) but kafka.input.columns needs ({}): "
                                "drop it and run `dgkafka setup {}` again",
                                cfg.read_table.display(), text::join(have, ", "), text::join(expected, ", "),
                                cfg.path));
}

void setup(const Config& cfg, std::ostream& out) {
    auto conn = connect(cfg.db, "dgkafka setup");
    const auto vars = table_vars(cfg);
    try {
        pqxx::work tx(*conn);
        const std::vector<std::pair<const char*, const QualifiedName*>> tables = {
            {"offset_table", &cfg.offset_table},
            {"offset_history", &cfg.history_table},
            {"staging_table", &cfg.read_table},
            {"reject_table", &cfg.reject_table},
        };
        auto all = tables;
        if (!cfg.write_table.empty()) all.push_back({"write_table", &cfg.write_table});
        for (const auto& [file, name] : all) {
            const bool existed = table_exists(tx, *name);
            tx.exec0(sql::render(file, vars));
            out << fmt::format("{} {}\n", existed ? "exists: " : "created:", name->display());
        }
        require_setup(tx, cfg);
        const auto problems = output_table_problems(tx, cfg);
        const bool output_exists = table_exists(tx, cfg.output_table);
        tx.commit();
        if (problems.empty()) {
            out << fmt::format("ready:   output table {} has every target column\n", cfg.output_table.display());
            return;
        }
        if (!output_exists) {  // the spec's order: setup first, then CREATE TABLE
            out << fmt::format("note:    output table {} does not exist yet: create it before `dgkafka load`\n",
                               cfg.output_table.display());
            return;
        }
        throw Error(Exit::config, text::join(problems, "\n"));
    } catch (const pqxx::sql_error& e) {
        throw Error(Exit::database, "setup failed: " + describe(e));
    }
}

}  // namespace dgkafka::db
