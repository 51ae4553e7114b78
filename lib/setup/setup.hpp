#pragma once
// dgkafka setup: creates the job's tables if missing (never drops or empties anything), then
// checks them and the output table against the config.
#include <ostream>

#include "config/config.hpp"

namespace dgkafka::setup {

// Reports on `out` what it created, found or upgraded. Checks the output table as a load reads it
// (fields to columns applied). Throws Error(config) when a table of the job has another shape or
// the output table lacks a target column.
void run_setup(const Config& cfg, std::ostream& out);

}  // namespace dgkafka::setup
