#pragma once
// Finding the rows the database refuses in a batch it refused, by trying runs of rows: the
// search alone, apart from the database, so that its cost can be tested without a server.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

namespace dgkafka::load {

// Tries rows [first, first + count) and keeps them if they go in: their inserted count, or
// nullopt when the database refused them (nothing of them kept).
using TryRows = std::function<std::optional<int64_t>(size_t first, size_t count)>;
// Called for each refused row, in order, right after the attempt of that row alone.
using RefuseRow = std::function<void(size_t row)>;

// Walks rows [0, n), of which at least one is refused: a binary search finds the first refused
// row of a range known to hold one (at first the whole batch), keeping the good runs before it;
// past a refused row, runs start at half the mean gap between refused rows and double while
// they go in. A refused row costs about log2(gap) + 3 attempts, never a re-send of the whole
// batch; a loop, no recursion. Returns the rows inserted.
int64_t isolate_refused_rows(size_t n, const TryRows& try_rows, const RefuseRow& refuse);

}  // namespace dgkafka::load
