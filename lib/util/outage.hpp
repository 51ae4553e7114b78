#pragma once
// A server's outage as an operator reads it in the log: one line when it starts (the first failed
// attempt of any of the process's loaders), a reminder at a steady interval with the attempts and
// the time so far, and one line when it ends with its duration; not a line per loader per
// attempt. Thread-safe: the loaders of a process share one per server.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace dgkafka {

class Outage {
  public:
    using Clock = std::chrono::steady_clock;
    // `server` starts the lines ("the database"); a reminder every `remind_every`.
    explicit Outage(std::string server, std::chrono::seconds remind_every = std::chrono::seconds(30));

    // A failed attempt of `who` (a loader's number), for `cause`. A cause that may only be the
    // artifact of a session that broke (libpq's text then says little) is held back while a
    // better one can come from the next attempt: `cause_known` false.
    void failed(int who, const std::string& cause, bool cause_known = true);
    // A successful attempt of `who`: once nobody is failing, the outage is over.
    void succeeded(int who);
    // Called now and then (the supervising loop): the reminder, when one is due.
    void tick();

    bool ongoing() const;
    int64_t outages() const;  // started so far

  private:
    void start_line(const std::string& cause);  // with mu_ held
    double seconds(Clock::time_point now) const { return std::chrono::duration<double>(now - started_).count(); }

    const std::string server_;
    const Clock::duration remind_every_;
    mutable std::mutex mu_;
    std::set<int> failing_;
    Clock::time_point started_, last_line_;
    int64_t attempts_ = 0, outages_ = 0;
    bool announced_ = false;           // the start line is out
    std::string cause_;                // the last cause given
    std::optional<std::string> held_;  // a cause that may be an artifact, not announced yet
};

}  // namespace dgkafka
