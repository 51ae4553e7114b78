#include "support/citus.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "support/sandbox.hpp"

namespace dgtest {

namespace {
std::map<std::string, std::string> read_env(const std::string& path) {
    std::map<std::string, std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("export ", 0) == 0) line = line.substr(7);
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'')
            value = value.substr(1, value.size() - 2);
        out[line.substr(0, eq)] = value;
    }
    return out;
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}
}  // namespace

const CitusCluster& citus() {
    static const CitusCluster cluster = [] {
        CitusCluster c;
        if (const char* host = std::getenv("DGKAFKA_CITUS_HOST"); host && *host) {
            c.host = host;
            c.port = env_or("DGKAFKA_CITUS_PORT", "5432");
            c.user = env_or("DGKAFKA_CITUS_USER", "postgres");
            c.database = env_or("DGKAFKA_CITUS_DATABASE", "postgres");
            return c;
        }
        const auto& sb = sandbox();
        const auto env = read_env(sb.at("DGKAFKA_SANDBOX") + "/citus.env");
        if (env.empty()) {
            c.skip_reason = "no Citus cluster: the citus_start fixture did not run (ctest -L citus starts it)";
        } else if (env.count("CITUS_SKIP_REASON")) {
            c.skip_reason = env.at("CITUS_SKIP_REASON");
        } else {
            c.host = env.at("CITUS_HOST");
            c.port = env.at("CITUS_PORT");
            c.user = env.at("CITUS_USER");
            c.database = env.at("CITUS_DATABASE");
            c.sandbox = true;
        }
        return c;
    }();
    return cluster;
}

std::string citus_database_settings() {
    const auto& c = citus();
    return "host = \"" + c.host + "\"\nport = " + c.port + "\nuser = \"" + c.user + "\"\ndatabase = \"" + c.database +
           "\"\nsslmode = \"disable\"\n";
}

std::unique_ptr<pqxx::connection> citus_db() {
    const auto& c = citus();
    return std::make_unique<pqxx::connection>("host=" + c.host + " port=" + c.port + " user=" + c.user +
                                              " dbname=" + c.database + " sslmode=disable");
}

void citus_sql(const std::string& statement) {
    auto c = citus_db();
    pqxx::nontransaction tx(*c);
    tx.exec(statement);
}

std::string citus_value(const std::string& query) {
    auto c = citus_db();
    pqxx::nontransaction tx(*c);
    const auto r = tx.exec(query);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
}

int64_t citus_count(const std::string& query) { return std::stoll(citus_value(query)); }

void citus_node(const std::string& action, const std::string& node) {
    const std::string cmd = "SANDBOX='" + sandbox().at("DGKAFKA_SANDBOX") +
                            "' '" DGKAFKA_SOURCE_DIR "/scripts/sandbox.sh' citus " + action + " " + node;
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

}  // namespace dgtest
