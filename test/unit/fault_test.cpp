// The one classifier of database errors: by SQLSTATE, whatever the server's language.
#include "db/fault.hpp"

#include <gtest/gtest.h>

#include "util/errors.hpp"

using dgkafka::db::classify;
using dgkafka::db::Fault;

TEST(Fault, ConnectionsRestartsAndConflictsAreTransient) {
    for (const char* s : {"", "08006", "08001", "57P01", "57P03", "53300", "40001", "40P01"})
        EXPECT_EQ(classify(s), Fault::transient) << s;
}

TEST(Fault, ARowsValuesAreTheDatasFault) {
    for (const char* s :
         {"22P02", "22001", "23502", "23505", "23514", "2F005", "38001", "39P01", "P0001", "44000", "54000", "54001"})
        EXPECT_EQ(classify(s), Fault::data) << s;
}

TEST(Fault, TheJobsMistakesAreFatal) {
    for (const char* s : {"42P01", "42703", "42501", "28P01", "3D000", "25P02", "XX000"})
        EXPECT_EQ(classify(s), Fault::fatal) << s;
}

// The db/ boundary: pqxx's exceptions leave as the one error hierarchy, Unavailable when a
// later attempt may succeed.
TEST(Fault, PqxxExceptionsLeaveAsTheOneErrorHierarchy) {
    using dgkafka::Error;
    using dgkafka::Exit;
    using dgkafka::Unavailable;
    using dgkafka::db::guarded;
    EXPECT_THROW(guarded("reading", [] { throw pqxx::broken_connection("gone"); }), Unavailable);
    EXPECT_THROW(guarded("reading", [] { throw pqxx::sql_error("busy", "SELECT 1", "40001"); }), Unavailable);
    EXPECT_THROW(guarded("deleting", [] { throw pqxx::in_doubt_error("unknown"); }), Unavailable);
    try {
        guarded("reading the outbox", [] { throw pqxx::sql_error("no table", "SELECT 1", "42P01"); });
        FAIL();
    } catch (const Unavailable&) {
        FAIL() << "a missing table is not transient";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), Exit::database);
        EXPECT_NE(std::string(e.what()).find("reading the outbox: "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("42P01"), std::string::npos) << e.what();
    }
    try {
        guarded("reading", [] { throw pqxx::conversion_error("not an integer"); });
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), Exit::database);
    }
    EXPECT_EQ(guarded("reading", [] { return 7; }), 7);
}

TEST(Fault, ACitusCopyLosingAWorkerIsTransient) {
    dgkafka::db::TableKind distributed;
    distributed.kind = dgkafka::db::TableKind::Kind::distributed;
    EXPECT_EQ(classify("58030", distributed), Fault::transient);
    EXPECT_EQ(classify("58030", dgkafka::db::TableKind{}), Fault::fatal);  // a plain table's disk
}

TEST(Fault, ACitusWorkersAbortedTransactionIsTriedAgain) {
    dgkafka::db::TableKind distributed;
    distributed.kind = dgkafka::db::TableKind::Kind::distributed;
    EXPECT_EQ(classify("25P02", distributed), Fault::transient);
    EXPECT_EQ(classify("25P02", dgkafka::db::TableKind{}), Fault::fatal);
    EXPECT_EQ(classify("XX000", distributed), Fault::undisclosed);
    EXPECT_EQ(classify("XX000", dgkafka::db::TableKind{}), Fault::fatal);
}
