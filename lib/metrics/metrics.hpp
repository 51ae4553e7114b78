#pragma once
// Prometheus' text exposition format and the few metric types dgkafka needs: updated once per
// batch without locks (atomics), read when /metrics is scraped.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dgkafka::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A histogram with fixed upper bounds; observe() is lock-free.
class Histogram {
  public:
    static constexpr std::array<double, 12> bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    void observe(double value);
    struct Snapshot {
        std::array<uint64_t, bounds.size()> cumulative{};  // observations <= bounds[i]
        uint64_t count = 0;
        double sum = 0;
    };
    Snapshot snapshot() const;

  private:
    std::array<std::atomic<uint64_t>, bounds.size() + 1> buckets_{};  // last: above every bound
    std::atomic<uint64_t> count_{0};
    std::atomic<double> sum_{0};
};

enum class Type { counter, gauge, histogram };

// Writes families in the text format: HELP and TYPE once, then the samples.
class Exposition {
  public:
    void family(const std::string& name, Type type, const std::string& help);
    void sample(const Labels& labels, double value);
    void histogram(const Labels& labels, const Histogram::Snapshot& h);
    const std::string& text() const { return text_; }

  private:
    void line(const std::string& name, const Labels& labels, double value);
    std::string name_;
    std::string text_;
};

std::string escape_label(const std::string& value);
// dgkafka_build_info{version, librdkafka, command} 1
void build_info(Exposition& e, const std::string& command);

}  // namespace dgkafka::metrics
