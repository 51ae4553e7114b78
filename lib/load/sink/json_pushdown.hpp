#pragma once
// Reading JSON members in dgkafka instead of in the database.
//
// With `json` (not jsonb) input, PostgreSQL parses the whole document again for every ->>
// operator: seven mappings like (jdata->>'site_id')::int parse each message seven times, and
// that, not Kafka, bounds a JSON load. Where a mapping or the filter reads a top-level member as
// `jdata->>'name'`, in a place where that is exactly how PostgreSQL would group it, dgkafka reads
// the member itself (json::MemberReader, with ->>'s rules) and stages its text in a column of
// its own; the expression reads that column instead, casts and all unchanged. When nothing else
// reads jdata, the document is not sent at all.
//
// With `jsonb` input the same holds where nothing else reads the document (else PostgreSQL parses
// it once anyway and ->> on jsonb is cheap). jsonb's ->> gives the text of the stored value, so
// dgkafka stages a member's text only where it is the same (strings, true/false, numbers written
// without exponent, except -0); a container or such a number is staged as JSON in a jsonb column
// beside it and read with #>> '{}', which is ->> of that value. Documents jsonb input refuses
// (numbers numeric cannot hold) are refused by dgkafka too.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace dgkafka::load {

struct JsonPushdown {
    std::vector<std::string> members;  // read by dgkafka, one staging column each, in order
    struct Target {
        std::vector<std::string> expressions;  // the mappings' expressions, rewritten
        std::string filter;                    // rewritten
    };
    std::vector<Target> targets;  // each output table's (Config::outputs), in order
    bool document_needed = true;  // something still reads the JSON column itself
    bool jsonb = false;           // members have a jsonb column each too (json_column)

    // Nothing to do (members empty) unless the input is one `json` column read with ->>. The
    // targets of a job share the members: each is staged once.
    static JsonPushdown plan(const Config& job);
    static std::string column(size_t i);       // the quoted staging column of members[i]
    static std::string json_column(size_t i);  // jsonb only: members[i] as jsonb where its text differs
    std::string stage_columns() const;         // ", name type" for each staging column
};

}  // namespace dgkafka::load
