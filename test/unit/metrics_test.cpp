#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

using namespace dgkafka;

TEST(Metrics, HistogramBucketsAreCumulativeAndABoundIsInItsBucket) {
    metrics::Histogram h;
    for (double v : {0.005, 0.007, 1.0, 100.0}) h.observe(v);
    const auto s = h.snapshot();
    EXPECT_EQ(s.cumulative[0], 1u);  // le 0.005 holds 0.005 itself
    EXPECT_EQ(s.cumulative[1], 2u);  // le 0.01
    EXPECT_EQ(s.cumulative[7], 3u);  // le 1
    EXPECT_EQ(s.cumulative.back(), 3u);  // le 30: 100 is only in +Inf
    EXPECT_EQ(s.count, 4u);
    EXPECT_DOUBLE_EQ(s.sum, 101.012);
}

TEST(Metrics, ExpositionWritesHelpTypeOnceAndEscapesLabelValues) {
    metrics::Exposition e;
    e.family("dgkafka_x_total", metrics::Type::counter, "Things.");
    e.sample({{"topic", "a\"b\\c\nd"}}, 3);
    e.sample({{"topic", "t"}}, 2.5);
    EXPECT_EQ(e.text(),
              "# HELP dgkafka_x_total Things.\n# TYPE dgkafka_x_total counter\n"
              "dgkafka_x_total{topic=\"a\\\"b\\\\c\\nd\"} 3\ndgkafka_x_total{topic=\"t\"} 2.5\n");
}

TEST(Metrics, HistogramSeriesEndWithInfSumAndCount) {
    metrics::Histogram h;
    h.observe(0.2);
    metrics::Exposition e;
    e.family("d_seconds", metrics::Type::histogram, "D.");
    e.histogram({}, h.snapshot());
    const auto& t = e.text();
    EXPECT_NE(t.find("d_seconds_bucket{le=\"0.1\"} 0\n"), std::string::npos) << t;
    EXPECT_NE(t.find("d_seconds_bucket{le=\"0.25\"} 1\n"), std::string::npos) << t;
    EXPECT_NE(t.find("d_seconds_bucket{le=\"+Inf\"} 1\nd_seconds_sum 0.2\nd_seconds_count 1\n"), std::string::npos) << t;
}
