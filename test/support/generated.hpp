#pragma once
// Messages written by an independent encoder script (test/data/*.py), with the encoder's own
// account of the rows each must load, and the comparison of a loaded table with them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/sandbox.hpp"

namespace dgtest {

struct Generated {
    std::vector<Record> records;
    std::vector<nlohmann::json> expected;              // rows that must load
    std::vector<std::pair<int64_t, std::string>> bad;  // offset, what is wrong
};

// Runs test/data/`script` with `args`: one JSON line per message ({"value": hex, "expected": row
// or null, "why": ...}).
Generated generate(const std::string& script, const std::string& args);

// Rows in `table` or in `table`_expected but not in both (as multisets): 0 when they are equal.
int64_t differing_rows(const std::string& table);

}  // namespace dgtest
