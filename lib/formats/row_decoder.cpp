#include "formats/row_decoder.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "util/utf8.hpp"

namespace dgkafka::formats {

bool refuse_text(std::string_view value, int what, std::string& reason) {
    const std::string name = what == json_text     ? std::string("the JSON text")
                             : what == message_key ? std::string("the message key")
                                                   : fmt::format("field {}", what);
    if (const size_t bad = utf8::invalid_at(value); bad != std::string_view::npos)
        reason = fmt::format("invalid UTF-8 in {} at byte {}", name, bad + 1);
    else
        reason = fmt::format("NUL byte in {}", name);
    return false;
}

MetadataColumns::MetadataColumns(const Config& cfg, bool with_metadata)
    : headers_(with_metadata && cfg.reads_headers()),
      with_metadata_(with_metadata),
      key_bytes_(with_metadata && cfg.references("_key_bytes")),
      key_text_needed_(with_metadata && cfg.references("_key")) {}

void MetadataColumns::append_position(const Message& m, std::string& out) {
    out += '\t';
    copy_text::append_int(out, m.partition);
    out += '\t';
    copy_text::append_int(out, m.offset);
    out += '\t';
    if (m.timestamp_ms < 0)
        copy_text::append_null(out);
    else
        append_timestamp(out, m.timestamp_ms);
    if (key_bytes_) {
        out += '\t';
        if (m.has_key)
            copy_text::append_bytea(out, m.key);
        else
            copy_text::append_null(out);
    }
}

void MetadataColumns::append_headers(const rd_kafka_headers_t* headers, std::string& out) {
    nlohmann::json doc = nlohmann::json::object();
    const auto text = [](const void* p, size_t n) -> nlohmann::json {
        if (!p) return nullptr;
        const std::string_view s(static_cast<const char*>(p), n);
        if (utf8::invalid_at(s) == std::string_view::npos && s.find('\0') == std::string_view::npos)
            return std::string(s);
        std::string hex = "\\x";
        for (const unsigned char c : s) hex += fmt::format("{:02x}", c);
        return hex;
    };
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         headers && rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
        doc[text(name, std::strlen(name)).get<std::string>()] = text(value, size);
    copy_text::append_text(out, doc.dump());  // valid UTF-8 without NUL by construction
}

void MetadataColumns::append_timestamp(std::string& out, int64_t ms) {
    const int64_t second = ms / 1000;
    if (second != cached_second_) {
        const std::time_t t = static_cast<std::time_t>(second);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        cached_prefix_ = buf;
        cached_second_ = second;
    }
    out += cached_prefix_;
    char frac[8];
    const int n = std::snprintf(frac, sizeof frac, ".%03d+00", static_cast<int>(ms % 1000));
    out.append(frac, static_cast<size_t>(n));
}

}  // namespace dgkafka::formats
