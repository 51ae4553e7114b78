#include "db/connection.hpp"

#include <fmt/format.h>

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

std::unique_ptr<pqxx::connection> connect(const DbSettings& settings, const std::string& application_name) {
    try {
        return std::make_unique<pqxx::connection>(conninfo(settings, application_name));
    } catch (const pqxx::broken_connection& e) {
        throw Error(Exit::database, fmt::format("cannot connect to the database: {}", text::trim(e.what())));
    }
}

bool is_transient(const std::string& sqlstate) {
    return sqlstate.empty() || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0 || sqlstate == "53300" ||
           sqlstate == "40001" || sqlstate == "40P01";
}

std::string describe(const pqxx::sql_error& e) {
    return fmt::format("database error [SQLSTATE {}]: {}", e.sqlstate().empty() ? "?" : e.sqlstate(),
                       text::trim(e.what()));
}

}  // namespace dgkafka::db
