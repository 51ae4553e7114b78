#include "metrics/server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include "util/errors.hpp"
#include "util/log.hpp"

namespace dgkafka::metrics {

namespace {
std::pair<std::string, int> split_address(const std::string& address) {
    const auto colon = address.rfind(':');
    int port = -1;
    if (colon != std::string::npos) {
        try {
            size_t used = 0;
            port = std::stoi(address.substr(colon + 1), &used);
            if (used != address.size() - colon - 1) port = -1;
        } catch (const std::exception&) {
        }
    }
    if (port < 0 || port > 65535)
        throw Error(Exit::usage, fmt::format("metrics address \"{}\" is not HOST:PORT", address));
    std::string host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {host.empty() ? "0.0.0.0" : host, port};
}
}  // namespace

Server::Server(const std::string& address, std::function<std::string()> render)
    : http_(std::make_unique<httplib::Server>()) {
    const auto [host, port] = split_address(address);
    // Only GET (and HEAD) is served; other methods are answered before cpp-httplib waits for a body.
    http_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
        res.status = 405;
        res.set_header("Allow", "GET, HEAD");
        res.set_content("only GET /metrics is served\n", "text/plain; charset=utf-8");
        return httplib::Server::HandlerResponse::Handled;
    });
    http_->Get("/metrics", [render](const httplib::Request&, httplib::Response& res) {
        res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    port_ = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
    if (port_ <= 0)
        throw Error(Exit::usage,
                    fmt::format("metrics address {}: cannot listen there (in use, or not this machine's)", address));
    thread_ = std::thread([this] { http_->listen_after_bind(); });
    log::info("metrics at http://{}:{}/metrics", host, port_);
}

Server::~Server() {
    http_->stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace dgkafka::metrics
