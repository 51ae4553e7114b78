#pragma once
// -force-reset-timestamp TIME: epoch milliseconds, or an ISO 8601 date-time for the database to
// read. A date must come first, so words PostgreSQL reads relative to the moment (now, yesterday,
// today) are refused; a time without a zone is taken as UTC, and the caller says so.
#include <cstdint>
#include <string>
#include <variant>

namespace dgkafka::load {

struct ResetTimeText {
    std::string text;          // for ::timestamptz, with an explicit zone
    bool utc_assumed = false;  // the input had no zone: " UTC" was added
};
struct ResetTimeError {
    std::string why;
};

// epoch ms (int64_t), the ISO text for the database, or why TIME is refused.
std::variant<int64_t, ResetTimeText, ResetTimeError> read_reset_time(const std::string& time);

}  // namespace dgkafka::load
