#pragma once
// The SQL of schemas/*.sql, compiled into the binary (see cmake/embed_sql.cmake).
#include <map>
#include <string>

namespace dgkafka::sql {

const std::map<std::string, std::string>& embedded();  // file name without .sql -> text

// schemas/<name>.sql with each ${var} replaced. Values must already be quoted identifiers or
// SQL the config owns (types, expressions); data values always travel as query parameters.
std::string render(const std::string& name, const std::map<std::string, std::string>& vars);

}  // namespace dgkafka::sql
