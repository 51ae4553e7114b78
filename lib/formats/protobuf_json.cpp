#include "formats/protobuf_json.hpp"

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <string_view>

namespace dgkafka::formats::protobuf {

namespace {
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::util::TimeUtil;

void append_string(std::string& out, std::string_view s) {
    out += '"';
    size_t plain = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + plain, i - plain);
        plain = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        }
    }
    out.append(s.data() + plain, s.size() - plain);
    out += '"';
}

void append_base64(std::string& out, std::string_view bytes) {
    static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out += '"';
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t v = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                           (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += digits[v >> 18];
        out += digits[(v >> 12) & 63];
        out += digits[(v >> 6) & 63];
        out += digits[v & 63];
    }
    if (const size_t rest = bytes.size() - i) {
        uint32_t v = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (rest == 2) v |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out += digits[v >> 18];
        out += digits[(v >> 12) & 63];
        out += rest == 2 ? digits[(v >> 6) & 63] : '=';
        out += '=';
    }
    out += '"';
}

template <class Float>
void append_float(std::string& out, Float v) {
    if (std::isnan(v))
        out += "\"NaN\"";
    else if (std::isinf(v))
        out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    else
        fmt::format_to(std::back_inserter(out), "{}", v);  // the shortest text that reads back the same
}

class Printer {
  public:
    Printer(std::string& out, std::string& reason) : out_(out), reason_(reason) {}

    bool message(const Message& m) {
        const Descriptor* d = m.GetDescriptor();
        if (d->file()->name().rfind("google/protobuf/", 0) == 0) {
            if (const int done = well_known(m, d); done >= 0) return done == 1;
        }
        const Reflection* r = m.GetReflection();
        out_ += '{';
        bool first = true;
        for (int i = 0; i < d->field_count(); ++i) {
            const FieldDescriptor* f = d->field(i);
            // Presence: a set field always; an unset one only when it is a plain scalar (its default)
            // or a repeated field or map (empty).
            if (!f->is_repeated() && (f->containing_oneof() || f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) &&
                !r->HasField(m, f))
                continue;
            if (!first) out_ += ',';
            first = false;
            append_string(out_, f->name());
            out_ += ':';
            if (!field(m, r, f)) return false;
        }
        out_ += '}';
        return true;
    }

  private:
    bool field(const Message& m, const Reflection* r, const FieldDescriptor* f) {
        if (f->is_map()) {
            out_ += '{';
            const int n = r->FieldSize(m, f);
            const FieldDescriptor* key = f->message_type()->map_key();
            const FieldDescriptor* value = f->message_type()->map_value();
            for (int i = 0; i < n; ++i) {
                const Message& entry = r->GetRepeatedMessage(m, f, i);
                const Reflection* er = entry.GetReflection();
                if (i) out_ += ',';
                if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
                    append_string(out_, er->GetStringReference(entry, key, &scratch_));
                } else {
                    out_ += '"';
                    scalar(entry, er, key, -1, true);
                    out_ += '"';
                }
                out_ += ':';
                if (!scalar(entry, er, value, -1, false)) return false;
            }
            out_ += '}';
            return true;
        }
        if (f->is_repeated()) {
            out_ += '[';
            const int n = r->FieldSize(m, f);
            for (int i = 0; i < n; ++i) {
                if (i) out_ += ',';
                if (!scalar(m, r, f, i, false)) return false;
            }
            out_ += ']';
            return true;
        }
        return scalar(m, r, f, -1, false);
    }

    // One value of f: the singular one (index -1) or element `index`. `bare`: a map key, 64-bit
    // integers unquoted (the caller quotes every key).
    bool scalar(const Message& m, const Reflection* r, const FieldDescriptor* f, int index, bool bare) {
        const bool one = index < 0;
        switch (f->cpp_type()) {
            case FieldDescriptor::CPPTYPE_INT32:
                fmt::format_to(std::back_inserter(out_), "{}",
                               one ? r->GetInt32(m, f) : r->GetRepeatedInt32(m, f, index));
                return true;
            case FieldDescriptor::CPPTYPE_UINT32:
                fmt::format_to(std::back_inserter(out_), "{}",
                               one ? r->GetUInt32(m, f) : r->GetRepeatedUInt32(m, f, index));
                return true;
            case FieldDescriptor::CPPTYPE_INT64:
                fmt::format_to(std::back_inserter(out_), bare ? "{}" : "\"{}\"",
                               one ? r->GetInt64(m, f) : r->GetRepeatedInt64(m, f, index));
                return true;
            case FieldDescriptor::CPPTYPE_UINT64:
                fmt::format_to(std::back_inserter(out_), bare ? "{}" : "\"{}\"",
                               one ? r->GetUInt64(m, f) : r->GetRepeatedUInt64(m, f, index));
                return true;
            case FieldDescriptor::CPPTYPE_DOUBLE:
                append_float(out_, one ? r->GetDouble(m, f) : r->GetRepeatedDouble(m, f, index));
                return true;
            case FieldDescriptor::CPPTYPE_FLOAT:
                append_float(out_, one ? r->GetFloat(m, f) : r->GetRepeatedFloat(m, f, index));
                return true;
            case FieldDescriptor::CPPTYPE_BOOL:
                out_ += (one ? r->GetBool(m, f) : r->GetRepeatedBool(m, f, index)) ? "true" : "false";
                return true;
            case FieldDescriptor::CPPTYPE_ENUM: {
                const int number = one ? r->GetEnumValue(m, f) : r->GetRepeatedEnumValue(m, f, index);
                if (f->enum_type()->full_name() == "google.protobuf.NullValue") {
                    out_ += "null";
                } else if (const auto* v = f->enum_type()->FindValueByNumber(number)) {
                    append_string(out_, v->name());
                } else {
                    fmt::format_to(std::back_inserter(out_), "{}", number);  // a value this schema does not name
                }
                return true;
            }
            case FieldDescriptor::CPPTYPE_STRING: {
                const std::string& s = one ? r->GetStringReference(m, f, &scratch_)
                                           : r->GetRepeatedStringReference(m, f, index, &scratch_);
                if (f->type() == FieldDescriptor::TYPE_BYTES)
                    append_base64(out_, s);
                else
                    append_string(out_, s);
                return true;
            }
            case FieldDescriptor::CPPTYPE_MESSAGE:
                return message(one ? r->GetMessage(m, f) : r->GetRepeatedMessage(m, f, index));
        }
        return true;
    }

    // A well-known type in its JSON form: 1 written, 0 refused (reason set), -1 not one.
    int well_known(const Message& m, const Descriptor* d) {
        const std::string& name = d->full_name();
        const Reflection* r = m.GetReflection();
        if (name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration") {
            const int64_t seconds = r->GetInt64(m, d->field(0));
            const int32_t nanos = r->GetInt32(m, d->field(1));
            if (name == "google.protobuf.Timestamp") {
                if (seconds < TimeUtil::kTimestampMinSeconds || seconds > TimeUtil::kTimestampMaxSeconds || nanos < 0 ||
                    nanos > 999999999) {
                    reason_ = fmt::format("Timestamp {}s {}ns: out of range (years 1 to 9999)", seconds, nanos);
                    return 0;
                }
                google::protobuf::Timestamp t;
                t.set_seconds(seconds);
                t.set_nanos(nanos);
                append_string(out_, TimeUtil::ToString(t));
                return 1;
            }
            if (seconds < TimeUtil::kDurationMinSeconds || seconds > TimeUtil::kDurationMaxSeconds ||
                nanos < -999999999 || nanos > 999999999 || (seconds < 0 && nanos > 0) || (seconds > 0 && nanos < 0)) {
                reason_ = fmt::format("Duration {}s {}ns: out of range", seconds, nanos);
                return 0;
            }
            google::protobuf::Duration t;
            t.set_seconds(seconds);
            t.set_nanos(nanos);
            append_string(out_, TimeUtil::ToString(t));
            return 1;
        }
        if (name == "google.protobuf.DoubleValue" || name == "google.protobuf.FloatValue" ||
            name == "google.protobuf.Int64Value" || name == "google.protobuf.UInt64Value" ||
            name == "google.protobuf.Int32Value" || name == "google.protobuf.UInt32Value" ||
            name == "google.protobuf.BoolValue" || name == "google.protobuf.StringValue" ||
            name == "google.protobuf.BytesValue")
            return scalar(m, r, d->field(0), -1, false) ? 1 : 0;
        if (name == "google.protobuf.Struct") return struct_fields(m, r, d) ? 1 : 0;
        if (name == "google.protobuf.ListValue") return list_values(m, r, d) ? 1 : 0;
        if (name == "google.protobuf.Value") return value(m, r, d) ? 1 : 0;
        if (name == "google.protobuf.Empty") {
            out_ += "{}";
            return 1;
        }
        if (name == "google.protobuf.Any" || name == "google.protobuf.FieldMask") {
            google::protobuf::util::JsonPrintOptions options;
            options.always_print_primitive_fields = true;
            options.preserve_proto_field_names = true;
            std::string json;
            const auto status = google::protobuf::util::MessageToJsonString(m, &json, options);
            if (!status.ok()) {
                reason_ = name + ": " + status.ToString();
                return 0;
            }
            out_ += json;
            return 1;
        }
        return -1;
    }

    bool struct_fields(const Message& m, const Reflection* r, const Descriptor* d) {  // map<string, Value> fields = 1
        const FieldDescriptor* fields = d->field(0);
        out_ += '{';
        for (int i = 0, n = r->FieldSize(m, fields); i < n; ++i) {
            const Message& entry = r->GetRepeatedMessage(m, fields, i);
            const Descriptor* ed = entry.GetDescriptor();
            if (i) out_ += ',';
            append_string(out_, entry.GetReflection()->GetStringReference(entry, ed->map_key(), &scratch_));
            out_ += ':';
            if (!message(entry.GetReflection()->GetMessage(entry, ed->map_value()))) return false;
        }
        out_ += '}';
        return true;
    }

    bool list_values(const Message& m, const Reflection* r, const Descriptor* d) {  // repeated Value values = 1
        out_ += '[';
        for (int i = 0, n = r->FieldSize(m, d->field(0)); i < n; ++i) {
            if (i) out_ += ',';
            if (!message(r->GetRepeatedMessage(m, d->field(0), i))) return false;
        }
        out_ += ']';
        return true;
    }

    bool value(const Message& m, const Reflection* r, const Descriptor* d) {  // oneof kind
        const FieldDescriptor* kind = r->GetOneofFieldDescriptor(m, d->oneof_decl(0));
        if (!kind || kind->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
            out_ += "null";
            return true;
        }
        if (kind->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE && !std::isfinite(r->GetDouble(m, kind))) {
            reason_ = fmt::format("google.protobuf.Value: number {} has no JSON form", r->GetDouble(m, kind));
            return false;
        }
        return scalar(m, r, kind, -1, false);
    }

    std::string& out_;
    std::string& reason_;
    std::string scratch_;
};
}  // namespace

bool append_json(const Message& message, std::string& out, std::string& reason) {
    return Printer(out, reason).message(message);
}

}  // namespace dgkafka::formats::protobuf
