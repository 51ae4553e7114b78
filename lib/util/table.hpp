#pragma once
// Tables for terminal output, one row a line and the cells separated by tabs, as the manual's
// `dgkafka check` prints them: scripts cut them with `cut -f` or `awk -F'\t'`.
#include <ostream>
#include <string>
#include <vector>

namespace dgkafka {

class TextTable {
  public:
    explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out) const;

  private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace dgkafka
