#include "metrics/metrics.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <cmath>

#ifndef DGKAFKA_VERSION
#define DGKAFKA_VERSION "dev"
#endif

namespace dgkafka::metrics {

void Histogram::observe(double value) {
    size_t i = 0;
    while (i < bounds.size() && value > bounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    double sum = sum_.load(std::memory_order_relaxed);
    while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
    }
    count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    uint64_t running = 0;
    for (size_t i = 0; i < bounds.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative[i] = running;
    }
    // The count includes the +Inf bucket; never less than the last finite bucket.
    s.count = std::max(running + buckets_[bounds.size()].load(std::memory_order_relaxed), running);
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

std::string escape_label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

namespace {
const char* type_name(Type t) {
    switch (t) {
        case Type::counter:
            return "counter";
        case Type::gauge:
            return "gauge";
        case Type::histogram:
            return "histogram";
    }
    return "untyped";
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
    return fmt::format("{}", v);
}
}  // namespace

void Exposition::family(const std::string& name, Type type, const std::string& help) {
    name_ = name;
    text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type_name(type));
}

void Exposition::line(const std::string& name, const Labels& labels, double value) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (size_t i = 0; i < labels.size(); ++i)
            text_ += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, escape_label(labels[i].second));
        text_ += '}';
    }
    text_ += ' ' + number(value) + '\n';
}

void Exposition::sample(const Labels& labels, double value) { line(name_, labels, value); }

void Exposition::histogram(const Labels& labels, const Histogram::Snapshot& h) {
    for (size_t i = 0; i < Histogram::bounds.size(); ++i) {
        Labels with = labels;
        with.emplace_back("le", number(Histogram::bounds[i]));
        line(name_ + "_bucket", with, static_cast<double>(h.cumulative[i]));
    }
    Labels inf = labels;
    inf.emplace_back("le", "+Inf");
    line(name_ + "_bucket", inf, static_cast<double>(h.count));
    line(name_ + "_sum", labels, h.sum);
    line(name_ + "_count", labels, static_cast<double>(h.count));
}

void build_info(Exposition& e, const std::string& command) {
    e.family("dgkafka_build_info", Type::gauge, "Always 1; the labels name the build.");
    e.sample({{"version", DGKAFKA_VERSION}, {"librdkafka", rd_kafka_version_str()}, {"command", command}}, 1);
}

}  // namespace dgkafka::metrics
