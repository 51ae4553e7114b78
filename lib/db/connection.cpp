#include "db/connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <cstdlib>
#include <initializer_list>

#include "util/errors.hpp"
#include "util/text.hpp"

namespace dgkafka::db {

namespace {
std::string quote_value(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}
}  // namespace

std::string conninfo(const DbSettings& s, const std::string& application_name) {
    // The loader validates text as UTF-8; the server converts it to the database's encoding.
    std::string out = "fallback_application_name=" + quote_value(application_name) + " client_encoding='UTF8'";
    auto add = [&](const char* key, const auto& value) {
        if (!value) return;
        if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, int>)
            out += fmt::format(" {}={}", key, *value);
        else
            out += fmt::format(" {}={}", key, quote_value(*value));
    };
    // The manual's defaults where neither the config nor libpq's environment says (not libpq's:
    // the local socket and sslmode=prefer, which may talk in plaintext).
    auto or_manual = [](const std::optional<std::string>& v, std::initializer_list<const char*> env,
                        const char* fallback) -> std::optional<std::string> {
        if (v) return v;
        for (const char* e : env)
            if (const char* set = std::getenv(e); set && *set) return std::nullopt;
        return fallback;
    };
    add("host", or_manual(s.host, {"PGHOST", "PGHOSTADDR"}, "localhost"));
    add("port", s.port);
    add("dbname", s.database);
    add("user", s.user);
    add("password", s.password);
    add("sslmode", or_manual(s.sslmode, {"PGSSLMODE", "PGREQUIRESSL"}, "require"));
    add("sslcert", s.sslcert);
    add("sslkey", s.sslkey);
    add("sslrootcert", s.sslrootcert);
    add("connect_timeout", s.connect_timeout);
    return out;
}

namespace {
struct PgConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};

// Polls a connection started with PQconnectStart until `done(status)` or it fails or stalls.
template <typename Done>
PostgresPollingStatusType poll_connection(PGconn* c, Done&& done) {
    auto st = PQstatus(c) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED && !done(PQstatus(c))) {
        pollfd fd{PQsocket(c), static_cast<short>(st == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
        if (::poll(&fd, 1, 30000) <= 0) return PGRES_POLLING_FAILED;
        st = PQconnectPoll(c);
    }
    return st;
}

// The sslmode libpq will use: the conninfo's, else PGSSLMODE's, else libpq's default.
std::string effective_sslmode(const std::string& info) {
    std::string mode;
    if (auto* opts = PQconninfoParse(info.c_str(), nullptr)) {
        for (auto* o = opts; o->keyword; ++o)
            if (std::string(o->keyword) == "sslmode" && o->val) mode = o->val;
        PQconninfoFree(opts);
    }
    if (mode.empty())
        if (const char* env = std::getenv("PGSSLMODE")) mode = env;
    return mode.empty() ? "prefer" : mode;
}

// True when sslmode requires TLS and the server answers without it: no retry can fix that.
bool tls_refused(const std::string& info) {
    const auto mode = effective_sslmode(info);
    if (mode != "require" && mode != "verify-ca" && mode != "verify-full") return false;
    // Asked again with sslmode=prefer, stopping once the startup message is sent: the server has
    // then said whether it speaks TLS, and has not yet asked for a password (none is sent).
    std::unique_ptr<PGconn, PgConnDeleter> c(PQconnectStart((info + " sslmode=prefer").c_str()));
    if (!c) return false;
    const auto st = poll_connection(c.get(), [](ConnStatusType s) { return s == CONNECTION_AWAITING_RESPONSE; });
    return st != PGRES_POLLING_FAILED && PQstatus(c.get()) != CONNECTION_BAD && !PQsslInUse(c.get());
}

// Connects again with libpq asked to report only the SQLSTATE of a refusal, and returns it: ""
// when no server answered (or it answers now), "28P01" when it asked for a password not given.
std::string refusal_sqlstate(const std::string& info) {
    std::unique_ptr<PGconn, PgConnDeleter> c(PQconnectStart(info.c_str()));
    if (!c) return "";
    PQsetErrorVerbosity(c.get(), PQERRORS_SQLSTATE);
    const auto st = poll_connection(c.get(), [](ConnStatusType) { return false; });
    if (st == PGRES_POLLING_OK) return "";  // up again meanwhile: worth another try
    if (PQconnectionNeedsPassword(c.get())) return "28P01";
    return refusal_sqlstate_in(PQerrorMessage(c.get()));
}
}  // namespace

std::string refusal_sqlstate_in(const std::string& message) {
    // libpq's PQERRORS_SQLSTATE form ends each server error with "<severity>:  <SQLSTATE>".
    std::string found;
    size_t start = 0;
    while (start < message.size()) {
        size_t end = message.find('\n', start);
        if (end == std::string::npos) end = message.size();
        const std::string line(text::trim(std::string_view(message).substr(start, end - start)));
        const auto sep = line.rfind(":  ");
        if (sep != std::string::npos && line.size() == sep + 8) {
            const std::string code = line.substr(sep + 3);
            if (code.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos) found = code;
        }
        start = end + 1;
    }
    return found;
}

std::unique_ptr<pqxx::connection> connect(const DbSettings& settings, const std::string& application_name) {
    const auto info = conninfo(settings, application_name);
    try {
        return std::make_unique<pqxx::connection>(info);
    } catch (const pqxx::broken_connection& e) {
        const std::string reason = fmt::format("cannot connect to the database: {}", text::trim(e.what()));
        char* parse_error = nullptr;
        if (auto* opts = PQconninfoParse(info.c_str(), &parse_error)) {
            PQconninfoFree(opts);
        } else {
            const std::string why = parse_error ? std::string(text::trim(parse_error)) : "invalid settings";
            PQfreemem(parse_error);
            throw Error(Exit::config, fmt::format("database settings: {}", why));
        }
        const auto state = refusal_sqlstate(info);
        if (state.empty() && tls_refused(info))
            throw Error(Exit::database, fmt::format("{} (the server offers no TLS and sslmode requires it: set "
                                                    "dgkafka.sslmode = \"disable\" for a server without TLS; no "
                                                    "retry can fix this)",
                                                    reason));
        if (is_transient(state)) throw Unavailable(Exit::database, reason);
        throw Error(Exit::database, fmt::format("{} [SQLSTATE {}]", reason, state));
    }
}

bool is_transient(const std::string& sqlstate) {
    return sqlstate.empty() || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0 || sqlstate == "53300" ||
           sqlstate == "40001" || sqlstate == "40P01";
}

namespace {
template <typename T>
bool is(const pqxx::sql_error& e) {
    return dynamic_cast<const T*>(&e) != nullptr;
}
}  // namespace

std::string sqlstate(const pqxx::sql_error& e) {
    if (!e.sqlstate().empty()) return e.sqlstate();
    // Most specific first: each class's code as libpqxx 6.4 maps codes to classes.
    using Is = bool (*)(const pqxx::sql_error&);
    static const std::pair<Is, const char*> classes[] = {
        {is<pqxx::insufficient_privilege>, "42501"},
        {is<pqxx::undefined_column>, "42703"},
        {is<pqxx::undefined_function>, "42883"},
        {is<pqxx::undefined_table>, "42P01"},
        {is<pqxx::syntax_error>, "42601"},
        {is<pqxx::feature_not_supported>, "0A000"},
        {is<pqxx::not_null_violation>, "23502"},
        {is<pqxx::foreign_key_violation>, "23503"},
        {is<pqxx::unique_violation>, "23505"},
        {is<pqxx::check_violation>, "23514"},
        {is<pqxx::restrict_violation>, "23001"},
        {is<pqxx::integrity_constraint_violation>, "23000"},
        {is<pqxx::data_exception>, "22000"},
        {is<pqxx::invalid_cursor_state>, "24000"},
        {is<pqxx::invalid_sql_statement_name>, "26000"},
        {is<pqxx::invalid_cursor_name>, "34000"},
        {is<pqxx::disk_full>, "53100"},
        {is<pqxx::out_of_memory>, "53200"},
        {is<pqxx::insufficient_resources>, "53000"},
        {is<pqxx::plpgsql_no_data_found>, "P0002"},
        {is<pqxx::plpgsql_too_many_rows>, "P0003"},
        {is<pqxx::plpgsql_raise>, "P0001"},
        {is<pqxx::plpgsql_error>, "P0000"},
    };
    for (const auto& [matches, code] : classes)
        if (matches(e)) return code;
    return "";
}

std::string describe(const pqxx::sql_error& e) {
    const auto code = sqlstate(e);
    return fmt::format("database error [SQLSTATE {}]: {}", code.empty() ? "?" : code, text::trim(e.what()));
}

}  // namespace dgkafka::db
