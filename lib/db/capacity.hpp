#pragma once
// How many connections the server can still give this job, asked before loading starts.
#include <string>

#include "config/config.hpp"

namespace dgkafka::db {

// Connections the server accepts from this role now (max_connections less the reserved ones and
// those in use).
int free_connections(const DbSettings& settings);

// `wanted` loaders (each with one connection) and `others` connections of the job's own: the
// loaders that fit, with a warning when fewer than wanted; Error(database) when not even one fits.
int fit_loaders(const DbSettings& settings, int wanted, int others);

}  // namespace dgkafka::db
