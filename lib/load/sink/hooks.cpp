#include "load/sink/hooks.hpp"

#include <fmt/format.h>

#include "db/connection.hpp"
#include "db/fault.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

namespace dgkafka::load {

void BatchHooks::before_load() {
    if (cfg_.before_load_sql.empty()) return;
    auto conn = db::connect(cfg_.db, "dgkafka load (before_load_sql)");
    db::guarded("kafka.output.before_load_sql failed", [&] {
        pqxx::work tx(*conn);
        tx.exec(cfg_.before_load_sql);
        tx.commit();
    });
}

void BatchHooks::after_batches(int64_t committed_batches, bool final) {
    if (cfg_.after_batch_sql.empty() || committed_batches == seen_batches_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!final && now - last_run_ < std::chrono::duration<double>(cfg_.after_batch_interval)) return;
    seen_batches_ = committed_batches;
    last_run_ = now;
    try {
        if (!conn_) conn_ = db::connect(cfg_.db, "dgkafka load (after_batch_sql)");
        pqxx::work tx(*conn_);
        tx.exec(cfg_.after_batch_sql);
        tx.commit();
    } catch (const pqxx::sql_error& e) {
        log::warn("kafka.output.after_batch_sql failed (the loaded rows stay): {}", db::describe(e));
    } catch (const std::exception& e) {
        conn_.reset();  // reconnect next time
        log::warn("kafka.output.after_batch_sql failed (the loaded rows stay): {}", e.what());
    }
}

}  // namespace dgkafka::load
