#pragma once
// Moves the staged batch into one output table: one statement, or with update_condition one per
// round (the r-th message of each key), so the result is that of applying the messages one by one
// in offset order, wherever the batches break.
#include <cstdint>
#include <pqxx/pqxx>

#include "load/sink/statements.hpp"

namespace dgkafka::load {

// The rows written (inserted, or updated).
int64_t move_staged(pqxx::transaction_base& tx, const TargetMove& move);

}  // namespace dgkafka::load
