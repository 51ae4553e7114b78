#pragma once
#include <atomic>

namespace dgkafka {

// SIGINT, SIGTERM and SIGHUP only set the returned flag; loops look at it and finish cleanly (a
// load commits its batch in flight). A second one exits at once with 128 + its number: the open
// transaction dies with the connection, and the stored offsets say where to resume.
const std::atomic<bool>& install_stop_signals();

}  // namespace dgkafka
