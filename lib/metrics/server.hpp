#pragma once
// GET /metrics over HTTP (cpp-httplib) in a thread of its own, for the life of the object.
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace dgkafka::metrics {

class Server {
  public:
    // `address` is HOST:PORT (":PORT" for every interface); throws Error(usage) when it cannot listen.
    Server(const std::string& address, std::function<std::string()> render);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    int port() const { return port_; }

  private:
    std::unique_ptr<httplib::Server> http_;
    std::thread thread_;
    int port_ = 0;
};

}  // namespace dgkafka::metrics
