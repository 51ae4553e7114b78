#include "load/source/group_start.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "util/log.hpp"

namespace dgkafka::load {

GroupOffsetKind classify(const std::optional<kafka::GroupOffset>& group, const std::optional<db::StoredStart>& stored,
                         const std::string& output_table) {
    if (!group) return GroupOffsetKind::none;
    if (const auto table = kafka::marked_table(group->metadata)) {
        if (*table != output_table) return GroupOffsetKind::other_table;
        if (!stored) return GroupOffsetKind::mirror_without_row;
        return stored->committed == group->offset ? GroupOffsetKind::none : GroupOffsetKind::mirror;
    }
    if (!stored) return GroupOffsetKind::start;
    if (stored->committed == group->offset) return GroupOffsetKind::none;
    if (stored->group_offset == group->offset) return GroupOffsetKind::taken;
    return GroupOffsetKind::reset;
}

std::string explain(GroupOffsetKind kind, const kafka::GroupOffset& group,
                    const std::optional<db::StoredStart>& stored) {
    switch (kind) {
        case GroupOffsetKind::none:
            return "";
        case GroupOffsetKind::mirror:
            if (!stored) return "dgkafka's mirror (the database holds the truth)";
            if (group.offset < stored->committed)
                return fmt::format(
                    "dgkafka's mirror, {} behind the database (mirrored after each batch; the "
                    "database holds the truth)",
                    stored->committed - group.offset);
            // The database was read first: a running job committed more batches since, or a
            // reset moved its offset back.
            return fmt::format(
                "dgkafka's mirror, {} ahead of the database as read a moment before (batches "
                "committed since, or a reset; the database holds the truth)",
                group.offset - stored->committed);
        case GroupOffsetKind::mirror_without_row:
            return "dgkafka's mirror, but the database has no offset: the next load starts at the "
                   "earliest";
        case GroupOffsetKind::other_table:
            return fmt::format("written by dgkafka for output table {}: not used by this job",
                               kafka::marked_table(group.metadata).value_or(""));
        case GroupOffsetKind::taken:
            return "written by another tool, already taken";
        case GroupOffsetKind::start:
            return "written by another tool: the next load starts here";
        case GroupOffsetKind::reset:
            return "reset by another tool: the next load takes it (reset-group-offset)";
    }
    return "";
}

namespace {
double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// An offset past the log's end starts at the end. One that retention has passed is kept: the
// retention-gap rule (kafka.input.on_data_loss) decides, never a silent skip.
int64_t within(const Config& cfg, int32_t p, int64_t offset, const kafka::Watermarks& w) {
    if (offset <= w.high) return offset;
    log::warn("{}[{}]: consumer group {} holds offset {} but the partition ends at {}: starting there", cfg.topic, p,
              cfg.consumer_group, offset, w.high);
    return w.high;
}
}  // namespace

kafka::Offsets take_group_offsets(pqxx::transaction_base& tx, const Config& cfg, const db::OffsetStore& store,
                                  const std::map<int32_t, kafka::Watermarks>& marks, const kafka::GroupOffsets& group) {
    const std::string table = cfg.output_table.display();
    const auto stored = store.read_starts(tx);
    const double now = epoch_now();
    std::vector<db::PartitionRange> earliest, from_group, resets;
    kafka::Offsets taken, forget;
    for (const auto& [p, w] : marks) {
        const auto g = group.find(p);
        const auto s = stored.find(p);
        const auto gopt = g == group.end() ? std::nullopt : std::optional<kafka::GroupOffset>(g->second);
        const auto sopt = s == stored.end() ? std::nullopt : std::optional<db::StoredStart>(s->second);
        const auto kind = classify(gopt, sopt, table);
        // dgkafka's own mark in Kafka: whatever was taken before has been marked since.
        if (sopt && sopt->group_offset && gopt && kafka::marked_table(gopt->metadata)) forget[p] = -1;
        if (kind == GroupOffsetKind::start) {
            const int64_t at = within(cfg, p, gopt->offset, w);
            from_group.push_back({p, at, at, 0, w.high});
            taken[p] = gopt->offset;
        } else if (kind == GroupOffsetKind::reset) {
            const int64_t to = within(cfg, p, gopt->offset, w);
            resets.push_back({p, sopt->committed, to, 0, w.high});
            taken[p] = gopt->offset;
            log::warn(
                "{}[{}]: consumer group {} was reset in Kafka to offset {} (not by dgkafka; the "
                "database "
                "held {}): loading from there, recorded as reset-group-offset",
                cfg.topic, p, cfg.consumer_group, gopt->offset, sopt->committed);
        } else if (!sopt) {
            earliest.push_back({p, w.low, w.low, 0, w.high});
        }
    }
    if (!earliest.empty()) store.record(tx, earliest, "start-earliest", now);
    if (!from_group.empty()) {
        store.record(tx, from_group, "start-group-offset", now);
        log::info(
            "{}: {} partition(s) start at consumer group {}'s offsets in Kafka (written by another "
            "tool)",
            cfg.topic, from_group.size(), cfg.consumer_group);
    }
    if (!resets.empty()) store.record(tx, resets, "reset-group-offset", now);
    if (!forget.empty()) store.set_group_offsets(tx, forget);
    if (!taken.empty()) store.set_group_offsets(tx, taken);
    return taken;
}

void confirm_group_offsets(pqxx::connection& conn, const Config& cfg, const db::OffsetStore& store,
                           const kafka::Offsets& taken) {
    if (taken.empty()) return;
    const auto failure = kafka::commit_marked(cfg.brokers, cfg.kafka_properties, cfg.consumer_group, cfg.topic, taken,
                                              cfg.output_table.display());
    if (!failure.empty()) {
        log::warn(
            "{}: could not mark consumer group {}'s offsets as taken ({}); the database remembers "
            "them",
            cfg.topic, cfg.consumer_group, failure);
        return;
    }
    kafka::Offsets forget;
    for (const auto& [p, o] : taken) forget[p] = -1;
    pqxx::work tx(conn);
    store.set_group_offsets(tx, forget);
    tx.commit();
}

}  // namespace dgkafka::load
