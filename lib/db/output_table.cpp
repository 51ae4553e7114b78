#include "db/output_table.hpp"

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "db/mapping_types.hpp"
#include "db/tables.hpp"

namespace dgkafka::db {

OutputTable read_output_table(pqxx::dbtransaction& tx, const Config& cfg) {
    OutputTable out;
    out.kind = read_table_kind(tx, cfg.output_table);
    if (!cfg.mappings.empty() || !cfg.filter.empty()) out.casts = mapping_casts(tx, cfg);
    out.copy_unfaithful = tx.exec_params1(sql::render("copy_unfaithful", {}), cfg.output_table.quoted())[0].as<bool>();
    out.row_rules = row_rules(tx, cfg.output_table, cfg.target_columns());
    return out;
}

OutputTable read_output_table(const Config& cfg) {
    auto conn = connect(cfg.db, "dgkafka load");
    return guarded("reading the output table", [&] {
        pqxx::read_transaction tx(*conn);
        return read_output_table(tx, cfg);
    });
}

}  // namespace dgkafka::db
