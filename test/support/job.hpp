#pragma once
// A dgkafka job for a test: unique topic, group and tables, written out as dgkafka.toml.
#include <string>
#include <utility>
#include <vector>

namespace dgtest {

struct Job {
    explicit Job(const std::string& name);  // unique topic/group/table names derived from `name`

    std::string topic, group, table;
    std::string format = "csv";
    std::string delimiter = "|";
    std::vector<std::pair<std::string, std::string>> columns;   // name, type
    std::vector<std::string> ignored;                           // names of ignored columns
    std::vector<std::pair<std::string, std::string>> mappings;  // name, key
    std::string filter;
    std::string output_extra;  // lines added to [kafka.output], e.g. "mode = \"merge\"\n"
    std::string input_extra;   // lines added to [kafka.input], e.g. "assignment = \"group\"\n"
    int max_row = 1000;
    double minimal_interval = -1;
    std::string extra;     // appended verbatim, e.g. "[kafka.properties]\n..."
    std::string database;  // lines of [dgkafka] (empty: the sandbox's PG* environment)

    std::string toml() const;
    std::string write() const;  // path of the written file

    // The customer table and columns of the spec's example.
    static Job customer(const std::string& name);
    // One integer column "id", and an outbox table <table>_outbox for `dgkafka publish`.
    static Job outbox(const std::string& name);
    std::string outbox_table() const { return table + "_outbox"; }
};

std::string toml_string(const std::string& s);  // a TOML basic string, quoted and escaped

// Writes the job, creates its one-partition topic and its output table (id integer), runs setup;
// returns the config's path.
std::string prepare_outbox(const Job& job);

// `n` deterministic customer rows like the spec's TPC-H example, '|'-delimited.
std::vector<std::string> customer_rows(int n, int first_key = 1);

// The spec's customer table columns, for CREATE TABLE name + customer_ddl.
extern const char* const customer_ddl;

std::string quoted(const std::string& name);  // "name" (test names hold no quotes)

// Sends rows to partitions 0, 1, ... in turn and waits for every acknowledgement.
void produce_round_robin(const std::string& topic, const std::vector<std::string>& rows, int partitions);

// The checksum a customer table must have: the same rows COPYed straight from the source text
// into <table>_expected.
std::string expected_customer_checksum(const std::string& table, const std::vector<std::string>& rows);

}  // namespace dgtest
