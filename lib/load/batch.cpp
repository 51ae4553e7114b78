#include "load/batch.hpp"

#include "formats/copy_text.hpp"

namespace dgkafka::load {

Rejects::Rejects(const std::string& group, const std::string& topic) {
    copy_text::append_text(prefix_, group);
    prefix_ += '\t';
    copy_text::append_text(prefix_, topic);
    prefix_ += '\t';
}

void Rejects::add(const Message& m, std::string_view error, std::string_view sqlstate) {
    lines_ += prefix_;
    copy_text::append_int(lines_, m.partition);
    lines_ += '\t';
    copy_text::append_int(lines_, m.offset);
    lines_ += '\t';
    if (m.has_key)
        copy_text::append_bytea(lines_, m.key);
    else
        copy_text::append_null(lines_);
    lines_ += '\t';
    if (m.value.data())
        copy_text::append_bytea(lines_, m.value);
    else
        copy_text::append_null(lines_);  // a tombstone has no value, not an empty one
    lines_ += '\t';
    copy_text::append_text(lines_, error);  // our reasons and server messages: valid UTF-8, no NUL
    lines_ += '\t';
    if (sqlstate.empty())
        copy_text::append_null(lines_);
    else
        copy_text::append_text(lines_, sqlstate);
    lines_ += '\n';
    last_error_ = std::string(error);
    ++count_;
}

void Rejects::clear() {
    lines_.clear();
    last_error_.clear();
    count_ = 0;
}

std::string_view Batch::row(size_t i) const {
    const size_t end = i + 1 < row_start.size() ? row_start[i + 1] : rows.size();
    return std::string_view(rows).substr(row_start[i], end - row_start[i]);
}

uint32_t Batch::keep(const Message& m) {
    Kept k{raw_.size(), m.value.size(),           0, m.key.size(), m.offset, m.timestamp_ms, m.partition,
           m.has_key,   m.value.data() != nullptr};
    raw_.append(m.value);
    k.key_at = raw_.size();
    raw_.append(m.key);
    kept_.push_back(k);
    return static_cast<uint32_t>(kept_.size() - 1);
}

Message Batch::message(uint32_t i) const {
    const Kept& k = kept_[i];
    Message m;
    if (k.has_value) m.value = std::string_view(raw_).substr(k.value_at, k.value_len);
    m.key = std::string_view(raw_).substr(k.key_at, k.key_len);
    m.has_key = k.has_key;
    m.partition = k.partition;
    m.offset = k.offset;
    m.timestamp_ms = k.timestamp_ms;
    return m;
}

void Batch::clear() {
    rows.clear();
    row_start.clear();
    row_message.clear();
    ranges.clear();
    rejects.clear();
    target_rows.clear();
    unmatched = 0;
    raw_.clear();
    kept_.clear();
}

void Batch::trim(size_t bytes) {
    if (rows.capacity() > bytes) std::string().swap(rows);
    if (raw_.capacity() > bytes) std::string().swap(raw_);
}

}  // namespace dgkafka::load
