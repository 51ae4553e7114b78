#include "support/sandbox.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dgtest {

namespace {
std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string temp_dir() {
    static const std::string dir = [] {
        std::string tmpl = "/tmp/dgkafka-test.XXXXXX";
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        chmod(tmpl.c_str(), 0755);  // the server (user postgres) reads expected-data files from here
        return tmpl;
    }();
    return dir;
}
}  // namespace

const std::map<std::string, std::string>& sandbox() {
    static const std::map<std::string, std::string> env = [] {
        std::map<std::string, std::string> out;
        std::ifstream in(DGKAFKA_SANDBOX_ENV);
        if (!in)
            throw std::runtime_error(std::string("no sandbox env at ") + DGKAFKA_SANDBOX_ENV +
                                     ": run the tests with scripts/test.sh (or ctest, whose fixture starts it)");
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
        for (const char* k : {"PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSSLMODE"}) setenv(k, out.at(k).c_str(), 1);
        return out;
    }();
    return env;
}

std::string brokers() { return sandbox().at("KAFKA_BROKERS"); }

std::string unique_name(const std::string& prefix) {
    static std::atomic<int> counter{0};
    return prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

std::string control(const std::string& command, const std::string& address) {
    const auto& addr = address.empty() ? sandbox().at("KAFKA_CONTROL") : address;
    const int port = std::stoi(addr.substr(addr.find(':') + 1));
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        close(fd);
        throw std::runtime_error("cannot reach the broker control port " + addr);
    }
    const std::string line = command + "\n";
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) throw std::runtime_error("write");
    std::string reply;
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n') reply += c;
    close(fd);
    if (reply.rfind("ok", 0) != 0) throw std::runtime_error("broker control: " + command + " -> " + reply);
    return reply;
}

PrivateBroker::PrivateBroker() {
    const std::string env = write_file(unique_name("broker") + ".env", "");
    const auto r = run("dgkafka-mockbroker", {"--daemon", "--brokers", "1", "--env-file", env, "--log", env + ".log"});
    if (r.code != 0) throw std::runtime_error("cannot start a private broker: " + r.err);
    std::ifstream in(env);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("KAFKA_BROKERS=", 0) == 0) brokers = line.substr(14);
        if (line.rfind("KAFKA_CONTROL=", 0) == 0) control_address = line.substr(14);
    }
}

PrivateBroker::~PrivateBroker() {
    try {
        control("stop");
    } catch (const std::exception&) {
    }
}

void create_topic(const std::string& topic, int partitions) {
    control("create " + topic + " " + std::to_string(partitions));
}

void produce(const std::string& topic, const std::vector<Record>& records) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers().c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
    static std::atomic<int64_t> failed;
    failed = 0;
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
        if (m->err) ++failed;
    });
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) throw std::runtime_error(err);
    for (const auto& r : records) {
        const void* key = r.key ? r.key->data() : nullptr;
        const size_t key_size = r.key ? r.key->size() : 0;
        while (true) {
            rd_kafka_headers_t* headers = nullptr;
            if (!r.headers.empty()) {
                headers = rd_kafka_headers_new(r.headers.size());
                for (const auto& [name, value] : r.headers)
                    rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                                        static_cast<ssize_t>(value.size()));
            }
            const auto e = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_VALUE(r.tombstone ? nullptr : const_cast<char*>(r.value.data()),
                                 r.tombstone ? 0 : r.value.size()),
                RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_HEADERS(headers),
                RD_KAFKA_V_PARTITION(r.partition < 0 ? RD_KAFKA_PARTITION_UA : r.partition), RD_KAFKA_V_END);
            if (e && headers) rd_kafka_headers_destroy(headers);  // owned by the message once produced
            if (!e) break;
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) throw std::runtime_error(rd_kafka_err2str(e));
            rd_kafka_poll(rk, 50);
        }
    }
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_flush(rk, 1000);
    rd_kafka_destroy(rk);
    if (failed) throw std::runtime_error("produce: " + std::to_string(failed.load()) + " messages failed");
}

namespace {
std::pair<int64_t, int64_t> watermarks(const std::string& topic, int32_t partition) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers().c_str(), err, sizeof err);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    int64_t low = 0, high = 0;
    const auto e = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low, &high, 10000);
    rd_kafka_destroy(rk);
    if (e) throw std::runtime_error(rd_kafka_err2str(e));
    return {low, high};
}
}  // namespace

int64_t high_watermark(const std::string& topic, int32_t partition) { return watermarks(topic, partition).second; }
int64_t low_watermark(const std::string& topic, int32_t partition) { return watermarks(topic, partition).first; }

std::unique_ptr<pqxx::connection> db() {
    sandbox();
    return std::make_unique<pqxx::connection>("");
}

void sql(const std::string& statement) {
    auto c = db();
    pqxx::nontransaction tx(*c);
    tx.exec(statement);
}

std::string sql_value(const std::string& query) {
    auto c = db();
    pqxx::nontransaction tx(*c);
    const auto r = tx.exec1(query);
    return r[0].is_null() ? "" : r[0].as<std::string>();
}

int64_t sql_count(const std::string& query) { return std::stoll(sql_value(query)); }

std::string checksum(const std::string& table, const std::string& order_by) {
    return sql_value("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY " + order_by +
                     ")), '') FROM " + table + " AS t");
}

void copy_rows(const std::string& table, const std::vector<std::string>& rows, char delimiter) {
    std::string content;
    for (const auto& r : rows) content += r + "\n";
    const std::string path = write_file(unique_name("rows") + ".csv", content);
    sql("COPY " + table + " FROM '" + path + "' WITH (FORMAT csv, DELIMITER '" + std::string(1, delimiter) + "')");
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

std::string write_file(const std::string& name, const std::string& content) {
    const std::string path = temp_dir() + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

Spawned spawn(const std::string& binary, const std::vector<std::string>& args, const std::string& stdin_file) {
    sandbox();
    Spawned s;
    const std::string base = temp_dir() + "/" + unique_name("proc");
    s.out_file = base + ".out";
    s.err_file = base + ".err";
    const std::string path = binary[0] == '/' ? binary : std::string(DGKAFKA_BIN_DIR) + "/" + binary;
    std::vector<std::string> argv_s = {path};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    s.pid = fork();
    if (s.pid == 0) {
        const int in = open(stdin_file.empty() ? "/dev/null" : stdin_file.c_str(), O_RDONLY);
        const int out = open(s.out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = open(s.err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        std::vector<char*> argv;
        for (auto& a : argv_s) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(path.c_str(), argv.data());
        _exit(127);
    }
    return s;
}

bool Spawned::exited() {
    if (status >= 0) return true;
    int s = 0;
    if (waitpid(pid, &s, WNOHANG) != pid) return false;
    status = s;
    return true;
}

Result Spawned::wait(std::chrono::seconds timeout) {
    if (!wait_until([&] { return exited(); }, timeout)) {
        // A hung process fails the test instead of hanging it until ctest's own timeout.
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ADD_FAILURE() << "process " << pid << " did not exit within " << timeout.count() << " s: killed";
    }
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_all(out_file);
    r.err = read_all(err_file);
    return r;
}

Result run(const std::string& binary, const std::vector<std::string>& args, const std::string& input) {
    return spawn(binary, args, input.empty() ? "" : write_file(unique_name("stdin"), input)).wait();
}

std::string shell(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    if (!p) throw std::runtime_error("cannot run " + command);
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    if (pclose(p) != 0) throw std::runtime_error("failed: " + command + "\n" + out);
    return out;
}

std::string from_hex(const std::string& hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

}  // namespace dgtest
