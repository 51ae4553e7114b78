#pragma once
// Logical types' values as the text PostgreSQL reads for their natural column type, shared by
// Avro (avro_json) and Kafka Connect's JSON converter (formats/connect_schema): an exact decimal
// from two's-complement bytes, a date from days, a time of day and a timestamp from units since
// midnight or the epoch. Nothing quoted: callers add what their output needs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dgkafka::avro {

// The most bytes an unscaled decimal may have (9,864 digits): converting it costs its size
// squared, and PostgreSQL's numeric takes at most 131,072 digits before the point anyway.
inline constexpr size_t max_decimal_bytes = 4096;
// The scales a decimal may have: PostgreSQL's numeric keeps at most 16,383 digits after the point.
inline constexpr int max_decimal_scale = 16383;

// A big-endian two's-complement integer scaled down by 10^scale (a negative scale appends zeros),
// exact. False when it is larger than max_decimal_bytes or |scale| > max_decimal_scale.
bool append_decimal(std::string& out, const unsigned char* p, size_t n, int scale);

// Units of 1/per_second seconds (per_second a power of ten: 1, 1000, 10^6, 10^9).
// 'YYYY-MM-DD' from days since 1970-01-01; years before 1 as PostgreSQL writes them ('0044-03-15 BC').
// False when the date is beyond what PostgreSQL's date holds.
bool append_date(std::string& out, int64_t days);
// 'HH:MM:SS.fff' (as many fraction digits as per_second has zeros) since midnight; false unless
// 0 <= units <= 24:00:00.
bool append_time_of_day(std::string& out, int64_t units, int64_t per_second);
// 'YYYY-MM-DD HH:MM:SS.fff' (separator 'T' or ' ') since the epoch, then `zone` ("Z" or none);
// false beyond what PostgreSQL's timestamp holds.
bool append_timestamp(std::string& out, int64_t units, int64_t per_second, char separator = ' ',
                      std::string_view zone = {});

}  // namespace dgkafka::avro
