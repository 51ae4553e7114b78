#pragma once
// Test access to a Citus cluster: the sandbox's (scripts/sandbox.sh citus start, a ctest fixture)
// or one named by DGKAFKA_CITUS_HOST, _PORT, _USER, _DATABASE. Tests needing it skip, saying why,
// where there is none.
#include <gtest/gtest.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace dgtest {

struct CitusCluster {
    std::string host, port, user, database;
    std::string skip_reason;  // not empty: no cluster
    bool sandbox = false;     // its nodes can be stopped and started (citus_node)
};
const CitusCluster& citus();

// The [dgkafka] lines of a job writing to the coordinator.
std::string citus_database_settings();
std::unique_ptr<pqxx::connection> citus_db();
void citus_sql(const std::string& statement);
std::string citus_value(const std::string& query);  // first column of the first row ("" for NULL)
int64_t citus_count(const std::string& query);
// One node of the sandbox's cluster (coordinator, worker1, worker2): stop, kill, start, restart.
void citus_node(const std::string& action, const std::string& node);

}  // namespace dgtest

// First in a test that needs a Citus cluster.
#define REQUIRE_CITUS()                                                                        \
    do {                                                                                       \
        if (!dgtest::citus().skip_reason.empty()) GTEST_SKIP() << dgtest::citus().skip_reason; \
    } while (0)
#define REQUIRE_CITUS_SANDBOX()                                                                              \
    do {                                                                                                     \
        REQUIRE_CITUS();                                                                                     \
        if (!dgtest::citus().sandbox) GTEST_SKIP() << "stops and starts nodes: needs the sandbox's cluster"; \
    } while (0)
