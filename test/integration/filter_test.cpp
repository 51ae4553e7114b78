// kafka.output.filter: checked at start like the mappings; the messages it leaves out are counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
Result setup_and_load(const std::string& path) {
    const auto s = run("dgkafka", {"setup", path});
    EXPECT_EQ(s.code, 0) << s.err;
    return run("dgkafka", {"load", "-quit-at-eof", path});
}
}  // namespace

// The filter is checked at start like the mappings, before any message (here: none at all).
TEST(Filter, ABrokenFilterIsAConfigErrorAtStartEvenOnAnEmptyTopic) {
    for (const std::string filter : {"jdata->>'id' =", "no_such_column > 1", "(jdata->>'id')::int"}) {
        Job job("badfilter");
        job.format = "json";
        job.mappings = {{"id", "(jdata->>'id')::bigint"}};
        job.filter = filter;
        create_topic(job.topic, 1);
        sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id bigint)");
        const auto path = job.write();
        const auto r = setup_and_load(path);
        EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << filter << ": " << r.err;
        const auto toml = job.toml();
        const auto line = 1 + std::count(toml.begin(), toml.begin() + static_cast<long>(toml.find("filter = ")), '\n');
        EXPECT_NE(r.err.find(path + ":" + std::to_string(line) + ": kafka.output.filter (\"" + filter + "\"): "),
                  std::string::npos)
            << r.err;
    }
    Job good("goodfilter");  // a working filter still loads
    good.format = "json";
    good.filter = "(jdata->>'id')::int > 1";
    create_topic(good.topic, 1);
    produce(good.topic, {{R"({"id": 1})"}, {R"({"id": 2})"}});
    sql("CREATE TABLE " + dgtest::quoted(good.table) + " (id bigint)");
    const auto r = setup_and_load(good.write());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',') FROM " + dgtest::quoted(good.table)), "2");
}

// The summary counts the messages the filter left out.
TEST(Filter, TheSummaryCountsTheFilteredOutMessages) {
    Job job("filtered");
    job.columns = {{"id", "integer"}};
    job.filter = "id <> 2";
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    create_topic(job.topic, 1);
    produce(job.topic, {{"1"}, {"2"}, {"3"}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 2 rows from 3 messages in 1 batches, 0 rejected, 1 filtered out, ", 0), 0u) << r.out;
}
