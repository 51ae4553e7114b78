#include "util/table.hpp"

#include <algorithm>

namespace dgkafka {

void TextTable::print(std::ostream& out) const {
    std::vector<size_t> width;
    for (const auto& row : rows_)
        for (size_t i = 0; i < row.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], row[i].size());
        }
    for (const auto& row : rows_) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            if (i) line += "  ";
            line += row[i];
            if (i + 1 < row.size()) line.append(width[i] - row[i].size(), ' ');
        }
        out << line << "\n";
    }
}

}  // namespace dgkafka
