#include "load/load_metrics.hpp"

namespace dgkafka::load {

std::string render_load_metrics(const Config& cfg, const LoadCounters& c) {
    using metrics::Type;
    const metrics::Labels job = {{"consumer_group", cfg.consumer_group}, {"topic", cfg.topic}};
    metrics::Exposition e;
    metrics::build_info(e, "load");
    const auto counter = [&](const char* name, const char* help, const std::atomic<int64_t>& value) {
        e.family(name, Type::counter, help);
        e.sample(job, static_cast<double>(value.load()));
    };
    counter("dgkafka_messages_consumed_total", "Messages in committed batches (loaded, filtered out or rejected).",
            c.messages);
    counter("dgkafka_rows_loaded_total", "Rows written to the output table by committed batches.", c.rows);
    counter("dgkafka_messages_rejected_total", "Messages written to the rejected-rows table.", c.rejected);
    counter("dgkafka_messages_lost_total",
            "Messages retention deleted before they were loaded, skipped with kafka.input.on_data_loss = \"skip\".",
            c.lost);
    counter("dgkafka_batches_committed_total", "Batches committed, each one transaction with its offsets.", c.batches);
    e.family("dgkafka_batch_duration_seconds", Type::histogram, "Seconds from a batch's first message to its commit.");
    e.histogram(job, c.batch_seconds.snapshot());
    e.family("dgkafka_retries_total", Type::counter, "Failures retried, by what failed.");
    e.sample({{"target", "database"}}, static_cast<double>(c.database_retries.load()));
    e.sample({{"target", "kafka"}}, static_cast<double>(c.kafka_retries.load()));
    e.family("dgkafka_outages_total", Type::counter,
             "Outages of a server the load found, each logged when it starts "
             "and ends.");
    e.sample({{"target", "database"}}, static_cast<double>(c.database_outage.outages()));
    e.sample({{"target", "kafka"}}, static_cast<double>(c.kafka_outage.outages()));

    const auto partitions = c.partitions();
    const auto labels = [&](int32_t p) {
        auto l = job;
        l.emplace_back("partition", std::to_string(p));
        return l;
    };
    e.family("dgkafka_partition_stored_offset", Type::gauge,
             "Next offset to load as stored in the database, after the partition's last committed batch.");
    for (const auto& [p, progress] : partitions) e.sample(labels(p), static_cast<double>(progress.stored));
    e.family("dgkafka_partition_lag", Type::gauge,
             "Messages between the stored offset and the partition's end offset (asked of the brokers every few "
             "seconds when metrics are served, whatever the database's state).");
    for (const auto& [p, progress] : partitions)
        if (progress.lag() >= 0) e.sample(labels(p), static_cast<double>(progress.lag()));
    const auto now = PartitionProgress::Clock::now();
    e.family("dgkafka_partition_stalled_seconds", Type::gauge,
             "Seconds the partition has had lag without a committed batch; 0 when caught up.");
    for (const auto& [p, progress] : partitions)
        if (progress.lag() >= 0) e.sample(labels(p), progress.stalled_seconds(now));
    return e.text();
}

std::unique_ptr<metrics::Server> serve_load_metrics(const Config& cfg, const std::string& address,
                                                    const LoadCounters& counters) {
    if (address.empty()) return nullptr;
    return std::make_unique<metrics::Server>(address, [&cfg, &counters] { return render_load_metrics(cfg, counters); });
}

}  // namespace dgkafka::load
