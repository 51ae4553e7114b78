#pragma once
#include <optional>

namespace dgkafka {

enum class Reset { none, earliest, latest };

struct LoadOptions {
    bool quit_at_eof = false;
    Reset reset = Reset::none;
    int verbose = 0;
    std::optional<int> loaders;  // overrides kafka.input.loaders
};

}  // namespace dgkafka
