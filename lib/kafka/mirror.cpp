#include "kafka/mirror.hpp"

#include "kafka/group_offsets.hpp"
#include "util/log.hpp"

namespace dgkafka::kafka {

OffsetMirror::OffsetMirror(const Config& cfg)
    : cfg_(cfg),
      rk_(make_handle(RD_KAFKA_CONSUMER, make_conf(cfg.brokers,
                                                   {{"group.id", cfg.consumer_group},
                                                    {"client.id", "dgkafka-offsets"},
                                                    {"enable.auto.commit", "false"}},
                                                   cfg.kafka_properties))) {}

OffsetMirror::~OffsetMirror() {
    // librdkafka's destroy waits for every pending commit, i.e. for as long as the coordinator
    // stays unreachable. The process is about to exit then: leave the handle to it.
    if (unconfirmed_)
        (void)rk_.release();
    else if (rk_)
        rd_kafka_destroy_flags(rk_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

void OffsetMirror::commit(const Offsets& next) {
    if (next.empty()) return;
    auto list = make_list(cfg_.topic, next);
    mark(list.get(), commit_mark(cfg_.output_table.display()));
    rd_kafka_commit(rk_.get(), list.get(), 1);
    unconfirmed_ = true;
}

void OffsetMirror::finish(const Offsets& next, int wait_ms) {
    if (next.empty()) return;
    auto list = make_list(cfg_.topic, next);
    mark(list.get(), commit_mark(cfg_.output_table.display()));
    rd_kafka_queue_t* done = rd_kafka_queue_new(rk_.get());
    rd_kafka_commit_queue(rk_.get(), list.get(), done, nullptr, nullptr);
    unconfirmed_ = true;
    // Commits are answered in order: once this one is, the earlier ones are too.
    if (rd_kafka_event_t* ev = rd_kafka_queue_poll(done, wait_ms)) {
        if (rd_kafka_event_error(ev))
            log::warn("{}: consumer group {} refused the offsets: {} (the database holds them)", cfg_.topic,
                      cfg_.consumer_group, rd_kafka_event_error_string(ev));
        else
            unconfirmed_ = false;
        rd_kafka_event_destroy(ev);
    } else if (wait_ms <= 0) {
        log::warn(
            "{}: the brokers are unreachable: consumer group {} may not show the last offsets (the database "
            "holds them; the next run's commits mirror them)",
            cfg_.topic, cfg_.consumer_group);
    } else {
        log::warn(
            "{}: consumer group {} did not confirm the offsets within {} ms (the database holds them; the "
            "mirror in Kafka catches up with the next run's commits)",
            cfg_.topic, cfg_.consumer_group, wait_ms);
    }
    rd_kafka_queue_destroy(done);
}

}  // namespace dgkafka::kafka
