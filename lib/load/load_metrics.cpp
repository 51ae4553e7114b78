#include "load/load_metrics.hpp"

#include <algorithm>

namespace dgkafka::load {

void MetricsBoard::add(const Config& cfg, const LoadCounters& counters) {
    std::lock_guard<std::mutex> lock(mu_);
    topics_.push_back({&cfg, &counters});
}

void MetricsBoard::remove(const LoadCounters& counters) {
    std::lock_guard<std::mutex> lock(mu_);
    topics_.erase(
        std::remove_if(topics_.begin(), topics_.end(), [&](const Topic& t) { return t.counters == &counters; }),
        topics_.end());
}

std::string MetricsBoard::render() const {
    std::lock_guard<std::mutex> lock(mu_);
    return render_load_metrics(topics_);
}

std::string render_load_metrics(const std::vector<MetricsBoard::Topic>& topics) {
    using metrics::Type;
    const auto job = [](const Config& cfg) -> metrics::Labels {
        return {{"consumer_group", cfg.consumer_group}, {"topic", cfg.topic}};
    };
    metrics::Exposition e;
    metrics::build_info(e, "load");
    const auto counter = [&](const char* name, const char* help, std::atomic<int64_t> LoadCounters::*value) {
        e.family(name, Type::counter, help);
        for (const auto& t : topics) e.sample(job(*t.cfg), static_cast<double>((t.counters->*value).load()));
    };
    counter("dgkafka_messages_consumed_total", "Messages in committed batches (loaded, filtered out or rejected).",
            &LoadCounters::messages);
    counter("dgkafka_rows_loaded_total", "Rows written to the output table by committed batches.", &LoadCounters::rows);
    bool targets = false;
    for (const auto& t : topics) targets = targets || t.cfg->targets.size() > 1;
    if (targets) {  // several output tables: each table's rows, and the messages none took
        e.family("dgkafka_table_rows_loaded_total", Type::counter,
                 "Rows written to each output table ([[kafka.output.targets]]) by committed batches.");
        for (const auto& t : topics) {
            const auto rows = t.counters->target_rows();
            for (size_t i = 0; i < t.cfg->targets.size(); ++i) {
                auto labels = job(*t.cfg);
                labels.emplace_back("table", t.cfg->targets[i].output_table.display());
                e.sample(labels, static_cast<double>(i < rows.size() ? rows[i] : 0));
            }
        }
        counter("dgkafka_messages_unmatched_total",
                "Messages no output table's filter took (kafka.output.unmatched: skipped, rejected or stopped at).",
                &LoadCounters::unmatched);
    }
    counter("dgkafka_messages_rejected_total", "Messages written to the rejected-rows table.", &LoadCounters::rejected);
    counter("dgkafka_messages_lost_total",
            "Messages retention deleted before they were loaded, skipped with kafka.input.on_data_loss = \"skip\".",
            &LoadCounters::lost);
    counter("dgkafka_batches_committed_total", "Batches committed, each one transaction with its offsets.",
            &LoadCounters::batches);
    e.family("dgkafka_batch_duration_seconds", Type::histogram, "Seconds from a batch's first message to its commit.");
    for (const auto& t : topics) e.histogram(job(*t.cfg), t.counters->batch_seconds.snapshot());
    // The servers are the process's: one sample each, summed over its topics.
    int64_t retries[2] = {0, 0}, outages[2] = {0, 0};
    for (const auto& t : topics) {
        retries[0] += t.counters->database_retries.load();
        retries[1] += t.counters->kafka_retries.load();
        outages[0] += t.counters->database_outage.outages();
        outages[1] += t.counters->kafka_outage.outages();
    }
    e.family("dgkafka_retries_total", Type::counter, "Failures retried, by what failed.");
    e.sample({{"target", "database"}}, static_cast<double>(retries[0]));
    e.sample({{"target", "kafka"}}, static_cast<double>(retries[1]));
    e.family("dgkafka_outages_total", Type::counter,
             "Outages of a server the load found, each logged when it starts "
             "and ends.");
    e.sample({{"target", "database"}}, static_cast<double>(outages[0]));
    e.sample({{"target", "kafka"}}, static_cast<double>(outages[1]));

    const auto now = PartitionProgress::Clock::now();
    std::vector<std::pair<metrics::Labels, PartitionProgress>> partitions;
    for (const auto& t : topics)
        for (const auto& [p, progress] : t.counters->partitions()) {
            auto labels = job(*t.cfg);
            labels.emplace_back("partition", std::to_string(p));
            partitions.emplace_back(std::move(labels), progress);
        }
    e.family("dgkafka_partition_stored_offset", Type::gauge,
             "Next offset to load as stored in the database, after the partition's last committed batch.");
    for (const auto& [labels, progress] : partitions) e.sample(labels, static_cast<double>(progress.stored));
    e.family("dgkafka_partition_lag", Type::gauge,
             "Messages between the stored offset and the partition's end offset (asked of the brokers every few "
             "seconds when metrics are served, whatever the database's state).");
    for (const auto& [labels, progress] : partitions)
        if (progress.lag() >= 0) e.sample(labels, static_cast<double>(progress.lag()));
    e.family("dgkafka_partition_stalled_seconds", Type::gauge,
             "Seconds the partition has had lag without a committed batch; 0 when caught up.");
    for (const auto& [labels, progress] : partitions)
        if (progress.lag() >= 0) e.sample(labels, progress.stalled_seconds(now));
    return e.text();
}

std::unique_ptr<metrics::Server> serve_load_metrics(const std::string& address, const MetricsBoard& board) {
    if (address.empty()) return nullptr;
    return std::make_unique<metrics::Server>(address, [&board] { return board.render(); });
}

}  // namespace dgkafka::load
