#include "avro/logical_text.hpp"

#include <fmt/format.h>

#include <vector>

namespace dgkafka::avro {

namespace {
// PostgreSQL's range: its dates start at 4714-11-24 BC (day -2,440,588), its timestamps end in
// 294276 AD, its dates in 5874897 AD.
constexpr int64_t first_day = -2440588, last_date_day = 2145042905, last_timestamp_day = 106762939;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int fraction_digits(int64_t per_second) {
    int digits = 0;
    for (int64_t p = per_second; p > 1; p /= 10) ++digits;
    return digits;
}

struct Civil {
    int64_t year;
    unsigned month, day;
};

// Days since 1970-01-01 to the proleptic Gregorian calendar (Howard Hinnant's civil_from_days).
Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

// 'YYYY-MM-DD', and whether it is BC (year 0 is 1 BC).
bool append_civil_date(std::string& out, int64_t days) {
    const Civil c = civil_from_days(days);
    const bool bc = c.year <= 0;
    out += fmt::format("{:04}-{:02}-{:02}", bc ? 1 - c.year : c.year, c.month, c.day);
    return bc;
}

void append_clock(std::string& out, int64_t seconds, int64_t frac, int digits) {
    out += fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
    if (digits > 0) out += fmt::format(".{:0{}}", frac, digits);
}
}  // namespace

bool append_decimal(std::string& out, const unsigned char* p, size_t n, int scale) {
    if (n > max_decimal_bytes || scale > max_decimal_scale || scale < -max_decimal_scale) return false;
    std::vector<unsigned char> mag(p, p + n);
    const bool negative = n && (p[0] & 0x80);
    if (negative) {  // magnitude = ~x + 1
        for (auto& b : mag) b = static_cast<unsigned char>(~b);
        for (size_t i = mag.size(); i-- > 0;)
            if (++mag[i] != 0) break;
    }
    std::string digits;  // least significant first
    size_t start = 0;
    while (start < mag.size() && mag[start] == 0) ++start;
    while (start < mag.size()) {  // repeated division by 10
        unsigned rem = 0;
        for (size_t i = start; i < mag.size(); ++i) {
            const unsigned cur = rem * 256 + mag[i];
            mag[i] = static_cast<unsigned char>(cur / 10);
            rem = cur % 10;
        }
        digits += static_cast<char>('0' + rem);
        while (start < mag.size() && mag[start] == 0) ++start;
    }
    const bool zero = digits.empty();
    if (zero) digits = "0";
    if (scale > 0) {
        while (digits.size() <= static_cast<size_t>(scale)) digits += '0';
        digits.insert(static_cast<size_t>(scale), ".");
    }
    if (negative && !zero) out += '-';
    out.append(digits.rbegin(), digits.rend());
    if (scale < 0 && !zero) out.append(static_cast<size_t>(-scale), '0');
    return true;
}

bool append_date(std::string& out, int64_t days) {
    if (days < first_day || days > last_date_day) return false;
    if (append_civil_date(out, days)) out += " BC";
    return true;
}

bool append_time_of_day(std::string& out, int64_t units, int64_t per_second) {
    if (units < 0 || units / per_second > 86400 || (units / per_second == 86400 && units % per_second != 0))
        return false;
    append_clock(out, units / per_second, units % per_second, fraction_digits(per_second));
    return true;
}

bool append_timestamp(std::string& out, int64_t units, int64_t per_second, char separator, std::string_view zone) {
    const int64_t seconds = floor_div(units, per_second);
    int64_t frac = units % per_second;  // not units - seconds * per_second: that overflows near the limits
    if (frac < 0) frac += per_second;
    const int64_t days = floor_div(seconds, 86400);
    if (days < first_day || days > last_timestamp_day) return false;
    const bool bc = append_civil_date(out, days);
    out += separator;
    append_clock(out, seconds - days * 86400, frac, fraction_digits(per_second));
    out += zone;
    if (bc) out += " BC";
    return true;
}

}  // namespace dgkafka::avro
