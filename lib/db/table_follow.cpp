#include "db/table_follow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "db/embedded_sql.hpp"
#include "db/tables.hpp"
#include "util/text.hpp"
#include "vocabulary/ident.hpp"

namespace dgkafka::db {

namespace {
void record(pqxx::transaction_base& tx, const Config& cfg, const std::string& event) {
    tx.exec_params0(sql::render("history_table_event", table_vars(cfg)), cfg.consumer_group, cfg.topic,
                    cfg.output_table.display(), event);
}

// format_type's spelling of a type, to compare the schema's with the column's.
std::string canonical_type(pqxx::transaction_base& tx, const std::string& type) {
    return tx.exec_params1(sql::render("type_name", {}), type)[0].as<std::string>("");
}
}  // namespace

std::vector<WantedColumn> output_columns(pqxx::transaction_base& tx, const Config& cfg) {
    std::vector<WantedColumn> out;
    for (const auto& row : tx.exec_params(sql::render("table_column_types", {}), cfg.output_table.quoted()))
        out.push_back({row[0].as<std::string>(), row[1].as<std::string>()});
    return out;
}

namespace {
// Why a field cannot have a column of its name, or nullopt: PostgreSQL keeps 63 bytes of a name
// (two fields would meet in one column), and a table's system columns take theirs.
std::optional<std::string> unusable_name(const std::string& name) {
    static const char* const system[] = {"tableoid", "cmax", "xmax", "cmin", "xmin", "ctid", "oid"};
    if (name.size() > 63) return "longer than PostgreSQL's 63 bytes";
    for (const char* s : system)
        if (name == s) return "a system column's name";
    return std::nullopt;
}
}  // namespace

Followed follow_schema(pqxx::transaction_base& tx, const Config& cfg, const std::vector<WantedColumn>& fields,
                       const std::vector<std::string>& key, const std::string& source) {
    Followed out;
    std::vector<WantedColumn> columns;  // the fields that can be columns; the others are not loaded
    for (const auto& f : fields) {
        if (const auto why = unusable_name(f.name))
            out.unusable.push_back(fmt::format("field \"{}\": {}", f.name, *why));
        else
            columns.push_back(f);
    }
    auto vars = table_vars(cfg);
    if (!table_exists(tx, cfg.output_table)) {
        if (!cfg.create_table || columns.empty()) return out;
        std::vector<std::string> defs;
        for (const auto& c : columns) {
            const bool keyed = std::find(key.begin(), key.end(), c.name) != key.end();
            defs.push_back(quote_ident(c.name) + " " + c.type + (keyed ? " NOT NULL" : ""));
        }
        std::vector<std::string> quoted_key;
        for (const auto& k : key) quoted_key.push_back(quote_ident(k));
        if (!quoted_key.empty()) defs.push_back("PRIMARY KEY (" + text::join(quoted_key, ", ") + ")");
        vars["columns"] = text::join(defs, ",\n    ");
        tx.exec0(sql::render("output_create", vars));
        record(tx, cfg,
               fmt::format("create-table from {}{}", source,
                           key.empty() ? "" : fmt::format(", primary key ({})", text::join(key, ", "))));
        out.created = true;
        return out;
    }
    if (!cfg.evolve) return out;
    auto have = output_columns(tx, cfg);
    const auto lacks = [&](const WantedColumn& c) {
        return std::none_of(have.begin(), have.end(), [&](const WantedColumn& h) { return h.name == c.name; });
    };
    // Loaders of this process and of others meet a new schema version at once: the first to lock
    // adds the columns, the others find them when they read the columns again under the lock.
    if (std::any_of(columns.begin(), columns.end(), lacks)) {
        tx.exec0(sql::render("output_lock", vars));
        have = output_columns(tx, cfg);
    }
    for (const auto& c : columns) {
        const auto h = std::find_if(have.begin(), have.end(), [&](const WantedColumn& w) { return w.name == c.name; });
        if (h != have.end()) {
            // Compared without length or precision: numeric(10,2) is the schema's numeric.
            const auto base = [](const std::string& t) { return t.substr(0, t.find('(')); };
            if (base(h->type) != base(canonical_type(tx, base(c.type))))
                out.differing.push_back(fmt::format("\"{}\" is {}, the schema's {}", c.name, h->type, c.type));
            continue;
        }
        vars["column"] = quote_ident(c.name);
        vars["type"] = c.type;
        tx.exec0(sql::render("output_add_column", vars));
        const auto added = fmt::format("{} {}", quote_ident(c.name), c.type);
        record(tx, cfg, fmt::format("add-column {} from {}", added, source));
        out.added.push_back(added);
    }
    return out;
}

}  // namespace dgkafka::db
