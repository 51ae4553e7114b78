#include "cli/man.hpp"

#include <fmt/format.h>

#include <cctype>
#include <sstream>

#include "cli/dgkafka_cli.hpp"
#include "csv2kafka/csv2kafka.hpp"
#include "util/errors.hpp"
#include "util/roff.hpp"

namespace dgkafka::cli {

namespace {

using Main = int (*)(int, const char* const*, std::ostream&, std::ostream&, const std::atomic<bool>&);

std::string help_of(Main main, std::vector<const char*> argv) {
    std::ostringstream out, err;
    const std::atomic<bool> stop{false};
    main(static_cast<int>(argv.size()), argv.data(), out, err, stop);
    return out.str();
}

std::string preformatted(const std::string& text) { return ".nf\n" + roff::escape(text) + "\n.fi\n"; }

std::string exit_status() {
    std::string out = ".SH EXIT STATUS\n";
    for (const auto& e : exit_codes())
        out += fmt::format(".TP\n.B {}\n{}\n", static_cast<int>(e.code), roff::escape(e.meaning));
    return out;
}

std::string header(const std::string& name, const std::string& version, const std::string& summary) {
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return fmt::format(".TH {} 1 \"\" \"dgkafka {}\" \"User Commands\"\n.SH NAME\n{} \\- {}\n", upper,
                       roff::escape(version), name, roff::escape(summary));
}

}  // namespace

std::string dgkafka_man_page(const std::string& version) {
    std::string out = header("dgkafka", version, "load Apache Kafka topics into PostgreSQL, exactly once");
    out += ".SH SYNOPSIS\n.B dgkafka\n.I command\n[flags]\n.I dgkafka.toml\n";
    out += ".SH DESCRIPTION\n" + preformatted(help_of(dgkafka_main, {"dgkafka", "--help"}));
    out += ".SH COMMANDS\n";
    for (const auto& name : command_names()) {
        out += fmt::format(".SS {}\n", name);
        out += preformatted(help_of(dgkafka_main, {"dgkafka", name.c_str(), "--help"}));
    }
    out +=
        ".SH SERVICE\nRun a streaming load under systemd with the template unit "
        "\\fBdgkafka@.service\\fR: \\fBsystemctl enable \\-\\-now dgkafka@NAME\\fR loads with "
        "/etc/dgkafka/NAME.toml (and PG* settings from /etc/dgkafka/NAME.env, if present).\n";
    out += exit_status();
    out += ".SH FILES\n.TP\n/etc/dgkafka/*.toml\njob configurations, see \\fBdgkafka.toml\\fR(5)\n";
    out += ".SH SEE ALSO\n.BR dgkafka.toml (5),\n.BR csv2kafka (1),\n.BR psql (1)\n";
    return out;
}

std::string csv2kafka_man_page(const std::string& version) {
    std::string out = header("csv2kafka", version, "send each record of a CSV file to a Kafka topic");
    out += ".SH SYNOPSIS\n.B csv2kafka\n[flags]\n.I brokers topic csvfile\n";
    out +=
        ".SH DESCRIPTION\nOne Kafka message per CSV record, re-delimited so \\fBdgkafka load\\fR reads the same "
        "fields.\n";
    out += ".SH OPTIONS\n" + preformatted(help_of(csv2kafka::csv2kafka_main, {"csv2kafka", "--help"}));
    out += exit_status();
    out += ".SH SEE ALSO\n.BR dgkafka (1),\n.BR kcat (1)\n";
    return out;
}

std::string exit_code_table() {
    std::string out = "| code | meaning |\n| --- | --- |\n";
    for (const auto& e : exit_codes()) out += fmt::format("| {} | {} |\n", static_cast<int>(e.code), e.meaning);
    return out;
}

}  // namespace dgkafka::cli
