#include "cli/dgkafka_cli.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <charconv>
#include <cxxopts.hpp>
#include <functional>
#include <iostream>
#include <optional>
#include <string_view>

#include "check/check.hpp"
#include "config/config.hpp"
#include "kafka/properties.hpp"
#include "load/load.hpp"
#include "publish/publish.hpp"
#include "setup/setup.hpp"
#include "util/args.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

#ifndef DGKAFKA_VERSION
#define DGKAFKA_VERSION "dev"
#endif

namespace dgkafka::cli {

namespace {

struct Context {
    cxxopts::ParseResult& args;
    const Config& cfg;
    std::ostream& out;
    const std::atomic<bool>& stop;
};

struct Command {
    const char* name;
    const char* summary;
    std::function<void(cxxopts::Options&)> add_options;
    std::function<void(const Context&)> run;
};

// "3:1200" as partition 3, offset 1200; nothing for anything else.
std::optional<std::pair<int32_t, int64_t>> partition_offset(std::string_view item) {
    const auto colon = item.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    int32_t p = -1;
    int64_t o = -1;
    const auto whole = [](std::string_view text, auto& value) {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        return ec == std::errc() && end == text.data() + text.size() && value >= 0;
    };
    if (!whole(item.substr(0, colon), p) || !whole(item.substr(colon + 1), o)) return std::nullopt;
    return std::pair{p, o};
}

// The -force-reset-* flags: at most one, recorded in the history when applied.
void read_reset(const cxxopts::ParseResult& args, load::LoadOptions& options) {
    using load::Reset;
    const std::vector<std::pair<const char*, Reset>> flags = {{"force-reset-earliest", Reset::earliest},
                                                              {"force-reset-latest", Reset::latest},
                                                              {"force-reset-timestamp", Reset::timestamp},
                                                              {"force-reset-offset", Reset::offsets}};
    std::vector<std::string> given;
    for (const auto& [flag, reset] : flags)
        if (args.count(flag)) {
            given.push_back(std::string("-") + flag);
            options.reset = reset;
        }
    if (given.size() > 1) throw Error(Exit::usage, text::join(given, " and ") + " exclude each other");
    if (options.reset == Reset::timestamp) options.reset_time = args["force-reset-timestamp"].as<std::string>();
    if (options.reset != Reset::offsets) return;
    const std::string spec = args["force-reset-offset"].as<std::string>();
    for (const auto& item : text::split(spec, ',')) {
        const auto reset = partition_offset(item);
        if (!reset)
            throw Error(Exit::usage, fmt::format("-force-reset-offset {}: \"{}\" is not PARTITION:OFFSET", spec, item));
        if (!options.reset_offsets.emplace(reset->first, reset->second).second)
            throw Error(Exit::usage,
                        fmt::format("-force-reset-offset {}: partition {} is given twice", spec, reset->first));
    }
}

void add_metrics_option(cxxopts::Options& o) {
    o.add_options()("metrics-address",
                    "serve Prometheus metrics at http://HOST:PORT/metrics (overrides "
                    "dgkafka.metrics_address)",
                    cxxopts::value<std::string>(), "HOST:PORT");
}

std::string metrics_address(const Context& c) {
    return c.args.count("metrics-address") ? c.args["metrics-address"].as<std::string>() : c.cfg.metrics_address;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"setup", "create the offset, history, staging and rejected-rows tables (safe to re-run)",
         [](cxxopts::Options&) {}, [](const Context& c) { setup::run_setup(c.cfg, c.out); }},
        {"load", "load the topic into the output table, exactly once",
         [](cxxopts::Options& o) {
             o.add_options()("quit-at-eof", "exit once every partition reached the end offset it had at start")(
                 "force-reset-earliest", "start every partition at its first offset")(
                 "force-reset-latest", "start every partition at its end (load only new messages)")(
                 "force-reset-timestamp",
                 "start every partition at its first message at or after TIME "
                 "(ISO 8601, or epoch milliseconds)",
                 cxxopts::value<std::string>(), "TIME")(
                 "force-reset-offset", "start the given partitions at the given offsets", cxxopts::value<std::string>(),
                 "PARTITION:OFFSET[,...]")("loaders", "parallel loaders (database connections)", cxxopts::value<int>());
             add_metrics_option(o);
         },
         [](const Context& c) {
             load::LoadOptions options;
             options.quit_at_eof = c.args.count("quit-at-eof") > 0;
             read_reset(c.args, options);
             if (c.args.count("loaders")) {
                 options.loaders = c.args["loaders"].as<int>();
                 if (*options.loaders < 1) throw Error(Exit::usage, "-loaders must be 1 or more");
             }
             options.metrics_address = metrics_address(c);
             load::run_load(c.cfg, options, c.out, c.stop);
         }},
        {"publish", "send the rows of the outbox table (ext_write_table) to the topic",
         [](cxxopts::Options& o) {
             o.add_options()("quit-at-eof", "exit once the outbox is empty");
             add_metrics_option(o);
         },
         [](const Context& c) {
             publish::PublishOptions options;
             options.quit_at_eof = c.args.count("quit-at-eof") > 0;
             options.metrics_address = metrics_address(c);
             publish::run_publish(c.cfg, options, c.out, c.stop);
         }},
        {"check", "show the offsets recorded in the database beside Kafka's",
         [](cxxopts::Options& o) {
             o.add_options()("json", "print the same facts as JSON")(
                 "history", "also show the last N batches of each partition", cxxopts::value<int>())(
                 "max-lag", "exit 10 when a partition is more than N messages behind (for cron and monitoring)",
                 cxxopts::value<int64_t>(), "N");
         },
         [](const Context& c) {
             check::CheckOptions options;
             options.json = c.args.count("json") > 0;
             if (c.args.count("history")) options.history = c.args["history"].as<int>();
             if (options.history < 0) throw Error(Exit::usage, "-history must be 0 or more");
             if (c.args.count("max-lag")) options.max_lag = c.args["max-lag"].as<int64_t>();
             if (options.max_lag && *options.max_lag < 0) throw Error(Exit::usage, "-max-lag must be 0 or more");
             check::run_check(c.cfg, options, c.out, c.stop);
         }},
    };
    return table;
}

std::string usage() {
    std::string s =
        "dgkafka loads Apache Kafka topics into PostgreSQL-compatible databases, exactly once.\n\n"
        "Usage: dgkafka <command> [flags] dgkafka.toml\n\nCommands:\n";
    for (const auto& c : commands()) s += fmt::format("  {:<7} {}\n", c.name, c.summary);
    s += "\nRun `dgkafka <command> --help` for its flags. Long flags take one dash or two (-quit-at-eof).\n";
    return s;
}

cxxopts::Options options_for(const Command& cmd) {
    cxxopts::Options o(std::string("dgkafka ") + cmd.name, cmd.summary);
    o.custom_help("[flags]");
    o.positional_help("dgkafka.toml");
    o.add_options()("h,help", "show this help")("v,verbose", "progress on stderr; -vv for debug output")(
        "q,quiet", "errors only on stderr")("log-format", "stderr lines as text or json (one object a line)",
                                            cxxopts::value<std::string>()->default_value("text"),
                                            "FORMAT")("config", "configuration file", cxxopts::value<std::string>());
    cmd.add_options(o);
    o.parse_positional({"config"});
    return o;
}

std::set<std::string> long_names(const cxxopts::Options& o) {
    std::set<std::string> names;
    for (const auto& group : o.groups())
        for (const auto& opt : o.group_help(group).options) names.insert(opt.l.empty() ? "" : opt.l.front());
    return names;
}

void warn_if_readable_password(const Config& cfg) {
    struct stat st {};
    if (cfg.db.password_in_file && stat(cfg.path.c_str(), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
        log::warn(
            "{} holds a database password and other users can read it: chmod 600 {}, or use password_file "
            "or password_env",
            cfg.path, cfg.path);
}

void set_logging(const cxxopts::ParseResult& args) {
    if (args.count("quiet") && args.count("verbose")) throw Error(Exit::usage, "-q and -v exclude each other");
    log::set_verbosity(args.count("quiet") ? -1 : static_cast<int>(args.count("verbose")));
    if (!log::set_format(args["log-format"].as<std::string>()))
        throw Error(Exit::usage,
                    fmt::format("-log-format {}: give text or json", args["log-format"].as<std::string>()));
}

// Flags that did not parse are still logged in the -log-format given, before or after them.
void apply_log_format(const std::vector<std::string>& normalized) {
    for (size_t i = 1; i < normalized.size(); ++i) {
        if (normalized[i] == "--log-format" && i + 1 < normalized.size())
            log::set_format(normalized[i + 1]);
        else if (normalized[i].rfind("--log-format=", 0) == 0)
            log::set_format(normalized[i].substr(13));
    }
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const std::atomic<bool>& stop) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-help" || args[0] == "-h" || args[0] == "help") {
        (args.empty() ? err : out) << usage();
        return static_cast<int>(args.empty() ? Exit::usage : Exit::ok);
    }
    if (args[0] == "--version" || args[0] == "-version") {
        out << "dgkafka " << DGKAFKA_VERSION << "\n";
        return 0;
    }
    const auto cmd =
        std::find_if(commands().begin(), commands().end(), [&](const Command& c) { return args[0] == c.name; });
    if (cmd == commands().end())
        throw Error(Exit::usage, fmt::format("unknown command \"{}\"\n\n{}", args[0], usage()));

    auto options = options_for(*cmd);
    const auto names = long_names(options);
    auto normalized = args::normalize(args, names);
    normalized[0] = std::string("dgkafka ") + cmd->name;
    std::vector<const char*> cargv;
    for (const auto& a : normalized) cargv.push_back(a.c_str());
    cxxopts::ParseResult parsed;
    try {
        parsed = options.parse(static_cast<int>(cargv.size()), cargv.data());
    } catch (const cxxopts::exceptions::exception& e) {
        apply_log_format(normalized);
        const auto unknown = args::unknown_flag({args.begin() + 1, args.end()}, names, "hv");
        throw Error(Exit::usage, fmt::format("{}\n\n{}", unknown.empty() ? e.what() : unknown, options.help()));
    }
    if (parsed.count("help")) {
        out << options.help();
        return 0;
    }
    set_logging(parsed);
    if (!parsed.count("config") || !parsed.unmatched().empty())
        throw Error(Exit::usage, fmt::format("give exactly one configuration file\n\n{}", options.help()));

    const Config cfg = load_config(parsed["config"].as<std::string>(), kafka::check_property);
    for (const auto& key : cfg.unused_keys)
        log::info("{}: {} is accepted for compatibility with xdrive-based dgkafka and not used", cfg.path, key);
    warn_if_readable_password(cfg);
    cmd->run(Context{parsed, cfg, out, stop});
    return 0;
}

// The reason the run failed, as a log line of level error on the caller's stream.
void fail(std::ostream& err, const std::string& message) { err << log::line(log::Level::error, message) << "\n"; }

}  // namespace

std::vector<std::string> command_names() {
    std::vector<std::string> out;
    for (const auto& c : commands()) out.push_back(c.name);
    return out;
}

int dgkafka_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                 const std::atomic<bool>& stop) {
    try {
        return run(argc, argv, out, err, stop);
    } catch (const Stopped& e) {  // a signal ended a wait for a server: a clean end, said as such
        err << log::line(log::Level::warn, e.what()) << "\n";
        return static_cast<int>(e.code());
    } catch (const Error& e) {
        for (const auto& p : e.problems()) fail(err, p);
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        fail(err, e.what());
        return static_cast<int>(Exit::failure);
    }
}

}  // namespace dgkafka::cli
