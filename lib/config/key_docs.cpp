// The key table rendered for people: the README's Markdown table and dgkafka.toml(5).
#include <fmt/format.h>

#include "config/keys.hpp"
#include "util/roff.hpp"

namespace dgkafka::keys {

namespace {

std::string code(const std::string& s) { return s.empty() ? "" : "`" + s + "`"; }

std::string markdown_cell(std::string s) {
    for (size_t at = 0; (at = s.find('|', at)) != std::string::npos; at += 2) s.replace(at, 1, "\\|");
    return s;
}

// How a key is written in a file: [kafka.input], [[kafka.input.columns]], kafka.input.topic.
std::string written(const Key& k) {
    if (k.kind == Kind::table) return "[" + k.name + "]";
    if (k.kind == Kind::table_array) return "[[" + k.name + "]]";
    return k.name;
}

std::string shown_default(const Key& k) {
    if (k.default_value) return code(default_text(k));
    if (k.need == Need::required) return "required";
    return k.default_text;
}

std::string roff(const std::string& s) { return roff::escape(s); }

std::string details(const Key& k) {
    std::vector<std::string> parts{kind_text(k.kind)};
    const std::string def = default_text(k);
    if (k.need == Need::required)
        parts.push_back("required");
    else if (!def.empty())
        parts.push_back("default: " + def);
    const std::string allowed = allowed_text(k);
    if (!allowed.empty()) parts.push_back("allowed: " + allowed);
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
    return out;
}

}  // namespace

std::string markdown_table() {
    std::string out = "| key | type | default | allowed | meaning |\n| --- | --- | --- | --- | --- |\n";
    for (const auto& k : all())
        out += fmt::format("| {} | {} | {} | {} | {} |\n", code(written(k)), kind_text(k.kind),
                           markdown_cell(shown_default(k)), markdown_cell(allowed_text(k)), markdown_cell(k.meaning));
    return out;
}

std::string man_page(const std::string& version) {
    std::string out = fmt::format(".TH DGKAFKA.TOML 5 \"\" \"dgkafka {}\" \"File Formats\"\n", roff(version));
    out += ".SH NAME\ndgkafka.toml \\- configuration of a dgkafka load job\n";
    out +=
        ".SH DESCRIPTION\nA TOML file read by \\fBdgkafka setup\\fR, \\fBload\\fR, \\fBcheck\\fR and "
        "\\fBpublish\\fR. Every problem is reported at once, before any work, as\n"
        ".IR file : line : "
        "key : message\n"
        "with the nearest valid key for a misspelt one. Database keys left out come from libpq's "
        "environment (PGHOST, PGPASSWORD, ~/.pgpass, ...).\n";
    out += ".SH KEYS\n";
    for (const auto& k : all()) {
        if (k.kind == Kind::table || k.kind == Kind::table_array) {
            out += fmt::format(".SS {}\n{}\n", roff(written(k)), roff(k.meaning));
            if (k.kind == Kind::table_array || k.need == Need::required || !k.default_text.empty())
                out += fmt::format(".br\n({})\n", roff(details(k)));
            continue;
        }
        out += fmt::format(".TP\n.B {}\n{}\n.br\n({})\n", roff(k.name), roff(k.meaning), roff(details(k)));
    }
    out += ".SH SEE ALSO\n.BR dgkafka (1),\n.BR csv2kafka (1)\n";
    return out;
}

}  // namespace dgkafka::keys
