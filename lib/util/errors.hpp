#pragma once
// Named exit codes and the one exception type that carries them to main().
#include <stdexcept>
#include <string>
#include <vector>

namespace dgkafka {

enum class Exit : int {
    ok = 0,
    failure = 1,     // unexpected internal error
    usage = 2,       // bad command line
    config = 3,      // bad configuration file
    database = 4,    // database unreachable or a statement failed
    kafka = 5,       // broker unreachable or Kafka refused a request
    data = 6,        // a message could not be loaded
    not_set_up = 7,  // `dgkafka setup` was never run for this config
    no_topic = 8,    // the topic does not exist
    data_loss = 9,   // retention deleted messages before they were loaded (kafka.input.on_data_loss)
    lagging = 10,    // dgkafka check -max-lag N: a partition is more than N messages behind
};

// Every exit code with its meaning, for --help, the man page and the README's table.
struct ExitCode {
    Exit code;
    const char* meaning;
};
const std::vector<ExitCode>& exit_codes();

// An error that already says what went wrong, for whom, and how the process should exit.
class Error : public std::runtime_error {
  public:
    Error(Exit code, const std::string& message) : std::runtime_error(message), code_(code), problems_{message} {}
    // Several problems found at once, each reported on its own line; what() joins them.
    Error(Exit code, std::vector<std::string> problems);
    Exit code() const { return code_; }
    const std::vector<std::string>& problems() const { return problems_; }

  private:
    Exit code_;
    std::vector<std::string> problems_;
};

// A server that cannot be reached now (down, starting, restarting, too many clients): a later
// attempt can succeed, so RetryPolicy waits for it. Any other Error is final.
class Unavailable : public Error {
  public:
    using Error::Error;
};

// A stop signal ended a wait for a server before anything was done: a clean end (Exit::ok).
class Stopped : public Error {
  public:
    explicit Stopped(const std::string& message) : Error(Exit::ok, message) {}
};

}  // namespace dgkafka
