#include "load/sink/gaps.hpp"

#include <chrono>

#include "util/log.hpp"

namespace dgkafka::load {

void skip_gaps(const db::OffsetStore& store, pqxx::transaction_base& tx, const std::string& topic,
               const std::vector<kafka::RetentionGap>& gaps) {
    const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch());
    for (const auto& g : gaps)
        store.record(tx, {{g.partition, g.stored, g.log_start, g.lost(), -1}}, g.event(), now.count());
    for (const auto& g : gaps)
        log::warn("{}; skipped (kafka.input.on_data_loss = \"skip\"), recorded in the history",
                  kafka::describe(topic, g));
}

}  // namespace dgkafka::load
