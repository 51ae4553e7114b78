#include "load/reset_time.hpp"

#include <cctype>
#include <limits>

namespace dgkafka::load {

namespace {
bool digits(const std::string& s, size_t from, size_t n) {
    if (s.size() < from + n) return false;
    for (size_t i = from; i < from + n; ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
}
}  // namespace

std::variant<int64_t, ResetTimeText, ResetTimeError> read_reset_time(const std::string& time) {
    if (time.empty())
        return ResetTimeError{"empty: give an ISO 8601 time (2024-02-29T13:00:00Z) or epoch milliseconds"};
    if (time.find_first_not_of("0123456789") == std::string::npos) {
        if (time.size() > 18) return ResetTimeError{"epoch milliseconds out of range"};
        return static_cast<int64_t>(std::stoll(time));
    }
    const bool date =
        digits(time, 0, 4) && time[4] == '-' && digits(time, 5, 2) && time[7] == '-' && digits(time, 8, 2);
    const std::string rest = date ? time.substr(10) : "";
    if (!date || rest.find_first_not_of("0123456789:.+- TZz") != std::string::npos ||
        (!rest.empty() && rest[0] != 'T' && rest[0] != ' '))
        return ResetTimeError{
            "not an ISO 8601 time (2024-02-29, 2024-02-29T13:00:00Z, 2024-02-29 13:00:00+01) "
            "nor epoch milliseconds"};
    const bool zone =
        !rest.empty() && (rest.back() == 'Z' || rest.back() == 'z' || rest.find_first_of("+-") != std::string::npos);
    if (zone) return ResetTimeText{time, false};
    return ResetTimeText{time + " UTC", true};
}

}  // namespace dgkafka::load
