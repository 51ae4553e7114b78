#include "formats/csv.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace dgkafka;

namespace {
std::vector<std::string> parse(std::string_view record, char delim = '|') {
    csv::RecordParser p(delim);
    std::vector<csv::Field> fields;
    std::string error;
    EXPECT_TRUE(p.parse(record, fields, error)) << error;
    std::vector<std::string> out;
    for (const auto& f : fields) out.push_back(f.is_null() ? "<NULL>" : std::string(f.value));
    return out;
}
}  // namespace

TEST(Csv, SplitsOnTheDelimiter) {
    EXPECT_EQ(parse("1|Customer#1|addr"), (std::vector<std::string>{"1", "Customer#1", "addr"}));
}

TEST(Csv, QuotedFieldsHoldDelimitersQuotesAndNewlines) {
    EXPECT_EQ(parse("\"a|b\"|\"say \"\"hi\"\"\"|\"line1\nline2\""),
              (std::vector<std::string>{"a|b", "say \"hi\"", "line1\nline2"}));
}

TEST(Csv, EmptyUnquotedIsNullEmptyQuotedIsEmptyString) {
    EXPECT_EQ(parse("|\"\"|x|"), (std::vector<std::string>{"<NULL>", "", "x", "<NULL>"}));
}

TEST(Csv, TrailingLineBreakIsNotData) { EXPECT_EQ(parse("a,b\r\n", ','), (std::vector<std::string>{"a", "b"})); }

TEST(Csv, MalformedRecordsAreReported) {
    csv::RecordParser p(',');
    std::vector<csv::Field> fields;
    std::string error;
    EXPECT_FALSE(p.parse("\"unclosed,x", fields, error));
    EXPECT_EQ(error, "unclosed quote");
    EXPECT_FALSE(p.parse("\"a\"b,c", fields, error));
    EXPECT_NE(error.find("after a closing quote"), std::string::npos);
}

TEST(Csv, ReaderJoinsQuotedLineBreaksAndHandlesCrlf) {
    std::istringstream in("1,\"two\r\nlines\"\r\n2,x\r\n");
    csv::Reader r(in, ',');
    std::vector<csv::Field> f;
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(r.record_line(), 1u);
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[1].value, "two\r\nlines") << "a line break inside quotes is data, CR included";
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(r.record_line(), 3u);
    EXPECT_EQ(f[1].value, "x");
    EXPECT_FALSE(r.next(f));
}

TEST(Csv, ReaderNamesTheLineOfAnUnclosedQuote) {
    std::istringstream in("ok,1\nbad,\"never closed\nmore\n");
    csv::Reader r(in, ',');
    std::vector<csv::Field> f;
    ASSERT_TRUE(r.next(f));
    try {
        r.next(f);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "line 2: unclosed quote");
    }
}

TEST(Csv, ReaderDropsAUtf8ByteOrderMarkAtTheStartOnly) {
    std::istringstream in(
        "\xEF\xBB\xBFid,name\n\xEF\xBB\xBF"
        "2,x\n");
    csv::Reader r(in, ',');
    std::vector<csv::Field> f;
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(f[0].value, "id") << "Excel's CSV UTF-8 export starts with a BOM";
    ASSERT_TRUE(r.next(f));
    EXPECT_EQ(f[0].value,
              "\xEF\xBB\xBF"
              "2")
        << "only the file's first bytes can be a BOM";
}

TEST(Csv, WriterQuotesOnlyWhereNeededAndRoundTrips) {
    std::string out;
    csv::append_field(out, "plain", '|');
    out += '|';
    csv::append_field(out, "a|b \"q\"\nz", '|');
    out += '|';
    csv::append_field(out, "", '|', true);
    EXPECT_EQ(out, "plain|\"a|b \"\"q\"\"\nz\"|\"\"");
    EXPECT_EQ(parse(out), (std::vector<std::string>{"plain", "a|b \"q\"\nz", ""}));
}

TEST(Csv, AMultiCharacterDelimiterAsTheManualsDelimiterString) {
    csv::RecordParser p(std::string("|~|"));
    std::vector<csv::Field> fields;
    std::string error;
    ASSERT_TRUE(p.parse("1|~|a|b~|~|\"x|~|y\"|~|", fields, error)) << error;
    ASSERT_EQ(fields.size(), 4u);
    EXPECT_EQ(fields[0].value, "1");
    EXPECT_EQ(fields[1].value, "a|b~");  // a part of the delimiter alone is data
    EXPECT_EQ(fields[2].value, "x|~|y");
    EXPECT_TRUE(fields[3].is_null());
    EXPECT_FALSE(p.parse("\"x\"|~y", fields, error));
    EXPECT_NE(error.find("text after a closing quote"), std::string::npos) << error;

    std::string out;
    csv::append_field(out, "x|~|y", std::string_view("|~|"));
    csv::append_field(out, "a|b", std::string_view("|~|"));
    EXPECT_EQ(out, "\"x|~|y\"a|b");
}
