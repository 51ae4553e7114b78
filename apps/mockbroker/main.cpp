// dgkafka-mockbroker: librdkafka's mock cluster (the real Kafka protocol over TCP on 127.0.0.1)
// as a stand-alone broker for the sandbox, with a line-based control port:
//   create TOPIC PARTITIONS | down BROKER_ID | up BROKER_ID | bootstrap | ping | stop
//   fail API_KEY COUNT ERROR_CODE   the next COUNT requests of that API (0 = Produce) fail
//   clear API_KEY                   forget the failures still pending for that API
// Each command gets one reply line: "ok ..." or "error ...".
//
// Usage: dgkafka-mockbroker [--brokers N] [--env-file PATH] [--daemon --log PATH]
// With --daemon it returns only once the cluster is up and PATH is written (no polling needed).
#include <arpa/inet.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t stopping = 0;
void on_signal(int) { stopping = 1; }

struct Args {
    int brokers = 3;
    std::string env_file, log_file;
    bool daemon = false;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", s.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (s == "--brokers")
            a.brokers = std::atoi(next().c_str());
        else if (s == "--env-file")
            a.env_file = next();
        else if (s == "--log")
            a.log_file = next();
        else if (s == "--daemon")
            a.daemon = true;
        else {
            std::fprintf(stderr, "usage: dgkafka-mockbroker [--brokers N] [--env-file PATH] [--daemon --log PATH]\n");
            std::exit(2);
        }
    }
    if (a.brokers < 1) a.brokers = 1;
    return a;
}

std::string handle(rd_kafka_mock_cluster_t* mc, const std::string& line, bool& stop) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == "ping") return "ok";
    if (cmd == "bootstrap") return std::string("ok ") + rd_kafka_mock_cluster_bootstraps(mc);
    if (cmd == "stop") {
        stop = true;
        return "ok";
    }
    if (cmd == "create") {
        std::string topic;
        int partitions = 0;
        if (!(in >> topic >> partitions) || partitions < 1) return "error usage: create TOPIC PARTITIONS";
        const auto err = rd_kafka_mock_topic_create(mc, topic.c_str(), partitions, 1);
        return err ? std::string("error ") + rd_kafka_err2str(err) : "ok";
    }
    if (cmd == "fail") {
        int api = 0, count = 0, code = 0;
        if (!(in >> api >> count >> code) || count < 1) return "error usage: fail API_KEY COUNT ERROR_CODE";
        std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(count), static_cast<rd_kafka_resp_err_t>(code));
        rd_kafka_mock_push_request_errors_array(mc, static_cast<int16_t>(api), errors.size(), errors.data());
        return "ok";
    }
    if (cmd == "clear") {
        int api = 0;
        if (!(in >> api)) return "error usage: clear API_KEY";
        rd_kafka_mock_clear_request_errors(mc, static_cast<int16_t>(api));
        return "ok";
    }
    if (cmd == "down" || cmd == "up") {
        int id = 0;
        if (!(in >> id)) return "error usage: " + cmd + " BROKER_ID (-1 = all)";
        const auto err = cmd == "down" ? rd_kafka_mock_broker_set_down(mc, id) : rd_kafka_mock_broker_set_up(mc, id);
        return err ? std::string("error ") + rd_kafka_err2str(err) : "ok";
    }
    if (cmd == "rtt") {  // each response of a broker delayed by MS (0: none), as from a slow or far broker
        int id = 0, ms = 0;
        if (!(in >> id >> ms)) return "error usage: rtt BROKER_ID MS";
        const auto err = rd_kafka_mock_broker_set_rtt(mc, id, ms);
        return err ? std::string("error ") + rd_kafka_err2str(err) : "ok";
    }
    return "error unknown command: " + cmd;
}

void serve(int listener, rd_kafka_mock_cluster_t* mc) {
    bool stop = false;
    while (!stop && !stopping) {
        const int fd = accept(listener, nullptr, nullptr);
        if (fd < 0) {
            if (errno == EINTR) continue;
            std::perror("accept");
            return;
        }
        FILE* io = fdopen(fd, "r+");
        char buf[1024];
        while (!stop && std::fgets(buf, sizeof buf, io)) {
            std::string line(buf);
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
            if (line.empty()) continue;
            const std::string reply = handle(mc, line, stop);
            std::fprintf(io, "%s\n", reply.c_str());
            std::fflush(io);
            std::fprintf(stderr, "control: %s -> %s\n", line.c_str(), reply.c_str());
        }
        std::fclose(io);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    int ready[2] = {-1, -1};
    if (args.daemon) {
        if (pipe(ready) != 0) return 1;
        const pid_t pid = fork();
        if (pid < 0) return 1;
        if (pid > 0) {  // parent: wait for the child to say it is up
            close(ready[1]);
            char c = 0;
            const bool ok = read(ready[0], &c, 1) == 1 && c == '1';
            return ok ? 0 : 1;
        }
        close(ready[0]);
        setsid();
        const int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, STDIN_FILENO);
        const int log =
            open(args.log_file.empty() ? "/dev/null" : args.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
    }

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);  // no SA_RESTART: accept() returns EINTR
    sigaction(SIGINT, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);

    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "client.id", "dgkafka-mockbroker", err, sizeof err);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        std::fprintf(stderr, "rd_kafka_new: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, args.brokers);
    if (!mc) {
        std::fprintf(stderr, "cannot create the mock cluster\n");
        return 1;
    }

    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 8) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::perror("control socket");
        return 1;
    }
    fcntl(listener, F_SETFD, FD_CLOEXEC);

    const std::string env = std::string("KAFKA_BROKERS=") + rd_kafka_mock_cluster_bootstraps(mc) +
                            "\nKAFKA_CONTROL=127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) +
                            "\nMOCKBROKER_PID=" + std::to_string(getpid()) + "\n";
    if (!args.env_file.empty()) {
        const std::string tmp = args.env_file + ".tmp";
        FILE* f = std::fopen(tmp.c_str(), "w");
        if (!f || std::fputs(env.c_str(), f) < 0 || std::fclose(f) != 0 ||
            rename(tmp.c_str(), args.env_file.c_str()) != 0) {
            std::perror(args.env_file.c_str());
            return 1;
        }
    }
    std::fputs(env.c_str(), stdout);
    std::fflush(stdout);
    if (args.daemon) {
        (void)!write(ready[1], "1", 1);
        close(ready[1]);
    }

    serve(listener, mc);
    close(listener);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
