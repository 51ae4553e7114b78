// The search for refused rows, against a fake database that refuses a known set of rows.
#include "load/sink/isolation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

using namespace dgkafka;
using namespace dgkafka::load;

namespace {
struct FakeTable {
    std::set<size_t> bad;
    size_t attempts = 0, rows_sent = 0;
    std::vector<bool> kept;

    explicit FakeTable(size_t n, std::set<size_t> refused) : bad(std::move(refused)), kept(n, false) {}

    std::vector<size_t> run() {
        std::vector<size_t> refused;
        const int64_t inserted = isolate_refused_rows(
            kept.size(),
            [&](size_t first, size_t count) -> std::optional<int64_t> {
                ++attempts;
                rows_sent += count;
                for (size_t i = first; i < first + count; ++i) {
                    EXPECT_FALSE(kept[i]) << "row " << i << " tried after it was kept";
                    if (bad.count(i)) return std::nullopt;
                }
                for (size_t i = first; i < first + count; ++i) kept[i] = true;
                return static_cast<int64_t>(count);
            },
            [&](size_t row) { refused.push_back(row); });
        EXPECT_EQ(inserted, static_cast<int64_t>(kept.size() - bad.size()));
        for (size_t i = 0; i < kept.size(); ++i) EXPECT_EQ(kept[i], bad.count(i) == 0) << "row " << i;
        return refused;
    }
};

std::vector<size_t> sorted(const std::set<size_t>& s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(Isolation, ARefusedRowAtTheStartTheMiddleOrTheEndIsFoundAlone) {
    for (size_t bad : {size_t{0}, size_t{4999}, size_t{9999}}) {
        FakeTable t(10000, {bad});
        EXPECT_EQ(t.run(), std::vector<size_t>{bad});
        EXPECT_LE(t.attempts, 2 * 14 + 2u) << "about 2 log2(n) attempts for one refused row at " << bad;
    }
}

TEST(Isolation, SeveralRefusedRowsTogether) {
    const std::set<size_t> bad = {0, 1, 2, 50, 51, 997, 998, 999};
    FakeTable t(1000, bad);
    EXPECT_EQ(t.run(), sorted(bad));
}

TEST(Isolation, EveryRowRefused) {
    std::set<size_t> bad;
    for (size_t i = 0; i < 500; ++i) bad.insert(i);
    FakeTable t(500, bad);
    EXPECT_EQ(t.run(), sorted(bad));
    EXPECT_LE(t.attempts, 500u + 20u) << "one attempt per row once every row is known to be refused";
}

TEST(Isolation, ASingleRowBatch) {
    FakeTable t(1, {0});
    EXPECT_EQ(t.run(), std::vector<size_t>{0});
    EXPECT_EQ(t.attempts, 1u);
}

// The cost follows the refused rows, not the batch size times the refused rows.
TEST(Isolation, CostGrowsWithTheRefusedRowsNotWithTheBatch) {
    for (size_t every : {size_t{100}, size_t{10}}) {
        std::set<size_t> bad;
        for (size_t i = every / 2; i < 100000; i += every) bad.insert(i);
        FakeTable t(100000, bad);
        EXPECT_EQ(t.run().size(), bad.size());
        const double per_bad = static_cast<double>(t.attempts) / static_cast<double>(bad.size());
        EXPECT_LE(per_bad, 2 * std::log2(static_cast<double>(every)) + 4) << "1 in " << every;
        EXPECT_LE(t.rows_sent, 100000u * 4) << "rows re-sent stay a small multiple of the batch, 1 in " << every;
    }
}

TEST(Isolation, AMillionRowsNeedNoRecursion) {
    FakeTable t(1000000, {999999});
    EXPECT_EQ(t.run(), std::vector<size_t>{999999});
}
