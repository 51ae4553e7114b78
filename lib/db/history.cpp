#include "db/history.hpp"

#include <algorithm>

#include "db/connection.hpp"
#include "db/embedded_sql.hpp"
#include "db/fault.hpp"
#include "db/params.hpp"
#include "db/tables.hpp"
#include "util/log.hpp"

namespace dgkafka::db {

namespace {
constexpr auto age_check_every = std::chrono::minutes(1);
constexpr int64_t max_every_batches = 1000;
constexpr int64_t min_step_rows = 100;
}  // namespace

HistoryPruner::HistoryPruner(const Config& cfg)
    : group_(cfg.consumer_group),
      topic_(cfg.topic),
      output_table_(cfg.output_table.display()),
      sql_(sql::render("history_prune", table_vars(cfg))),
      table_(cfg.history_table.display()),
      keep_rows_(cfg.history_keep_rows),
      keep_days_(cfg.history_keep_days),
      enabled_(cfg.history_keep_rows > 0 || cfg.history_keep_days > 0),
      // A partition holds at most a tenth more than history_keep_rows between steps.
      every_batches_(keep_rows_ > 0 ? std::clamp<int64_t>(keep_rows_ / 10, 1, max_every_batches) : max_every_batches),
      step_rows_(std::max(min_step_rows, 4 * every_batches_)) {}

int64_t HistoryPruner::after_commit(pqxx::connection& conn, const std::vector<int32_t>& partitions) {
    if (!enabled_) return 0;
    pending_.insert(partitions.begin(), partitions.end());
    ++batches_;
    const auto now = std::chrono::steady_clock::now();
    if (ran_ && batches_ < every_batches_ && now - last_ < age_check_every) return 0;
    const std::vector<int32_t> ids(pending_.begin(), pending_.end());
    ran_ = true;
    last_ = now;
    batches_ = 0;
    try {
        pqxx::work tx(conn);
        const auto deleted =
            tx.exec_params(sql_, group_, topic_, output_table_, pg_array(ids), keep_days_, keep_rows_, step_rows_)
                .affected_rows();
        tx.commit();
        pending_.clear();
        if (deleted) log::debug("{}: pruned {} history row(s) of {} partition(s)", table_, deleted, ids.size());
        return static_cast<int64_t>(deleted);
    } catch (const pqxx::sql_error& e) {
        if (classify(sqlstate(e)) == Fault::fatal) {  // no privilege, or the table changed: not again
            enabled_ = false;
            log::warn(
                "{}: the offset history is not pruned: {} (kafka.output.history_keep_rows and "
                "history_keep_days; 0 and 0 keep every row)",
                table_, describe(e));
        }
    } catch (const pqxx::pqxx_exception&) {
        // A lost connection: the next batch finds out and reconnects; the step comes again.
    }
    return 0;
}

}  // namespace dgkafka::db
