#include "support/job.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "support/sandbox.hpp"

namespace dgtest {

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

Job::Job(const std::string& name)
    : topic(unique_name(name)), group(unique_name(name + "_grp")), table(unique_name(name)) {}

Job Job::customer(const std::string& name) {
    Job j(name);
    j.columns = {{"c_custkey", "integer"},        {"c_name", "varchar(25)"},    {"c_address", "varchar(40)"},
                 {"c_nationkey", "integer"},      {"c_phone", "varchar(15)"},   {"c_acctbal", "double precision"},
                 {"c_mktsegment", "varchar(10)"}, {"c_comment", "varchar(117)"}};
    return j;
}

Job Job::outbox(const std::string& name) {
    Job j(name);
    j.columns = {{"id", "integer"}};
    j.input_extra = "ext_write_table = " + toml_string(j.outbox_table()) + "\n";
    return j;
}

std::string prepare_outbox(const Job& job) {
    const auto path = job.write();
    create_topic(job.topic, 1);
    sql("CREATE TABLE " + quoted(job.table) + " (id integer)");
    const auto r = run("dgkafka", {"setup", path});
    if (r.code != 0) throw std::runtime_error("setup of " + path + " failed: " + r.err);
    return path;
}

std::string Job::toml() const {
    std::string t = "[dgkafka]\n" + database;  // else database settings from the sandbox's PG* environment
    t += "[kafka]\nbrokers = " + toml_string(brokers()) + "\n";
    t += "[kafka.input]\nformat = " + toml_string(format) + "\ndelimiter = " + toml_string(delimiter) +
         "\nconsumer_group = " + toml_string(group) + "\ntopic = " + toml_string(topic) +
         "\next_read_table = " + toml_string(table + "_read") +
         "\next_offset_table = " + toml_string(table + "_offset") + "\n" + input_extra;
    for (const auto& [n, type] : columns) {
        t += "[[kafka.input.columns]]\nname = " + toml_string(n) + "\ntype = " + toml_string(type) + "\n";
        if (std::find(ignored.begin(), ignored.end(), n) != ignored.end()) t += "ignored = true\n";
    }
    t += "[kafka.output]\noutput_table = " + toml_string(table) +
         "\noffset_table = " + toml_string(table + "_history") + "\n";
    if (!filter.empty()) t += "filter = " + toml_string(filter) + "\n";
    t += output_extra;
    for (const auto& [n, key] : mappings)
        t += "[[kafka.output.mappings]]\nname = " + toml_string(n) + "\nkey = " + toml_string(key) + "\n";
    t += "[kafka.commit]\nmax_row = " + std::to_string(max_row) +
         "\nminimal_interval = " + std::to_string(minimal_interval) + "\n";
    return t + extra;
}

std::string Job::write() const { return write_file(table + ".toml", toml()); }

const char* const customer_ddl =
    " (c_custkey integer, c_name varchar(25), c_address varchar(40), c_nationkey integer, c_phone varchar(15),"
    " c_acctbal double precision, c_mktsegment varchar(10), c_comment varchar(117))";

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

void produce_round_robin(const std::string& topic, const std::vector<std::string>& rows, int partitions) {
    std::vector<Record> records;
    records.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i)
        records.push_back({rows[i], std::nullopt, static_cast<int32_t>(i % static_cast<size_t>(partitions))});
    produce(topic, records);
}

std::string expected_customer_checksum(const std::string& table, const std::vector<std::string>& rows) {
    const std::string expected = quoted(table + "_expected");
    sql("CREATE TABLE " + expected + customer_ddl);
    copy_rows(expected, rows, '|');
    return checksum(expected, "c_custkey");
}

std::vector<std::string> customer_rows(int n, int first_key) {
    static const char* segments[] = {"BUILDING", "AUTOMOBILE", "MACHINERY", "HOUSEHOLD", "FURNITURE"};
    std::vector<std::string> rows;
    rows.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const int k = first_key + i;
        char buf[256];
        std::snprintf(
            buf, sizeof buf,
            "%d|Customer#%09d|addr %d, street %d|%d|%02d-%03d-%03d-%04d|%d.%02d|%s|comment %d: regular deposits", k, k,
            k * 7 % 1000, k % 97, k % 25, 10 + k % 25, k % 1000, (k * 3) % 1000, k % 10000, (k * 37) % 10000 - 999,
            k % 100, segments[k % 5], k);
        rows.emplace_back(buf);
    }
    return rows;
}

}  // namespace dgtest
