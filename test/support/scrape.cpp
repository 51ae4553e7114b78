#include "support/scrape.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

namespace dgtest {

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string scrape(int port) {
    httplib::Client client("127.0.0.1", port);
    const auto res = client.Get("/metrics");
    return res && res->status == 200 ? res->body : "";
}

double series(const std::string& text, const std::string& name) {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (l.rfind(name + " ", 0) == 0) return std::stod(l.substr(name.size() + 1));
    return -1;
}

}  // namespace dgtest
