#include "kafka/group_offsets.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "util/errors.hpp"

namespace dgkafka::kafka {

namespace {
constexpr std::string_view mark_prefix = "dgkafka output_table=";

HandlePtr group_client(const std::string& brokers, const Properties& user, const std::string& group) {
    return make_handle(
        RD_KAFKA_CONSUMER,
        make_conf(brokers, {{"group.id", group}, {"client.id", "dgkafka-offsets"}, {"enable.auto.commit", "false"}},
                  user));
}

void close(HandlePtr rk) { rd_kafka_destroy_flags(rk.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE); }
}  // namespace

std::string commit_mark(const std::string& output_table) { return std::string(mark_prefix) + output_table; }

std::optional<std::string> marked_table(const std::string& metadata) {
    if (metadata.compare(0, mark_prefix.size(), mark_prefix) != 0) return std::nullopt;
    return metadata.substr(mark_prefix.size());
}

void mark(rd_kafka_topic_partition_list_t* list, const std::string& mark) {
    for (int i = 0; i < list->cnt; ++i) {
        auto& e = list->elems[i];
        std::free(e.metadata);  // librdkafka frees it with the list
        e.metadata = std::malloc(mark.size());
        std::memcpy(e.metadata, mark.data(), mark.size());
        e.metadata_size = mark.size();
    }
}

GroupOffsets group_offsets(const std::string& brokers, const Properties& user, const std::string& group,
                           const std::string& topic, int partitions) {
    auto rk = group_client(brokers, user, group);
    Offsets wanted;
    for (int p = 0; p < partitions; ++p) wanted[p] = RD_KAFKA_OFFSET_INVALID;
    auto list = make_list(topic, wanted);
    if (const auto err = rd_kafka_committed(rk.get(), list.get(), metadata_timeout_ms)) {
        const auto message =
            fmt::format("cannot read the committed offsets of consumer group {}: {}", group, error_text(err));
        if (is_transient(err)) throw Unavailable(Exit::kafka, message);
        throw Error(Exit::kafka, message);
    }
    GroupOffsets out;
    for (int i = 0; i < list->cnt; ++i) {
        const auto& e = list->elems[i];
        if (e.offset < 0) continue;
        out[e.partition] = {
            e.offset, e.metadata ? std::string(static_cast<const char*>(e.metadata), e.metadata_size) : std::string()};
    }
    close(std::move(rk));
    return out;
}

std::string commit_marked(const std::string& brokers, const Properties& user, const std::string& group,
                          const std::string& topic, const Offsets& offsets, const std::string& output_table) {
    if (offsets.empty()) return {};
    auto rk = group_client(brokers, user, group);
    auto list = make_list(topic, offsets);
    mark(list.get(), commit_mark(output_table));
    const auto err = rd_kafka_commit(rk.get(), list.get(), 0);
    std::string failure = err ? error_text(err) : std::string();
    for (int i = 0; failure.empty() && i < list->cnt; ++i)
        if (list->elems[i].err) failure = error_text(list->elems[i].err);
    close(std::move(rk));
    return failure;
}

}  // namespace dgkafka::kafka
