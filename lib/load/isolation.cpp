#include "load/isolation.hpp"

#include <algorithm>
#include <utility>

namespace dgkafka {

int64_t isolate_refused_rows(size_t n, const TryRows& try_rows, const RefuseRow& refuse, bool known_refused) {
    size_t pos = 0;
    size_t refused_end = known_refused ? n : 0;  // [pos, refused_end) holds a refused row
    std::optional<size_t> next;                  // the next run's length, when a suspect decided it
    size_t run = known_refused ? 1 : n, refused = 0;
    bool suspects = false;  // the database names the row it failed at
    int64_t inserted = 0;
    while (pos < n) {
        // Inside a range known to hold a refused row: its first half (a binary search). Past
        // it: a run as long as the gaps between refused rows suggest.
        size_t len = pos < refused_end ? std::max<size_t>(1, (refused_end - pos) / 2) : std::min(run, n - pos);
        if (next) len = std::min(*std::exchange(next, std::nullopt), n - pos);
        const auto tried = try_rows(pos, len);
        if (tried.inserted) {
            inserted += *tried.inserted;
            pos += len;
            run = len * 2;
        } else if (len > 1) {
            refused_end = pos + len;
            if (tried.suspect && *tried.suspect >= pos && *tried.suspect < pos + len) {
                suspects = true;
                refused_end = *tried.suspect + 1;
                next = *tried.suspect > pos ? *tried.suspect - pos : 1;  // the rows before it, else it alone
            }
        } else {
            refuse(pos);
            ++pos;
            ++refused;
            refused_end = pos;
            run = suspects ? n - pos : std::max<size_t>(1, pos / refused / 2);
        }
    }
    return inserted;
}

}  // namespace dgkafka
