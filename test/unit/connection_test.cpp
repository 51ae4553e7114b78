#include "db/connection.hpp"

#include <gtest/gtest.h>

using namespace dgkafka;

TEST(Connection, ConninfoQuotesValuesAndLeavesOmittedSettingsToTheEnvironment) {
    DbSettings s;
    s.host = "/tmp/pg sock";
    s.port = 5433;
    s.password = "it's\\secret";
    EXPECT_EQ(db::conninfo(s, "dgkafka"),
              "fallback_application_name='dgkafka' client_encoding='UTF8' host='/tmp/pg sock' port=5433 password='it\\'s\\\\secret'");
}

TEST(Connection, AFailedConnectionNeverShowsThePassword) {
    DbSettings s;
    s.host = "127.0.0.1";
    s.port = 1;  // nothing listens there
    s.password = "hunter2-very-secret";
    s.connect_timeout = 2;
    try {
        db::connect(s, "dgkafka test");
        FAIL() << "connected to port 1?";
    } catch (const std::exception& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("cannot connect to the database"), std::string::npos) << what;
        EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    }
}
