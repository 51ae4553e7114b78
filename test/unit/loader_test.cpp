// The load loop between a fake Kafka side and a fake database side: no servers. The fakes keep
// what a real run would leave behind (the rows and the stored offsets), so each test asserts the
// outcome: every message loaded once, offsets where they belong, the exit code.
#include "load/loader.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <set>

using namespace dgkafka;
using namespace dgkafka::load;

namespace {

constexpr size_t poll_size = 4;  // messages a poll hands out at most: batches take several polls

// A topic in memory and a consumer of it: what librdkafka would hand out, and when.
class FakeKafka final : public KafkaSide {
  public:
    std::map<int32_t, std::deque<std::string>> log;  // partition -> message values by offset
    std::map<int32_t, int64_t> ends;                 // end offsets past the last message (markers)
    std::map<int, std::function<void()>> at_poll;    // run at the start of the poll numbered so (1-based)
    std::vector<kafka::Offsets> assigns;             // every assign(), in order
    std::vector<kafka::Offsets> commits;             // every committed()
    bool subscribed = false, left = false;
    int polls = 0;

    void produce(int32_t p, int n) {
        for (int i = 0; i < n; ++i) log[p].push_back(std::to_string(p) + "-" + std::to_string(log[p].size()));
    }
    int64_t end(int32_t p) const {
        const auto it = ends.find(p);
        return it != ends.end() ? it->second : static_cast<int64_t>(log.at(p).size());
    }
    kafka::Offsets end_offsets() const {
        kafka::Offsets out;
        for (const auto& [p, values] : log) out[p] = end(p);
        return out;
    }
    // The group's offsets as the mirror left them.
    kafka::Offsets mirrored() const {
        kafka::Offsets out;
        for (const auto& c : commits)
            for (const auto& [p, o] : c) out[p] = o;
        return out;
    }
    // Kafka's side of a rebalance: the loader's partitions taken away, then `now` dealt.
    void rebalance(const std::vector<int32_t>& now) {
        fetch_.clear();
        listener_->revoked();
        listener_->assigned(now);
    }

    void start(Listener& listener) override { listener_ = &listener; }
    void subscribe() override { subscribed = true; }
    kafka::Offsets positions(const std::vector<int32_t>& partitions) override {
        kafka::Offsets out;
        for (const int32_t p : partitions) {
            const auto it = fetch_.find(p);
            out[p] = it == fetch_.end() ? RD_KAFKA_OFFSET_INVALID : it->second.next;
        }
        return out;
    }
    void assign(const kafka::Offsets& from) override {
        assigns.push_back(from);
        fetch_.clear();
        for (const auto& [p, o] : from) fetch_[p] = {o, false};
    }
    const std::vector<Polled>& poll(int, size_t max) override {
        polled_.clear();
        if (auto it = at_poll.find(++polls); it != at_poll.end()) it->second();
        const size_t want = std::min(max, poll_size);
        for (bool more = true; more && polled_.size() < want;) {
            more = false;
            for (auto& [p, f] : fetch_) {
                if (polled_.size() == want) break;
                const auto& values = log[p];
                Polled m;
                m.message.partition = p;
                if (f.next < static_cast<int64_t>(values.size())) {
                    m.message.offset = f.next;
                    m.message.value = values[static_cast<size_t>(f.next)];
                    ++f.next;
                    f.at_end = false;
                    more = true;
                } else if (!f.at_end) {  // enable.partition.eof: once each time the end is reached
                    f.next = std::max(f.next, end(p));
                    m.err = RD_KAFKA_RESP_ERR__PARTITION_EOF;
                    m.message.offset = f.next;
                    f.at_end = true;
                } else {
                    continue;
                }
                polled_.push_back(m);
            }
        }
        return polled_;
    }
    void release() override { polled_.clear(); }
    int64_t known_end(int32_t p) override { return end(p); }
    kafka::Watermarks watermarks(int32_t p) override { return {0, end(p)}; }
    void committed(const kafka::Offsets& next) override { commits.push_back(next); }
    void leave() override { left = true; }

  private:
    struct Fetch {
        int64_t next = 0;
        bool at_end = false;
    };
    Listener* listener_ = nullptr;
    std::map<int32_t, Fetch> fetch_;
    std::vector<Polled> polled_;
};

enum class Op { connect, stored_offsets, begin, send, commit, commit_in_doubt };
const char* const op_names[] = {"connect", "stored_offsets", "begin", "send", "commit", "commit_in_doubt"};
void PrintTo(Op op, std::ostream* os) { *os << op_names[static_cast<int>(op)]; }

// The database: a table of (partition, offset) rows and the stored offsets, changed only by
// commits.
class FakeDatabase final : public DatabaseSide {
  public:
    std::map<int32_t, int64_t> stored;              // the offset table
    std::vector<std::pair<int32_t, int64_t>> rows;  // the output table: each row's message
    std::vector<size_t> batch_rows;                 // rows of each committed batch
    std::map<Op, int> fail_on;                      // the call numbered so fails as a lost connection
    std::map<Op, int> calls;
    std::function<void()> before_commit;  // another loader's work, between COPY and commit
    std::function<void()> after_limit;    // another loader's work, between error_limit and commit
    size_t rejects = 0;                   // rejected messages committed
    std::optional<Step> commit_answer;    // instead of committing (refused, fatal)
    int rollbacks = 0;
    bool down = false;                 // every connect() fails
    std::function<void()> on_connect;  // after each connect() attempt

    bool connected() const override { return connected_; }
    bool open() const override { return open_; }

    Step connect() override {
        auto s = fails(Op::connect);
        if (on_connect) on_connect();
        if (s) return *s;
        if (down) return Step::unavailable(Step::Server::database, "connection refused");
        connected_ = true;
        return {};
    }
    void disconnect() override {
        rollback();
        connected_ = false;
    }
    Step stored_offsets(const std::vector<int32_t>& partitions, kafka::Offsets& out) override {
        require_connected();
        if (auto s = fails(Op::stored_offsets)) return *s;
        out.clear();
        for (const int32_t p : partitions) out[p] = stored[p];
        return {};
    }
    Step begin() override {
        require_connected();
        EXPECT_FALSE(open_) << "begin() with a batch in flight";
        if (auto s = fails(Op::begin)) return *s;
        open_ = true;
        return {};
    }
    Step send(const Batch&) override {
        require_connected();
        EXPECT_TRUE(open_) << "send() outside a transaction";
        return fails(Op::send).value_or(Step{});
    }
    Step commit(Batch& batch, const std::string&, const kafka::Offsets& expected,
                const std::vector<db::PartitionRange>& ranges, const Limit& limit, int64_t& inserted) override {
        require_connected();
        EXPECT_TRUE(open_) << "commit() outside a transaction";
        const auto end = [&](Step s) {
            open_ = false;
            return s;
        };
        if (auto s = fails(Op::commit)) return end(*s);
        if (before_commit) std::exchange(before_commit, nullptr)();
        for (const auto& [p, o] : expected)
            if (stored[p] != o) return end(Step::failed(Step::Outcome::fenced, "fenced"));
        if (commit_answer) return end(*commit_answer);
        if (auto why = limit(batch)) return end(Step::failed(Step::Outcome::refused, *why, Exit::data));
        if (after_limit) std::exchange(after_limit, nullptr)();
        rejects += batch.rejects.count();
        for (const auto& r : ranges) {
            EXPECT_EQ(r.start, stored[r.partition]) << "a batch must start where the stored offset is";
            stored[r.partition] = r.end;
        }
        for (size_t i = 0; i < batch.row_start.size(); ++i) {
            const auto m = batch.row_source(i);
            EXPECT_EQ(batch.row(i), std::string(m.value) + "\n");
            rows.emplace_back(m.partition, m.offset);
        }
        batch_rows.push_back(batch.row_start.size());
        inserted = static_cast<int64_t>(batch.row_start.size());
        // Committed, but the answer never came back: only the stored offsets can tell.
        if (auto s = fails(Op::commit_in_doubt)) return end(*s);
        return end({});
    }
    Step skip_gaps(const kafka::Offsets&, const std::string&, const std::vector<kafka::RetentionGap>&) override {
        ADD_FAILURE() << "no gap in these tests";
        return {};
    }
    void rollback() override {
        if (open_) ++rollbacks;
        open_ = false;
    }

  private:
    std::optional<Step> fails(Op op) {
        const int n = ++calls[op];
        const auto it = fail_on.find(op);
        if (it == fail_on.end() || it->second != n) return std::nullopt;
        connected_ = false;
        open_ = false;
        return Step::unavailable(Step::Server::database, "lost the database connection");
    }
    void require_connected() const { EXPECT_TRUE(connected_) << "a database call without a connection"; }
    bool connected_ = false;
    bool open_ = false;
};

Config job(int max_row) {
    Config c;
    c.topic = "t";
    c.consumer_group = "g";
    c.format = Format::csv;
    c.columns = {{"v", "text", false}};
    c.max_row = max_row;
    c.minimal_interval = -1;
    c.retry_timeout = 30;  // longer than any test: a give-up would be a failure
    return c;
}

// Messages whose value is in `new_schema` carry a schema version with fields the load does not
// write, until it is followed; each follow() records the stored offsets it found.
class FakeSchema final : public SchemaSide {
  public:
    std::set<std::string> new_schema;
    const FakeDatabase* db = nullptr;
    std::vector<std::map<int32_t, int64_t>> follows;  // the stored offsets at each follow()
    std::set<std::string> met_before_follow;          // new_schema messages met before their follow

    Met meet(const Message& m, std::string&) override {
        if (!new_schema.count(std::string(m.value))) return Met::known;
        met_before_follow.insert(std::string(m.value));
        return Met::new_fields;
    }
    Step follow(std::unique_ptr<formats::Decoder>& decoder, std::unique_ptr<DatabaseSide>& database) override {
        EXPECT_TRUE(decoder && database);
        EXPECT_FALSE(database->open()) << "followed with a batch in flight";
        follows.push_back(db->stored);
        new_schema.clear();  // the table has the columns now
        return {};
    }
};

struct LoadRun {
    Config cfg;
    LoadOptions options;
    LoadCounters counters;
    LoadCounters* counting = &counters;  // another run's: loaders of one process share them
    std::atomic<bool> stop{false};
    FakeKafka* kafka = nullptr;
    FakeDatabase* db = nullptr;
    FakeSchema* schema = nullptr;  // with_schema()
    std::unique_ptr<Loader> loader;

    void with_schema() {
        schema_owned = std::make_unique<FakeSchema>();
        schema = schema_owned.get();
    }

    explicit LoadRun(int max_row, bool quit_at_eof = true) : cfg(job(max_row)) {
        options.quit_at_eof = quit_at_eof;
        auto k = std::make_unique<FakeKafka>();
        auto d = std::make_unique<FakeDatabase>();
        kafka = k.get();
        db = d.get();
        parts.kafka = std::move(k);
        parts.database = std::move(d);
    }
    // Builds the loader once the topic holds its messages (their end offsets are the targets).
    void start() {
        parts.encoder = formats::make_decoder(cfg, false);
        if (schema) {
            schema->db = db;
            parts.schema = std::move(schema_owned);
        }
        for (const auto& [p, end] : kafka->end_offsets()) db->stored.emplace(p, 0);
        loader = std::make_unique<Loader>(cfg, options, 0, 1, kafka->end_offsets(), *counting, std::move(parts), stop);
    }
    void run() {
        if (!loader) start();
        loader->run();
    }

  private:
    LoaderParts parts;
    std::unique_ptr<FakeSchema> schema_owned;
};

// Every message of [from, to) of the partition, exactly once, in offset order.
void expect_loaded_once(const FakeDatabase& db, int32_t p, int64_t from, int64_t to) {
    std::vector<int64_t> got;
    for (const auto& [rp, o] : db.rows)
        if (rp == p) got.push_back(o);
    std::vector<int64_t> want;
    for (int64_t o = from; o < to; ++o) want.push_back(o);
    EXPECT_EQ(got, want) << "partition " << p;
}

size_t total(const std::vector<size_t>& v) {
    size_t n = 0;
    for (auto x : v) n += x;
    return n;
}

}  // namespace

TEST(Loader, QuitAtEofLoadsEveryMessageOnceInBatchesOfMaxRow) {
    LoadRun r(10);
    r.kafka->produce(0, 25);
    r.kafka->produce(1, 17);
    r.run();
    expect_loaded_once(*r.db, 0, 0, 25);
    expect_loaded_once(*r.db, 1, 0, 17);
    EXPECT_EQ(r.db->stored, (std::map<int32_t, int64_t>{{0, 25}, {1, 17}}));
    EXPECT_EQ(total(r.db->batch_rows), 42u);
    for (const size_t n : r.db->batch_rows) EXPECT_LE(n, 10u);
    EXPECT_GE(r.db->batch_rows.size(), 5u);
    EXPECT_EQ(r.kafka->mirrored(), (kafka::Offsets{{0, 25}, {1, 17}}));
    EXPECT_EQ(r.counters.rows, 42);
    EXPECT_EQ(r.counters.batches, static_cast<int64_t>(r.db->batch_rows.size()));
    EXPECT_EQ(r.loader->stored_offsets(), (kafka::Offsets{{0, 25}, {1, 17}}));
    EXPECT_EQ(r.loader->lag(), 0);
}

TEST(Loader, QuitAtEofStopsAtEndOffsetsThatCarryNoMessage) {
    LoadRun r(100);
    r.kafka->produce(0, 8);
    r.kafka->ends[0] = 10;  // two transaction markers after the last message
    r.run();
    expect_loaded_once(*r.db, 0, 0, 8);
    EXPECT_EQ(r.db->stored[0], 8);
}

TEST(Loader, ResumesAtTheStoredOffsetsNotAtKafkasStart) {
    LoadRun r(100);
    r.kafka->produce(0, 20);
    r.start();
    r.db->stored[0] = 12;  // an earlier run loaded 0..11
    r.run();
    expect_loaded_once(*r.db, 0, 12, 20);
    EXPECT_EQ(r.kafka->assigns.front(), (kafka::Offsets{{0, 12}}));
}

TEST(Loader, FenceBehindDropsTheBatchAndResumesAtTheStoredOffset) {
    LoadRun r(100);
    r.kafka->produce(0, 30);
    r.start();
    // Another loader committed 0..4 while this one filled its first batch.
    r.db->before_commit = [&] { r.db->stored[0] = 5; };
    r.run();
    expect_loaded_once(*r.db, 0, 5, 30);
    EXPECT_EQ(r.db->stored[0], 30);
    EXPECT_EQ(r.kafka->assigns.back(), (kafka::Offsets{{0, 5}}));  // consumption went back to the stored offset
}

TEST(Loader, FenceAheadSkipsWhatTheOtherLoaderCommitted) {
    LoadRun r(8);
    r.kafka->produce(0, 30);
    r.start();
    // While this loader holds 0..7, another committed up to 20: 8..19 arrive, and are skipped.
    r.db->before_commit = [&] { r.db->stored[0] = 20; };
    r.run();
    expect_loaded_once(*r.db, 0, 20, 30);
    EXPECT_EQ(r.db->stored[0], 30);
    EXPECT_EQ(r.kafka->assigns.size(), 1u) << "moving forward needs no new assignment";
}

TEST(Loader, RebalanceMidBatchCommitsNoRowOfTheRevokedPartition) {
    LoadRun r(1000);
    r.cfg.group_assignment = true;
    r.kafka->produce(0, 20);
    r.kafka->produce(1, 20);
    r.start();
    // Poll 1 hands out both partitions; polls 2 and 3 fill the batch with messages of both; in
    // poll 4 partition 1 goes to another process, which loads it.
    r.kafka->at_poll[1] = [&] { r.kafka->rebalance({0, 1}); };
    r.kafka->at_poll[4] = [&] {
        r.kafka->rebalance({0});
        r.db->stored[1] = 20;
    };
    r.run();
    EXPECT_TRUE(r.kafka->subscribed);
    EXPECT_TRUE(r.kafka->left);
    expect_loaded_once(*r.db, 0, 0, 20);
    expect_loaded_once(*r.db, 1, 0, 0);
    EXPECT_GE(r.db->rollbacks, 1) << "the batch in flight held partition 1's rows";
    EXPECT_EQ(r.kafka->mirrored(), (kafka::Offsets{{0, 20}}));
}

TEST(Loader, RefusedBatchEndsTheRunWithItsExitCode) {
    LoadRun r(100);
    r.kafka->produce(0, 10);
    r.start();
    r.db->commit_answer = Step::failed(Step::Outcome::refused, "the database refused every row tried", Exit::data);
    try {
        r.run();
        FAIL() << "a refused batch must end the run";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), Exit::data);
        EXPECT_STREQ(e.what(), "the database refused every row tried");
    }
    EXPECT_TRUE(r.db->rows.empty());
    EXPECT_EQ(r.db->stored[0], 0);
    EXPECT_TRUE(r.kafka->commits.empty());
}

TEST(Loader, FatalDatabaseErrorEndsTheRunWithExitDatabase) {
    LoadRun r(100);
    r.kafka->produce(0, 10);
    r.start();
    r.db->commit_answer = Step::failed(Step::Outcome::fatal, "permission denied for table out", Exit::database);
    try {
        r.run();
        FAIL() << "a fatal error must end the run";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), Exit::database);
    }
    EXPECT_TRUE(r.db->rows.empty());
}

TEST(Loader, ErrorLimitRefusesTheBatch) {
    LoadRun r(100);
    r.cfg.error_limit_count = 0;
    r.cfg.columns = {{"a", "text", false}, {"b", "text", false}};  // "0-3" has one field: every message is malformed
    r.kafka->produce(0, 3);
    try {
        r.run();
        FAIL() << "past error_limit the run must stop";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), Exit::data);
        EXPECT_NE(std::string(e.what()).find("error_limit"), std::string::npos) << e.what();
    }
    EXPECT_EQ(r.db->stored[0], 0);
}

// Two loaders whose batches reach error_limit's check before either commits: once both passed it
// and committed twice the limit.
TEST(Loader, LoadersCommittingAtTheSameMomentCannotPassTheErrorLimitTogether) {
    LoadRun first(100), second(100);
    for (auto* r : {&first, &second}) {
        r->cfg.error_limit_count = 10;
        r->cfg.columns = {{"a", "text", false}, {"b", "text", false}};  // every message is malformed
        r->kafka->produce(0, 10);
    }
    second.counting = &first.counters;
    second.start();
    std::optional<Exit> second_ended;
    first.db->after_limit = [&] {
        try {
            second.loader->run();
        } catch (const Error& e) {
            second_ended = e.code();
        }
    };
    first.run();
    EXPECT_EQ(first.db->rejects, 10u);
    EXPECT_EQ(second.db->rejects, 0u) << "the two batches together pass error_limit = 10";
    EXPECT_EQ(second_ended, Exit::data);
    EXPECT_EQ(second.db->stored[0], 0);
}

class LoaderDatabaseLost : public ::testing::TestWithParam<Op> {};

// The database goes away once, at the given step of the second batch (or at the first connect):
// the loop reconnects and every message still lands exactly once.
TEST_P(LoaderDatabaseLost, RetriesWithoutDuplicateOrLoss) {
    LoadRun r(10);
    r.kafka->produce(0, 35);
    r.kafka->produce(1, 12);
    // The stored offsets are read once, when the loop starts; the rest at the second batch.
    r.db->fail_on[GetParam()] = GetParam() == Op::connect || GetParam() == Op::stored_offsets ? 1 : 2;
    r.run();
    expect_loaded_once(*r.db, 0, 0, 35);
    expect_loaded_once(*r.db, 1, 0, 12);
    EXPECT_EQ(r.db->stored, (std::map<int32_t, int64_t>{{0, 35}, {1, 12}}));
    EXPECT_EQ(r.counters.database_retries, 1);
    EXPECT_EQ(r.counters.database_outage.outages(), 1);
    EXPECT_FALSE(r.counters.database_outage.ongoing()) << "the outage ended, also when the run ended with it";
    EXPECT_EQ(r.db->calls[Op::connect], 2);
    EXPECT_EQ(r.counters.rows, GetParam() == Op::commit_in_doubt ? 47 - static_cast<int64_t>(r.db->batch_rows[1]) : 47)
        << "a commit whose answer was lost is not counted, but not loaded twice either";
}

std::string step_name(const ::testing::TestParamInfo<Op>& step) { return op_names[static_cast<int>(step.param)]; }

INSTANTIATE_TEST_SUITE_P(AtEachStep, LoaderDatabaseLost,
                         ::testing::Values(Op::connect, Op::stored_offsets, Op::begin, Op::send, Op::commit,
                                           Op::commit_in_doubt),
                         step_name);

TEST(Loader, GivesUpOnALostDatabaseAfterRetryTimeoutWithExitDatabase) {
    LoadRun r(10);
    r.cfg.retry_timeout = 0.3;
    r.kafka->produce(0, 5);
    r.db->down = true;
    try {
        r.run();
        FAIL() << "a -quit-at-eof run must give up";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), Exit::database);
        EXPECT_NE(std::string(e.what()).find("gave up after"), std::string::npos) << e.what();
    }
    EXPECT_GE(r.db->calls[Op::connect], 2);
    EXPECT_TRUE(r.db->rows.empty());
}

TEST(Loader, RegistryOutageIsWaitedForAndRejectsNothing) {
    LoadRun r(100);
    r.cfg.format = Format::avro;
    r.cfg.columns = {{"v", "json", false}};
    r.cfg.avro.registry_urls = {"http://127.0.0.1:1"};  // nothing listens: refused at once
    r.cfg.retry_timeout = 0.3;
    r.kafka->log[0].push_back(std::string("\0\0\0\0\1\2", 6));  // Confluent framing, schema id 1
    try {
        r.run();
        FAIL() << "a -quit-at-eof run must give up";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), Exit::kafka);
        EXPECT_NE(std::string(e.what()).find("gave up after"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("t partition 0 offset 0: schema registry unavailable"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(r.counters.rejected, 0);
    EXPECT_EQ(r.counters.database_retries, 0);
    EXPECT_EQ(r.db->calls[Op::connect], 1) << "the database connection is not at fault";
    EXPECT_EQ(r.db->calls[Op::commit], 0);
    EXPECT_GE(r.kafka->assigns.size(), 2u) << "each attempt reads the message again";
}

TEST(Loader, StopFlagCommitsTheBatchInFlightAndEndsAStreamingRun) {
    LoadRun r(1000, false);
    r.kafka->produce(0, 50);
    r.start();
    r.kafka->at_poll[3] = [&] { r.stop = true; };  // a signal while the first batch fills
    r.run();
    ASSERT_FALSE(r.db->rows.empty());
    const auto loaded = static_cast<int64_t>(r.db->rows.size());
    expect_loaded_once(*r.db, 0, 0, loaded);
    EXPECT_EQ(r.db->stored[0], loaded);
    EXPECT_EQ(r.db->batch_rows.size(), 1u);
    EXPECT_EQ(r.kafka->polls, 3);
    EXPECT_FALSE(r.loader->interrupted()) << "the batch in flight was committed";
}

TEST(Loader, StopFlagEndsTheWaitForALostDatabase) {
    LoadRun r(10, false);  // streaming: a lost database is waited for without end
    r.kafka->produce(0, 5);
    r.db->down = true;
    r.db->on_connect = [&] {
        if (r.db->calls[Op::connect] == 3) r.stop = true;  // a signal while the loop waits
    };
    r.run();
    EXPECT_EQ(r.db->calls[Op::connect], 3);
    EXPECT_TRUE(r.db->rows.empty());
    EXPECT_EQ(r.db->stored[0], 0);
    ASSERT_TRUE(r.loader->interrupted()) << "stopped in an outage: not a clean end";
    EXPECT_EQ(r.loader->interrupted()->server, Exit::database);
    EXPECT_EQ(r.loader->interrupted()->why, "connection refused");
}

TEST(Loader, StopFlagWhileTheBatchInFlightCannotCommitSaysItWasRolledBack) {
    LoadRun r(1000, false);
    r.kafka->produce(0, 50);
    r.start();
    r.kafka->at_poll[3] = [&] { r.stop = true; };  // a signal while the first batch fills
    r.db->fail_on[Op::commit] = 1;                 // and the database gone when it commits
    r.run();
    EXPECT_TRUE(r.db->rows.empty());
    EXPECT_EQ(r.db->stored[0], 0);
    ASSERT_TRUE(r.loader->interrupted());
    EXPECT_EQ(r.loader->interrupted()->server, Exit::database);
    EXPECT_EQ(r.loader->stored_offsets(), (kafka::Offsets{{0, 0}})) << "where the job resumes";
}

TEST(Loader, ABatchEndsBeforeAMessageOfANewSchemaWhichIsFollowedThenLoadedWithTheRest) {
    LoadRun r(1000, false);  // streaming: nothing ends the batch but the new schema and the drained queue
    r.with_schema();
    r.kafka->produce(0, 20);
    r.kafka->produce(1, 20);
    r.start();
    r.schema->new_schema = {"0-7", "1-12"};  // the version reaches both partitions
    r.kafka->at_poll[30] = [&] { r.stop = true; };
    r.run();
    ASSERT_EQ(r.schema->follows.size(), 1u) << "one follow: after it, the version is known";
    EXPECT_EQ(r.schema->follows[0].at(0), 7) << "the batch before it committed up to the message, not past it";
    EXPECT_LE(r.schema->follows[0].at(1), 12);
    expect_loaded_once(*r.db, 0, 0, 20);
    expect_loaded_once(*r.db, 1, 0, 20);
    EXPECT_EQ(r.db->stored, (std::map<int32_t, int64_t>{{0, 20}, {1, 20}}));
}
