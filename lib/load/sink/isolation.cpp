#include "load/sink/isolation.hpp"

#include <algorithm>

namespace dgkafka::load {

int64_t isolate_refused_rows(size_t n, const TryRows& try_rows, const RefuseRow& refuse) {
    size_t pos = 0;
    size_t refused_end = n;  // [pos, refused_end) holds a refused row (the whole batch, at first)
    size_t run = 1, refused = 0;
    int64_t inserted = 0;
    while (pos < n) {
        // Inside a range known to hold a refused row: its first half (a binary search). Past
        // it: a run as long as the gaps between refused rows suggest.
        const size_t len = pos < refused_end ? std::max<size_t>(1, (refused_end - pos) / 2) : std::min(run, n - pos);
        if (const auto in = try_rows(pos, len)) {
            inserted += *in;
            pos += len;
            run = len * 2;
        } else if (len > 1) {
            refused_end = pos + len;
        } else {
            refuse(pos);
            ++pos;
            ++refused;
            refused_end = pos;
            run = std::max<size_t>(1, pos / refused / 2);
        }
    }
    return inserted;
}

}  // namespace dgkafka::load
