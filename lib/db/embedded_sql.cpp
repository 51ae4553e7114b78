#include "db/embedded_sql.hpp"

#include <stdexcept>

#include "util/text.hpp"

namespace dgkafka::sql {

std::string render(const std::string& name, const std::map<std::string, std::string>& vars) {
    const auto it = embedded().find(name);
    if (it == embedded().end()) throw std::logic_error("no schemas/" + name + ".sql compiled in");
    return text::substitute(it->second, vars);
}

}  // namespace dgkafka::sql
