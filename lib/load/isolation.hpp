#pragma once
// Finding the rows the database refuses in a batch it refused, by trying runs of rows: the
// search alone, apart from the database, so that its cost can be tested without a server.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

namespace dgkafka {

// One attempt at rows [first, first + count): kept when they go in.
struct Tried {
    std::optional<int64_t> inserted;  // rows inserted; nullopt: refused (nothing of them kept)
    std::optional<size_t> suspect;    // refused: the row the database was at, when it can tell
};
using TryRows = std::function<Tried(size_t first, size_t count)>;
// Called for each refused row, in order, right after the attempt of that row alone.
using RefuseRow = std::function<void(size_t row)>;

// Walks rows [0, n), of which at least one is refused. A refused run that names its suspect row
// is followed by the run before the suspect (kept) and the suspect alone, and after a refused
// row by the whole rest: about three attempts a refused row. Without a suspect, a binary search
// finds the first refused row of a range known to hold one, keeping the good runs before it,
// and past a refused row runs start at half the mean gap between refused rows and double while
// they go in: about log2(gap) + 3 attempts. Never a re-send of the whole batch per refused row;
// a loop, no recursion. Returns the rows inserted. `known_refused`: the rows were refused
// together already (else the first attempt is all of them).
int64_t isolate_refused_rows(size_t n, const TryRows& try_rows, const RefuseRow& refuse, bool known_refused = true);

}  // namespace dgkafka
