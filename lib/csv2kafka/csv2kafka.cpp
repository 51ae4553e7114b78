#include "csv2kafka/csv2kafka.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <thread>
// -X values may hold commas (cipher lists): never split a repeated option's value.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "formats/csv.hpp"
#include "kafka/client.hpp"
#include "kafka/delivery.hpp"
#include "util/args.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

namespace dgkafka::csv2kafka {

namespace {

size_t key_index(const std::string& key_column, const std::vector<std::string>& header, bool json_or_header) {
    if (json_or_header)
        for (size_t i = 0; i < header.size(); ++i)
            if (header[i] == key_column) return i;
    try {
        const long n = std::stol(key_column);
        if (n >= 1) return static_cast<size_t>(n - 1);
    } catch (const std::exception&) {
    }
    throw Error(Exit::usage, fmt::format("--key {}: not a header name nor a column number (1 = first)", key_column));
}

std::string delimiter(const std::string& s, const char* flag) {
    if (s == "\\t" || s == "tab") return "\t";
    if (s.empty() || s.find_first_of("\"\n\r") != std::string::npos)
        throw Error(
            Exit::usage,
            fmt::format("{} must be one or more characters, without quotes or line breaks, got \"{}\"", flag, s));
    return s;
}

// One diagnostic line on the caller's stream, timestamped and levelled like dgkafka's.
void report(std::ostream& err, log::Level level, const std::string& message) {
    err << log::line(level, message) << '\n';
}

}  // namespace

Csv2KafkaResult run_csv2kafka(const Csv2KafkaOptions& o, std::istream& in, std::ostream& err,
                              const std::atomic<bool>& stop) {
    kafka::Deliveries delivery;
    auto conf = kafka::make_conf(o.brokers, {{"client.id", "csv2kafka"}}, o.properties);
    delivery.attach(conf.get());
    auto rk = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf));
    // Fails early naming a missing topic, and warms the producer's metadata: without it the first
    // messages wait for the producer's own metadata round (about a second).
    kafka::partition_count(rk.get(), o.topic, o.brokers);

    csv::Reader reader(in, o.read_delimiter);
    std::vector<csv::Field> fields;
    std::vector<std::string> header;
    std::optional<size_t> key_at;
    if (o.header || o.json) {
        if (!reader.next(fields)) throw Error(Exit::data, fmt::format("{}: no header line", o.file));
        for (const auto& f : fields) header.emplace_back(f.value);
    }
    if (!o.key_column.empty()) key_at = key_index(o.key_column, header, o.header || o.json);

    std::string value;
    long long sent = 0;
    Csv2KafkaResult result;
    const auto started = std::chrono::steady_clock::now();
    auto last_progress = started;
    // A record without quotes, re-delimited with the same delimiter and no key, is its own message.
    const bool verbatim_ok = !o.json && !key_at && o.read_delimiter == o.write_delimiter;
    // A malformed record: reported, then skipped or the end of the run (after the flush below).
    auto bad_record = [&](size_t line, const std::string& reason) {  // reason names the line
        ++result.bad_lines;
        if (o.skip_bad_lines) {
            report(err, log::Level::warn, fmt::format("{}: {} (skipped)", o.file, reason));
            return true;
        }
        result.stopped = Csv2KafkaResult::Stop{Csv2KafkaResult::Stop::Cause::malformed_record, line, reason};
        return false;
    };
    bool at_end = false;
    while (!stop && (!o.limit || sent < *o.limit)) {
        std::string_view message;
        try {
            if (!reader.read_record()) {
                at_end = true;
                break;
            }
        } catch (const std::runtime_error& e) {  // an unclosed quote: it runs to the end of the file
            bad_record(
                reader.record_line(),
                fmt::format("{} (lines {} to {}, the end of the file, are that one record: none of them was sent)",
                            e.what(), reader.record_line(), reader.next_line() - 1));
            break;
        }
        if (static_cast<long long>(reader.record_line()) < o.start_line) continue;
        if (reader.record().empty() && !o.keep_blank_lines) {
            ++result.blank_lines;
            continue;
        }
        if (verbatim_ok && !reader.has_quotes()) {
            message = reader.record();
        } else {
            try {
                reader.split_record(fields);
            } catch (const std::runtime_error& e) {
                if (bad_record(reader.record_line(), e.what())) continue;
                break;
            }
        }
        if (!message.data()) {
            value.clear();
            if (o.json) {
                if (fields.size() != header.size()) {
                    if (bad_record(reader.record_line(),
                                   fmt::format("line {}: {} fields, the header has {}", reader.record_line(),
                                               fields.size(), header.size())))
                        continue;
                    break;
                }
                nlohmann::json j = nlohmann::json::object();
                for (size_t i = 0; i < fields.size(); ++i)
                    j[header[i]] =
                        fields[i].is_null() ? nlohmann::json() : nlohmann::json(std::string(fields[i].value));
                value = j.dump();
            } else {
                for (size_t i = 0; i < fields.size(); ++i) {
                    if (i) value += o.write_delimiter;
                    csv::append_field(value, fields[i].value, o.write_delimiter, fields[i].quoted);
                }
            }
            message = value;
        }
        const void* key_data = nullptr;  // NULL key: librdkafka's partitioner spreads the messages
        size_t key_size = 0;
        if (key_at) {
            if (*key_at >= fields.size()) {
                if (bad_record(reader.record_line(),
                               fmt::format("line {}: no column {} for the key", reader.record_line(), *key_at + 1)))
                    continue;
                break;
            }
            key_data = fields[*key_at].value.data();
            key_size = fields[*key_at].value.size();
        }
        if (o.rate > 0) {  // a steady pace: message n leaves at n / rate seconds
            const auto due = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                           std::chrono::duration<double>(static_cast<double>(sent) / o.rate));
            rd_kafka_poll(rk.get(), 0);
            std::this_thread::sleep_until(due);
        }
        if (const auto e = kafka::produce(rk.get(), o.topic, message, key_data, key_size, nullptr))
            throw Error(Exit::kafka, fmt::format("{}: line {}: {}", o.file, reader.record_line(), rd_kafka_err2str(e)));
        if (++sent % 1000 == 0) rd_kafka_poll(rk.get(), 0);  // serve delivery reports now and then
        if (o.progress && std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(1)) {
            err << fmt::format("\rcsv2kafka: {} sent, {} acknowledged", sent, delivery.acknowledged()) << std::flush;
            last_progress = std::chrono::steady_clock::now();
        }
    }
    if (stop && !at_end && !result.stopped)
        result.stopped = Csv2KafkaResult::Stop{Csv2KafkaResult::Stop::Cause::signal, reader.next_line(), ""};
    // Every message is acknowledged, or failed after message.timeout.ms, before returning: each
    // gets exactly one delivery report. (rd_kafka_flush would also wait out unrelated requests.)
    delivery.wait(rk.get(), sent);
    if (o.progress) err << "\r\033[K" << std::flush;
    if (delivery.failed())
        report(err, log::Level::error,
               fmt::format("{} messages failed, the first with: {}", delivery.failed(), delivery.first_error()));
    result.messages = delivery.acknowledged();
    result.bytes = delivery.bytes();
    result.failed = delivery.failed();
    return result;
}

int csv2kafka_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                   const std::atomic<bool>& stop) {
    cxxopts::Options opts("csv2kafka", "Sends each record of a CSV file to a Kafka topic as one message.");
    opts.custom_help("[-d delim] [-w delim] [-X key=value ...] [flags]");
    opts.positional_help("brokers topic csvfile|-");
    opts.add_options()("d,read-delimiter", "delimiter of the CSV file",
                       cxxopts::value<std::string>()->default_value(","))(
        "w,write-delimiter", "delimiter of the messages (kafka.input.delimiter)", cxxopts::value<std::string>())(
        "X,property", "librdkafka property key=value (SSL, SASL, compression, linger...)",
        cxxopts::value<std::vector<std::string>>())("header", "the first line names the fields; do not send it")(
        "key", "key column: a header name or a column number (1 = first)", cxxopts::value<std::string>())(
        "format", "csv (default) or json (fields named by the header)",
        cxxopts::value<std::string>()->default_value("csv"))("limit", "send at most N messages",
                                                             cxxopts::value<long long>())(
        "rate", "send N messages per second, steadily", cxxopts::value<double>())("q,quiet", "no progress line")(
        "skip-bad-lines", "report and skip malformed records instead of stopping at the first (exit 6 all the same)")(
        "start-line", "send only the records that start on line N or later (to resume)", cxxopts::value<long long>())(
        "keep-blank-lines", "send empty lines as empty messages (default: skipped)")(
        "log-format", "stderr lines as text or json (one object a line), as dgkafka's",
        cxxopts::value<std::string>()->default_value("text"))("h,help", "show this help")(
        "brokers", "", cxxopts::value<std::string>())("topic", "", cxxopts::value<std::string>())(
        "csvfile", "", cxxopts::value<std::string>());
    opts.parse_positional({"brokers", "topic", "csvfile"});
    const std::set<std::string> long_names = {"read-delimiter",
                                              "write-delimiter",
                                              "property",
                                              "header",
                                              "key",
                                              "format",
                                              "limit",
                                              "rate",
                                              "quiet",
                                              "help",
                                              "skip-bad-lines",
                                              "start-line",
                                              "keep-blank-lines",
                                              "log-format"};
    std::vector<std::string> args(argv, argv + argc);
    try {
        args = args::normalize(args, long_names);
        std::vector<const char*> cargv;
        for (const auto& a : args) cargv.push_back(a.c_str());
        auto r = opts.parse(static_cast<int>(cargv.size()), cargv.data());
        if (r.count("help")) {
            out << opts.help();
            return 0;
        }
        if (!log::set_format(r["log-format"].as<std::string>()))
            throw Error(Exit::usage,
                        fmt::format("--log-format {}: give text or json", r["log-format"].as<std::string>()));
        if (!r.count("csvfile") || !r.unmatched().empty())
            throw Error(Exit::usage, "give brokers, topic and csvfile (- for standard input)\n\n" + opts.help());
        Csv2KafkaOptions o;
        o.read_delimiter = delimiter(r["read-delimiter"].as<std::string>(), "-d");
        o.write_delimiter =
            r.count("write-delimiter") ? delimiter(r["write-delimiter"].as<std::string>(), "-w") : o.read_delimiter;
        if (r.count("property"))
            for (const auto& kv : r["property"].as<std::vector<std::string>>()) {
                const auto eq = kv.find('=');
                if (eq == std::string::npos) throw Error(Exit::usage, fmt::format("-X {}: expected key=value", kv));
                o.properties.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
            }
        o.brokers = r["brokers"].as<std::string>();
        o.topic = r["topic"].as<std::string>();
        o.file = r["csvfile"].as<std::string>();
        o.header = r.count("header") > 0;
        if (r.count("key")) o.key_column = r["key"].as<std::string>();
        const auto format = r["format"].as<std::string>();
        if (format != "csv" && format != "json") throw Error(Exit::usage, "--format must be csv or json");
        o.json = format == "json";
        if (r.count("limit")) o.limit = r["limit"].as<long long>();
        if (r.count("rate")) o.rate = r["rate"].as<double>();
        if (o.rate < 0) throw Error(Exit::usage, "--rate must be positive");
        o.progress = !r.count("quiet") && isatty(STDERR_FILENO);
        o.skip_bad_lines = r.count("skip-bad-lines") > 0;
        o.keep_blank_lines = r.count("keep-blank-lines") > 0;
        if (r.count("start-line")) o.start_line = r["start-line"].as<long long>();
        if (o.start_line < 1) throw Error(Exit::usage, "--start-line must be 1 or more");

        std::ifstream file;
        if (o.file != "-") {
            file.open(o.file, std::ios::binary);
            if (!file) throw Error(Exit::usage, fmt::format("{}: cannot open", o.file));
        }
        const auto result = run_csv2kafka(o, o.file == "-" ? std::cin : file, err, stop);
        out << fmt::format(
            "csv2kafka: {} messages, {} bytes sent to {}{}{}{}\n", result.messages, result.bytes, o.topic,
            result.failed ? fmt::format(", {} failed", result.failed) : "",
            result.blank_lines ? fmt::format(", {} blank lines skipped", result.blank_lines) : "",
            o.skip_bad_lines && result.bad_lines ? fmt::format(", {} bad lines skipped", result.bad_lines) : "");
        if (const auto& s = result.stopped) {  // lines not sent: never exit 0
            const bool malformed = s->cause == Csv2KafkaResult::Stop::Cause::malformed_record;
            report(err, log::Level::error,
                   fmt::format("{}: {}, after {} messages were delivered: {}resume with --start-line {}{}", o.file,
                               malformed ? s->reason + "; stopped there"
                                         : fmt::format("stopped by a signal before line {}", s->line),
                               result.messages, malformed ? "fix the line and " : "", s->line,
                               malformed ? ", or use --skip-bad-lines" : ""));
            return static_cast<int>(Exit::data);
        }
        if (result.failed) return static_cast<int>(Exit::kafka);
        return result.bad_lines ? static_cast<int>(Exit::data) : 0;
    } catch (const cxxopts::exceptions::exception& e) {
        const auto unknown = args::unknown_flag({argv + 1, argv + argc}, long_names, "qh", "dwX");
        report(err, log::Level::error, unknown.empty() ? e.what() : unknown);
        err << '\n' << opts.help();
        return static_cast<int>(Exit::usage);
    } catch (const Error& e) {
        report(err, log::Level::error, e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        report(err, log::Level::error, e.what());
        return static_cast<int>(Exit::failure);
    }
}

}  // namespace dgkafka::csv2kafka
