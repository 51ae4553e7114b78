#include "load/sink/move_staged.hpp"

namespace dgkafka::load {

int64_t move_staged(pqxx::transaction_base& tx, const TargetMove& move) {
    if (!move.rounds) return static_cast<int64_t>(tx.exec0(move.insert).affected_rows());
    int64_t written = 0;
    for (int64_t round = 1, rounds = 1; round <= rounds; ++round) {  // the first round says how many
        const auto r = tx.exec_params1(move.insert, round);
        written += r[0].as<int64_t>();
        rounds = r[1].as<int64_t>();
    }
    return written;
}

}  // namespace dgkafka::load
