#pragma once
// Eight bytes at a time (SIMD within a register): the scanners' fast paths skip runs of bytes
// with nothing to do. A test may report a byte after the first real one that is not there (a
// borrow), never miss one; the first reported byte is real.
#include <cstdint>
#include <cstring>

namespace dgkafka::swar {

constexpr uint64_t ones = 0x0101010101010101ULL;
constexpr uint64_t highs = 0x8080808080808080ULL;

inline uint64_t load8(const char* p) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    return x;
}
// Nonzero when a byte of x is below n (n <= 0x80).
inline uint64_t below(uint64_t x, unsigned char n) { return (x - ones * n) & ~x & highs; }
// Nonzero when a byte of x equals c.
inline uint64_t equal(uint64_t x, unsigned char c) { return below(x ^ (ones * c), 1); }
// The index of the first byte a nonzero test result reports (that one is always really there:
// borrows only run towards later bytes). Little-endian.
inline unsigned first(uint64_t result) { return static_cast<unsigned>(__builtin_ctzll(result)) / 8; }
// Nonzero when a byte of x is not ASCII.
inline uint64_t high(uint64_t x) { return x & highs; }

}  // namespace dgkafka::swar
