#pragma once
// What the loader asks of the schema its messages carry while it streams (kafka.output.evolve):
// whether a message's schema has fields the load does not write yet, and, once the batch before
// that message is committed, to make the output table and the load follow it. SchemaEvolution is
// the real one; the unit tests drive the loader with a fake.
#include <memory>
#include <string>

#include "formats/decoder.hpp"
#include "load/sink/database_side.hpp"
#include "vocabulary/message.hpp"

namespace dgkafka::load {

class SchemaSide {
  public:
    enum class Met {
        known,        // every field of the message's schema has its column (or it has no schema)
        new_fields,   // its schema has fields without a column: the batch ends before it
        unavailable,  // its schema cannot be fetched now (`reason`): waited for
    };
    virtual ~SchemaSide() = default;

    // Per message: a look at its schema id, the schema fetched once per id.
    virtual Met meet(const Message& m, std::string& reason) = 0;
    // After the batch before the message meet() said new_fields of is committed: the output table
    // gets their columns (in a transaction of its own, recorded in the history), and `decoder` and
    // `database` are replaced by ones that write them. The loader then takes its partitions from
    // their stored offsets again, so that message is read again, by the new decoder.
    virtual Step follow(std::unique_ptr<formats::Decoder>& decoder, std::unique_ptr<DatabaseSide>& database) = 0;
};

}  // namespace dgkafka::load
