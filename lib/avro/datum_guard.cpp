#include "avro/datum_guard.hpp"

#include <fmt/format.h>

namespace dgkafka::avro {

namespace {
using Kind = Node::Kind;

class Walker {
  public:
    Walker(std::string_view body, std::string& reason)
        : start_(reinterpret_cast<const unsigned char*>(body.data())),
          p_(start_),
          end_(start_ + body.size()),
          items_left_(static_cast<int64_t>(body.size()) + spare_items),
          reason_(reason) {}

    bool value(const Node& n) {
        switch (n.kind) {
            case Kind::null:
                return true;
            case Kind::boolean:
                return skip(1, "boolean");
            case Kind::int32:
            case Kind::int64: {
                int64_t ignored = 0;
                return varint(ignored, "number");
            }
            case Kind::float32:
                return skip(4, "float");
            case Kind::float64:
                return skip(8, "double");
            case Kind::bytes:
            case Kind::string:
                return length_prefixed(n.kind == Kind::string ? "string" : "bytes");
            case Kind::fixed:
                return skip(n.size, "fixed");
            case Kind::enumeration:
                return index(n.size, "enum symbol");
            case Kind::union_: {
                int64_t branch = 0;
                if (!varint(branch, "union branch")) return false;
                if (branch >= 0 && branch < static_cast<int64_t>(n.children.size()))
                    return value(*n.children[static_cast<size_t>(branch)]);
                return fail(fmt::format("union branch {} of {}", branch, n.children.size()));
            }
            case Kind::record: {
                if (!enter()) return false;
                for (const Node* field : n.children)
                    if (!value(*field)) return false;
                return leave();
            }
            case Kind::array:
            case Kind::map:
                return blocks(n);
        }
        return fail("a type dgkafka does not know");
    }

  private:
    // Items in blocks, each a count (negative: followed by the block's byte size), ended by 0.
    bool blocks(const Node& n) {
        if (!enter()) return false;
        const char* what = n.kind == Kind::array ? "array" : "map";
        for (;;) {
            int64_t count = 0;
            if (!varint(count, what)) return false;
            if (count == 0) return leave();
            if (count < 0) {
                if (count == INT64_MIN) return fail(fmt::format("{} block count {}", what, count));
                count = -count;
                int64_t size = 0;
                if (!varint(size, what)) return false;
                if (size < 0 || size > left())
                    return fail(fmt::format("{} block of {} bytes where {} are left", what, size, left()));
            }
            if (count > items_left_)
                return over_limit(fmt::format("{} block of {} items; at most {} more in a message of {} bytes", what,
                                              count, items_left_, end_ - start_));
            items_left_ -= count;
            for (int64_t i = 0; i < count; ++i) {
                if (n.kind == Kind::map && !length_prefixed("map key")) return false;
                if (!value(*n.children[0])) return false;
            }
        }
    }

    bool enter() {
        if (++depth_ <= max_nesting) return true;
        return over_limit(fmt::format("records, arrays and maps nested deeper than {} levels", max_nesting));
    }
    bool leave() {
        --depth_;
        return true;
    }

    int64_t left() const { return end_ - p_; }

    bool skip(int64_t n, const char* what) {
        if (n > left()) return fail(fmt::format("{} of {} bytes where {} are left", what, n, left()));
        p_ += n;
        return true;
    }

    bool length_prefixed(const char* what) {
        int64_t n = 0;
        if (!varint(n, what)) return false;
        if (n < 0) return fail(fmt::format("{} of negative length {}", what, n));
        return skip(n, what);
    }

    bool index(int64_t count, const char* what) {
        int64_t i = 0;
        if (!varint(i, what)) return false;
        if (i >= 0 && i < count) return true;
        return fail(fmt::format("{} {} of {}", what, i, count));
    }

    // A zigzag varint of at most 10 bytes, as Avro's long.
    bool varint(int64_t& out, const char* what) {
        uint64_t u = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (p_ == end_) return fail(fmt::format("{} cut off at byte {}", what, p_ - start_));
            const unsigned char b = *p_++;
            u |= uint64_t{b & 0x7fu} << shift;
            if (!(b & 0x80)) {
                out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
                return true;
            }
        }
        return fail(fmt::format("{}: a number longer than 10 bytes at byte {}", what, p_ - start_));
    }

    bool fail(const std::string& why) {
        reason_ = "not Avro of its schema (truncated or corrupt): " + why;
        return false;
    }
    bool over_limit(const std::string& why) {
        reason_ = "over dgkafka's limits for one Avro message: " + why;
        return false;
    }

    const unsigned char* start_;
    const unsigned char* p_;
    const unsigned char* end_;
    int64_t items_left_;
    int depth_ = 0;
    std::string& reason_;
};
}  // namespace

bool within_limits(const Node& root, std::string_view body, std::string& reason) {
    Walker walker(body, reason);
    return walker.value(root);
}

}  // namespace dgkafka::avro
