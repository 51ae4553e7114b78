#pragma once
// kafka.input.on_data_loss = "skip": a retention gap is recorded in the history, then passed.
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "db/offsets.hpp"
#include "kafka/retention.hpp"

namespace dgkafka::load {

// History rows with event "retention-gap" (start: the stored offset, end: the log start,
// messages: how many were lost); moves the stored offsets to the log start; warns for each.
void skip_gaps(const db::OffsetStore& store, pqxx::transaction_base& tx, const std::string& topic,
               const std::vector<kafka::RetentionGap>& gaps);

}  // namespace dgkafka::load
