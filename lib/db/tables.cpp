#include "db/tables.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "db/embedded_sql.hpp"
#include "db/params.hpp"
#include "db/table_kind.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace dgkafka::db {

std::string history_index(const Config& cfg) { return cfg.history_table.name + "_by_partition"; }

std::map<std::string, std::string> table_vars(const Config& cfg) {
    std::vector<std::string> defs, input_defs;
    for (const auto* c : cfg.loaded_columns()) defs.push_back(quote_ident(c->name) + " " + c->type);
    for (const auto& c : cfg.columns) input_defs.push_back(quote_ident(c.name) + " " + c.type);
    return {
        {"input_column_definitions", text::join(input_defs, ",\n    ")},
        {"offset_table", cfg.offset_table.quoted()},
        {"history_table", cfg.history_table.quoted()},
        {"history_index", quote_ident(history_index(cfg))},
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

std::vector<std::string> row_rules(pqxx::transaction_base& tx, const QualifiedName& table,
                                   const std::vector<std::string>& columns) {
    std::vector<std::string> out;
    for (const auto& row : tx.exec_params(sql::render("row_rules", {}), table.quoted(), pg_array(columns)))
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
        return {fmt::format("output table {} does not exist: create it before loading ({})", cfg.output_table.display(),
                            cfg.key_name("kafka.output.output_table"))};
    std::vector<std::string> problems;
    const auto source = cfg.key_name(cfg.mappings.empty() ? "kafka.input.columns" : "kafka.output.mappings");
    for (const auto& col : cfg.target_columns())
        if (std::find(have.begin(), have.end(), col) == have.end())
            problems.push_back(fmt::format("output table {} has no column \"{}\" (named in {}); its columns are: {}",
                                           cfg.output_table.display(), col, source, text::join(have, ", ")));
    if (!problems.empty()) return problems;
    const bool keyed = cfg.mode != Config::Mode::insert;
    problems = keyed_write_problems(read_table_kind(tx, cfg.output_table), cfg.output_table, keyed, cfg.match_columns,
                                    cfg.update_columns, [&](const std::string& key) { return cfg.where(key); });
    if (problems.empty() && cfg.mode == Config::Mode::merge &&
        !tx.exec_params1(sql::render("unique_index_check", {}), cfg.output_table.quoted(),
                         pg_array(cfg.match_columns))[0]
             .as<bool>()) {
        std::vector<std::string> quoted;
        for (const auto& m : cfg.match_columns) quoted.push_back(quote_ident(m));
        problems.push_back(
            fmt::format("mode = \"merge\" needs a unique index or primary key on exactly ({}) of {}: "
                        "CREATE UNIQUE INDEX ON {} ({})",
                        text::join(cfg.match_columns, ", "), cfg.output_table.display(), cfg.output_table.quoted(),
                        text::join(quoted, ", ")));
    }
    return problems;
}

// Offset tables written before the resume key held the output table lack these columns.
bool offset_tables_current(pqxx::transaction_base& tx, const Config& cfg) {
    const auto offsets = table_columns(tx, cfg.offset_table);
    const auto history = table_columns(tx, cfg.history_table);
    auto has = [](const std::vector<std::string>& cols, const char* c) {
        return std::find(cols.begin(), cols.end(), c) != cols.end();
    };
    return has(offsets, "output_table") && has(offsets, "group_offset") && has(history, "output_table");
}

void require_current_offset_tables(pqxx::transaction_base& tx, const Config& cfg) {
    if (!offset_tables_current(tx, cfg))
        throw Error(Exit::not_set_up,
                    fmt::format("offset tables {} and {} have an earlier shape (no output table in the resume key): "
                                "run `dgkafka setup {}` to bring them forward",
                                cfg.offset_table.display(), cfg.history_table.display(), cfg.path));
}

namespace {
// Spellings of the output table under which this job's offsets are stored in `offsets` ("own": the
// job's offset table, where its own spelling is expected).
struct StoredSpelling {
    std::string name;
    bool resolves;  // names a table under this session's search_path
};

std::vector<StoredSpelling> stored_spellings(pqxx::transaction_base& tx, const Config& cfg, const std::string& offsets,
                                             bool own) {
    auto vars = table_vars(cfg);
    vars["offset_table"] = offsets;
    std::vector<StoredSpelling> out;
    for (const auto& row :
         tx.exec_params(sql::render("offsets_aliases", vars), cfg.consumer_group, cfg.topic, cfg.output_table.display(),
                        cfg.output_table.quoted(), own, cfg.output_table.name))
        out.push_back({row[0].as<std::string>(), row[1].as<bool>()});
    return out;
}

// A stored name without a schema that names no table here was written under another search_path.
std::string written_elsewhere(const StoredSpelling& stored) {
    if (stored.resolves) return "";
    return fmt::format(
        " (a name without a schema that names no table under this session's search_path: it was "
        "written under another search_path, where \"{}\" may be this table)",
        stored.name);
}

// Offsets are keyed by the output table as the config writes it: the same table written another
// way ("public.t" for "t") would load every message again.
void refuse_other_spelling(pqxx::transaction_base& tx, const Config& cfg) {
    const auto stored = stored_spellings(tx, cfg, cfg.offset_table.quoted(), true);
    if (stored.empty()) return;
    throw Error(Exit::config, fmt::format("{}: kafka.output.output_table = \"{}\" is the table whose offsets (consumer "
                                          "group {}, topic {}) are stored as \"{}\"{}: write output_table = \"{}\" "
                                          "(with the search_path it was written under), or this load would start "
                                          "over and load every message again",
                                          cfg.path, cfg.output_table.display(), cfg.consumer_group, cfg.topic,
                                          stored[0].name, written_elsewhere(stored[0]), stored[0].name));
}

// An unqualified offset table resolves through search_path: a session with another search_path
// would read another schema's offset table, miss this job's offsets and load everything again.
void refuse_offsets_elsewhere(pqxx::transaction_base& tx, const Config& cfg) {
    for (const auto& row :
         tx.exec_params(sql::render("offsets_elsewhere", {}), cfg.offset_table.quoted(), cfg.offset_table.name)) {
        const auto other = row[0].as<std::string>();
        const auto stored = stored_spellings(tx, cfg, other, false);
        if (stored.empty()) continue;
        throw Error(Exit::config,
                    fmt::format("{}: offsets of this job's consumer group {} and topic {} are stored in {} for output "
                                "table \"{}\"{}, but kafka.input.ext_offset_table = \"{}\" resolves to another "
                                "table under this session's search_path. Check which table those offsets belong to, "
                                "then name the schemas in output_table, ext_offset_table and offset_table (e.g. "
                                "ext_offset_table = \"{}\" if they are this job's); as it is, this load would start "
                                "over and load every message again",
                                cfg.path, cfg.consumer_group, cfg.topic, other, stored[0].name,
                                written_elsewhere(stored[0]), cfg.offset_table.display(), other));
    }
}
}  // namespace

void require_setup(pqxx::transaction_base& tx, const Config& cfg) {
    if (table_exists(tx, cfg.offset_table) && table_exists(tx, cfg.history_table))
        require_current_offset_tables(tx, cfg);
    for (const auto* t : {&cfg.offset_table, &cfg.history_table, &cfg.read_table, &cfg.reject_table})
        if (!table_exists(tx, *t))
            throw Error(Exit::not_set_up,
                        fmt::format("table {} does not exist: run `dgkafka setup {}` first", t->display(), cfg.path));
    refuse_other_spelling(tx, cfg);
    refuse_offsets_elsewhere(tx, cfg);
    const auto expected = staging_columns(cfg);
    const auto have = table_columns(tx, cfg.read_table);
    if (have != expected)
        throw Error(
            Exit::not_set_up,
            fmt::format("staging table {} has columns ({}) but kafka.input.columns needs ({}): "
                        "drop it and run `dgkafka setup {}` again",
                        cfg.read_table.display(), text::join(have, ", "), text::join(expected, ", "), cfg.path));
}

}  // namespace dgkafka::db
