// The one classifier of database errors: by SQLSTATE, whatever the server's language.
#include "db/fault.hpp"

#include <gtest/gtest.h>

using dgkafka::db::classify;
using dgkafka::db::classify_refused_connection;
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

// Nothing listens on a reserved port: no server answered, so a later try may succeed.
TEST(Fault, AConnectionNoServerAnsweredIsTransient) {
    EXPECT_EQ(classify_refused_connection("host=127.0.0.1 port=1 connect_timeout=2"),
              Fault::transient);
}
