#pragma once
// Identifiers from the config are literal names, always quoted when put into SQL.
#include <string>
#include <string_view>

namespace dgkafka {

// "name" with every " doubled: safe for any name, keeps its case.
std::string quote_ident(std::string_view name);

// "[schema.]table" as written in the config. A part written in SQL double quotes is decoded,
// so a table whose name holds a dot can be given as "\"my.table\"".
struct QualifiedName {
    std::string schema;  // empty: resolved through search_path
    std::string name;

    static QualifiedName parse(std::string_view text);  // throws std::invalid_argument
    std::string quoted() const;                         // "schema"."name"
    std::string display() const;                        // schema.name, for messages
    bool empty() const { return name.empty(); }
};

}  // namespace dgkafka
