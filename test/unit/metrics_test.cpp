#include "metrics/metrics.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "metrics/server.hpp"

using namespace dgkafka;

TEST(Metrics, HistogramBucketsAreCumulativeAndABoundIsInItsBucket) {
    metrics::Histogram h;
    for (double v : {0.005, 0.007, 1.0, 100.0}) h.observe(v);
    const auto s = h.snapshot();
    EXPECT_EQ(s.cumulative[0], 1u);      // le 0.005 holds 0.005 itself
    EXPECT_EQ(s.cumulative[1], 2u);      // le 0.01
    EXPECT_EQ(s.cumulative[7], 3u);      // le 1
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
    EXPECT_NE(t.find("d_seconds_bucket{le=\"+Inf\"} 1\nd_seconds_sum 0.2\nd_seconds_count 1\n"), std::string::npos)
        << t;
}

namespace {
// The server's raw answer to `request`, read until it closes the connection or 3 s pass.
std::string http_exchange(int port, const std::string& request) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        close(fd);
        return "cannot connect";
    }
    timeval tv{3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)!write(fd, request.data(), request.size());
    std::string answer;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) answer.append(buf, static_cast<size_t>(n));
    close(fd);
    return answer;
}
}  // namespace

// cpp-httplib waits 5 s for the body of a POST without Content-Length before answering 400.
TEST(Metrics, AnyMethodButGetIsAnsweredAtOnceWith405) {
    dgkafka::metrics::Server server("127.0.0.1:0", [] { return std::string("up 1\n"); });
    const auto start = std::chrono::steady_clock::now();
    const auto answer = http_exchange(server.port(), "POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    EXPECT_EQ(answer.rfind("HTTP/1.1 405 ", 0), 0u) << answer;
    EXPECT_NE(answer.find("Allow: GET, HEAD"), std::string::npos) << answer;
    const auto get = http_exchange(server.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(get.rfind("HTTP/1.1 200 ", 0), 0u) << get;
    EXPECT_NE(get.find("\r\n\r\nup 1\n"), std::string::npos) << get;
}
