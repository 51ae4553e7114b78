#include "db/capacity.hpp"

#include <fmt/format.h>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

namespace dgkafka::db {

int free_connections(const DbSettings& settings) {
    auto conn = connect(settings, "dgkafka load (connection count)");
    return guarded("counting the free database connections", [&] {
        pqxx::read_transaction tx(*conn);
        return tx.exec1(sql::render("connection_slots", {}))[0].as<int>();
    });
}

int fit_loaders(const DbSettings& settings, int wanted, int others) {
    const int free = free_connections(settings);
    const int fit = std::min(wanted, free - others);
    if (fit < 1)
        throw Error(Exit::database,
                    fmt::format("the database accepts {} more connection(s) (max_connections less those reserved and "
                                "in use) but a load needs at least {}: raise max_connections or close connections",
                                std::max(0, free), 1 + others));
    if (fit < wanted)
        log::warn(
            "{} loader(s) asked but the database accepts only {} more connection(s) (max_connections less those "
            "reserved and in use): loading with {}",
            wanted, free, fit);
    return fit;
}

}  // namespace dgkafka::db
