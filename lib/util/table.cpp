#include "util/table.hpp"

namespace dgkafka {

void TextTable::print(std::ostream& out) const {
    for (const auto& row : rows_) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            if (i) line += '\t';
            line += row[i];
        }
        out << line << "\n";
    }
}

}  // namespace dgkafka
