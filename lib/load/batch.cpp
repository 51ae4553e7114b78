#include "load/batch.hpp"

#include "formats/copy_text.hpp"

namespace dgkafka {

Rejects::Rejects(const std::string& group, const std::string& topic) {
    copy_text::append_text(prefix_, group);
    prefix_ += '\t';
    copy_text::append_text(prefix_, topic);
    prefix_ += '\t';
}

void Rejects::add(const rd_kafka_message_t* m, std::string_view error, std::string_view sqlstate) {
    lines_ += prefix_;
    copy_text::append_int(lines_, m->partition);
    lines_ += '\t';
    copy_text::append_int(lines_, m->offset);
    lines_ += '\t';
    if (m->key) copy_text::append_bytea(lines_, {static_cast<const char*>(m->key), m->key_len});
    else copy_text::append_null(lines_);
    lines_ += '\t';
    if (m->payload) copy_text::append_bytea(lines_, {static_cast<const char*>(m->payload), m->len});
    else copy_text::append_null(lines_);
    lines_ += '\t';
    copy_text::append_text(lines_, error);  // our reasons and server messages: valid UTF-8, no NUL
    lines_ += '\t';
    if (sqlstate.empty()) copy_text::append_null(lines_);
    else copy_text::append_text(lines_, sqlstate);
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

void Batch::clear() {
    for (auto* m : messages) rd_kafka_message_destroy(m);
    messages.clear();
    rows.clear();
    row_start.clear();
    row_message.clear();
    ranges.clear();
    rejects.clear();
}

}  // namespace dgkafka
