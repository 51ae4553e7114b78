#include "db/connection.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "util/errors.hpp"

using namespace dgkafka;

namespace {
// Sets (or, with nullptr, unsets) an environment variable for one scope.
struct ScopedEnv {
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            setenv(name, value, 1);
        else
            unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_)
            setenv(name_, old_->c_str(), 1);
        else
            unsetenv(name_);
    }
    const char* name_;
    std::optional<std::string> old_;
};
}  // namespace

TEST(Connection, ConninfoQuotesValuesAndLeavesOmittedSettingsToTheEnvironment) {
    ScopedEnv mode("PGSSLMODE", "disable");
    DbSettings s;
    s.host = "/tmp/pg sock";
    s.port = 5433;
    s.password = "it's\\secret";
    EXPECT_EQ(db::conninfo(s, "dgkafka"),
              "fallback_application_name='dgkafka' client_encoding='UTF8' host='/tmp/pg sock' port=5433 "
              "password='it\\'s\\\\secret'");
}

TEST(Connection, SslmodeAndHostDefaultToTheManualsWhenNeitherConfigNorEnvironmentSays) {
    ScopedEnv host("PGHOST", nullptr), hostaddr("PGHOSTADDR", nullptr), mode("PGSSLMODE", nullptr),
        require("PGREQUIRESSL", nullptr);
    DbSettings s;
    EXPECT_EQ(db::conninfo(s, "x"),
              "fallback_application_name='x' client_encoding='UTF8' host='localhost' sslmode='require'");
    {
        ScopedEnv env_mode("PGSSLMODE", "verify-full"), env_host("PGHOST", "/run/pg");
        EXPECT_EQ(db::conninfo(s, "x"), "fallback_application_name='x' client_encoding='UTF8'");  // libpq reads them
    }
    s.sslmode = "disable";
    s.host = "db.example";
    EXPECT_EQ(db::conninfo(s, "x"),
              "fallback_application_name='x' client_encoding='UTF8' host='db.example' sslmode='disable'");
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

TEST(Connection, TheSqlstateOfARefusalIsReadFromLibpqsSqlstateForm) {
    EXPECT_EQ(db::refusal_sqlstate_in("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28P01\n"),
              "28P01");
    EXPECT_EQ(db::refusal_sqlstate_in("connection to server at \"::1\" failed: Connection refused\n"
                                      "connection to server at \"127.0.0.1\" failed: FATAL:  57P03\n"),
              "57P03");
    EXPECT_EQ(db::refusal_sqlstate_in("connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n"
                                      "\tIs the server running on that host and accepting TCP/IP connections?\n"),
              "");
}

TEST(Connection, NoServerListeningIsUnavailableNotFinal) {
    DbSettings s;
    s.host = "127.0.0.1";
    s.port = 1;
    s.connect_timeout = 2;
    EXPECT_THROW(db::connect(s, "dgkafka test"), Unavailable);
}

// libpqxx 6.4 throws some specific classes without the code; the class still says it.
TEST(Connection, TheSqlstateOfAnErrorLibpqxxThrewWithoutItComesFromItsClass) {
    EXPECT_EQ(db::sqlstate(pqxx::insufficient_privilege("permission denied")), "42501");
    EXPECT_EQ(db::sqlstate(pqxx::undefined_table("no such table")), "42P01");
    EXPECT_EQ(db::sqlstate(pqxx::data_exception("bad value")), "22000");
    EXPECT_EQ(db::sqlstate(pqxx::check_violation("check", "", "23514")), "23514");
    EXPECT_EQ(db::sqlstate(pqxx::sql_error("unknown")), "");
}
