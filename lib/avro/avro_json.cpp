#include "avro/avro_json.hpp"

#include <avro.h>
#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "avro/datum_guard.hpp"
#include "avro/logical_text.hpp"
#include "avro/schema_tree.hpp"
#include "util/utf8.hpp"

namespace dgkafka::avro {

namespace {
using Logical = Node::Logical;
using nlohmann::json;

void append_hex_bytea(std::string& out, const void* data, size_t size) {
    static const char digits[] = "0123456789abcdef";
    out += "\"\\\\x";
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    out += '"';
}

// A JSON string; false when the text is not UTF-8.
bool append_string(std::string& out, std::string_view s) {
    if (utf8::invalid_at(s) != std::string_view::npos) return false;
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            out += fmt::format("\\u{:04x}", c);
        } else {
            out += ch;
        }
    }
    out += '"';
    return true;
}

// A logical type's text as a JSON string (a decimal as a JSON number); false with `reason` when
// PostgreSQL's type cannot hold it.
template <class Append>
bool append_quoted(std::string& out, std::string& reason, const char* what, bool quoted, Append&& append) {
    const size_t mark = out.size();
    if (quoted) out += '"';
    if (!append()) {
        out.resize(mark);
        reason = fmt::format("{} out of range", what);
        return false;
    }
    if (quoted) out += '"';
    return true;
}

// io.debezium.data.Bits: `bits` bits of little-endian bytes (bit 0 is the last digit), as
// PostgreSQL's bit string; every bit of the bytes when the length is unknown (-1).
void append_bits(std::string& out, const unsigned char* p, size_t size, int64_t bits) {
    const size_t n = bits < 0 || static_cast<uint64_t>(bits) > size * 8 ? size * 8 : static_cast<size_t>(bits);
    out += '"';
    for (size_t i = n; i-- > 0;) out += (p[i / 8] >> (i % 8)) & 1 ? '1' : '0';
    out += '"';
}

void append_double(std::string& out, double d) {
    if (std::isnan(d))
        out += "\"NaN\"";
    else if (std::isinf(d))
        out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    else
        out += fmt::format("{}", d);
}

class Writer {
  public:
    Writer(std::string& out, std::string& reason) : out_(out), reason_(reason) {}

    bool value(avro_value_t& v, const Node* n) {
        const Logical logical = n ? n->logical : Logical::none;
        switch (avro_value_get_type(&v)) {
            case AVRO_NULL:
                out_ += "null";
                return true;
            case AVRO_BOOLEAN: {
                int b = 0;
                avro_value_get_boolean(&v, &b);
                out_ += b ? "true" : "false";
                return true;
            }
            case AVRO_INT32: {
                int32_t i = 0;
                avro_value_get_int(&v, &i);
                if (logical == Logical::date)
                    return append_quoted(out_, reason_, "date", true, [&] { return append_date(out_, i); });
                if (logical == Logical::time_millis)
                    return append_quoted(out_, reason_, "time", true,
                                         [&] { return append_time_of_day(out_, i, 1000); });
                out_ += std::to_string(i);
                return true;
            }
            case AVRO_INT64: {
                int64_t i = 0;
                avro_value_get_long(&v, &i);
                const auto time = [&](int64_t per_second) {
                    return append_quoted(out_, reason_, "time", true,
                                         [&] { return append_time_of_day(out_, i, per_second); });
                };
                const auto timestamp = [&](int64_t per_second, bool utc) {
                    return append_quoted(out_, reason_, "timestamp", true,
                                         [&] { return append_timestamp(out_, i, per_second, 'T', utc ? "Z" : ""); });
                };
                switch (logical) {
                    case Logical::time_micros:
                        return time(1000000);
                    case Logical::time_nanos:
                        return time(1000000000);
                    case Logical::ts_millis:
                        return timestamp(1000, true);
                    case Logical::ts_micros:
                        return timestamp(1000000, true);
                    case Logical::local_ts_millis:
                        return timestamp(1000, false);
                    case Logical::local_ts_micros:
                        return timestamp(1000000, false);
                    case Logical::local_ts_nanos:
                        return timestamp(1000000000, false);
                    default:
                        out_ += std::to_string(i);
                        return true;
                }
            }
            case AVRO_FLOAT: {
                float f = 0;
                avro_value_get_float(&v, &f);
                if (std::isfinite(f))
                    out_ += fmt::format("{}", f);
                else
                    append_double(out_, f);
                return true;
            }
            case AVRO_DOUBLE: {
                double d = 0;
                avro_value_get_double(&v, &d);
                append_double(out_, d);
                return true;
            }
            case AVRO_STRING: {
                const char* s = nullptr;
                size_t size = 0;
                avro_value_get_string(&v, &s, &size);  // size counts the terminating NUL
                const std::string_view text(s, size ? size - 1 : 0);
                if (logical == Logical::json_text) return json_value(text);
                if (append_string(out_, text)) return true;
                reason_ = "a string that is not UTF-8";
                return false;
            }
            case AVRO_BYTES: {
                const void* p = nullptr;
                size_t size = 0;
                avro_value_get_bytes(&v, &p, &size);
                return bytes(p, size, logical, n);
            }
            case AVRO_FIXED: {
                const void* p = nullptr;
                size_t size = 0;
                avro_value_get_fixed(&v, &p, &size);
                return bytes(p, size, logical, n);
            }
            case AVRO_ENUM: {
                int symbol = 0;
                avro_value_get_enum(&v, &symbol);
                const char* name = avro_schema_enum_get(avro_value_get_schema(&v), symbol);
                if (!name) {
                    reason_ = fmt::format("enum symbol {} out of range", symbol);
                    return false;
                }
                append_string(out_, name);
                return true;
            }
            case AVRO_UNION: {
                int which = 0;
                avro_value_t branch;
                avro_value_get_discriminant(&v, &which);
                avro_value_get_current_branch(&v, &branch);
                return value(branch, child(n, static_cast<size_t>(which)));
            }
            case AVRO_RECORD:
                if (logical == Logical::variable_decimal) return variable_decimal(v);
                return members(v, n, true);
            case AVRO_MAP:
                return members(v, n, false);
            case AVRO_ARRAY: {
                size_t count = 0;
                avro_value_get_size(&v, &count);
                out_ += '[';
                for (size_t i = 0; i < count; ++i) {
                    avro_value_t item;
                    avro_value_get_by_index(&v, i, &item, nullptr);
                    if (i) out_ += ',';
                    if (!value(item, child(n, 0))) return false;
                }
                out_ += ']';
                return true;
            }
            default:
                reason_ = "a type dgkafka does not know";
                return false;
        }
    }

  private:
    static const Node* child(const Node* n, size_t i) { return n && i < n->children.size() ? n->children[i] : nullptr; }

    bool bytes(const void* p, size_t size, Logical logical, const Node* n) {
        const auto* b = static_cast<const unsigned char*>(p);
        if (logical == Logical::decimal) return decimal(b, size, n->scale);
        if (logical == Logical::bits)
            append_bits(out_, b, size, n->size);
        else
            append_hex_bytea(out_, p, size);
        return true;
    }

    bool decimal(const unsigned char* p, size_t size, int scale) {
        if (append_decimal(out_, p, size, scale)) return true;
        reason_ =
            fmt::format("a decimal of {} bytes with scale {}: more than dgkafka takes ({} bytes, scale within ±{})",
                        size, scale, max_decimal_bytes, max_decimal_scale);
        return false;
    }

    // io.debezium.data.VariableScaleDecimal: {scale: int, value: bytes} as one exact number.
    bool variable_decimal(avro_value_t& v) {
        avro_value_t scale_v, value_v;
        int32_t scale = 0;
        const void* p = nullptr;
        size_t size = 0;
        avro_value_get_by_index(&v, 0, &scale_v, nullptr);
        avro_value_get_by_index(&v, 1, &value_v, nullptr);
        avro_value_get_int(&scale_v, &scale);
        avro_value_get_bytes(&value_v, &p, &size);
        return decimal(static_cast<const unsigned char*>(p), size, scale);
    }

    // io.debezium.data.Json: the JSON the string holds, as a value of the document.
    bool json_value(std::string_view text) {
        if (!json::accept(text.begin(), text.end())) {
            reason_ = "an io.debezium.data.Json string that is not JSON";
            return false;
        }
        out_ += text;  // verbatim: numbers keep every digit
        return true;
    }

    // A record's fields (node children by field index) or a map's entries (node child 0).
    bool members(avro_value_t& v, const Node* n, bool record) {
        size_t count = 0;
        avro_value_get_size(&v, &count);
        out_ += '{';
        for (size_t i = 0; i < count; ++i) {
            avro_value_t member;
            const char* name = nullptr;
            avro_value_get_by_index(&v, i, &member, &name);
            if (i) out_ += ',';
            append_string(out_, name ? name : "");
            out_ += ':';
            if (!value(member, child(n, record ? i : 0))) return false;
        }
        out_ += '}';
        return true;
    }

    std::string& out_;
    std::string& reason_;
};

// avro-c keeps its last error and glues the next one in front of it ("…bufferCannot read…"):
// each call starts from an empty text, so avro_strerror() says this call's error alone.
void forget_avro_error() { avro_set_error("%s", ""); }

}  // namespace

struct Schema::Impl {
    avro_schema_t schema = nullptr;
    avro_value_iface_t* iface = nullptr;
    avro_value_t value{};
    avro_reader_t reader = nullptr;
    std::unique_ptr<SchemaTree> tree;

    ~Impl() {
        if (reader) avro_reader_free(reader);
        if (value.iface) avro_value_decref(&value);
        if (iface) avro_value_iface_decref(iface);
        if (schema) avro_schema_decref(schema);
    }
};

Schema::~Schema() = default;

std::unique_ptr<Schema> Schema::parse(std::string_view text, std::string& error) {
    std::unique_ptr<Schema> s(new Schema);
    s->impl_ = std::make_unique<Impl>();
    Impl& impl = *s->impl_;
    forget_avro_error();
    if (avro_schema_from_json_length(text.data(), text.size(), &impl.schema) != 0) {
        error = fmt::format("not an Avro schema: {}", avro_strerror());
        impl.schema = nullptr;
        return nullptr;
    }
    try {
        impl.tree = std::make_unique<SchemaTree>(json::parse(text));
    } catch (const std::exception& e) {
        error = fmt::format("not an Avro schema: {}", e.what());
        return nullptr;
    }
    if (const std::string endless = impl.tree->endless_record(); !endless.empty()) {
        error = fmt::format(
            "record {} always contains itself (no null, array or map to end on): no message can hold it", endless);
        return nullptr;
    }
    forget_avro_error();
    impl.iface = avro_generic_class_from_schema(impl.schema);
    if (!impl.iface || avro_generic_value_new(impl.iface, &impl.value) != 0) {
        error = fmt::format("cannot use the Avro schema: {}", avro_strerror());
        return nullptr;
    }
    impl.reader = avro_reader_memory(nullptr, 0);
    return s;
}

bool Schema::to_json(std::string_view body, std::string& out, std::string& reason) {
    Impl& impl = *impl_;
    if (!within_limits(impl.tree->root(), body, reason)) return false;
    avro_reader_memory_set_source(impl.reader, body.data(), static_cast<int64_t>(body.size()));
    avro_value_reset(&impl.value);
    forget_avro_error();
    if (avro_value_read(impl.reader, &impl.value) != 0) {
        reason = fmt::format("not Avro of its schema (truncated or corrupt): {}", avro_strerror());
        return false;
    }
    char extra;
    if (avro_read(impl.reader, &extra, 1) == 0) {
        reason = "not Avro of its schema: bytes left after the record";
        return false;
    }
    const size_t mark = out.size();
    Writer writer(out, reason);
    if (writer.value(impl.value, &impl.tree->root())) return true;
    out.resize(mark);
    reason = "not Avro of its schema: " + reason;
    return false;
}

}  // namespace dgkafka::avro
