#pragma once
// Reading a running dgkafka's /metrics in tests.
#include <string>

namespace dgtest {

int free_port();               // a TCP port nobody listens on now (the kernel's choice)
std::string scrape(int port);  // GET http://127.0.0.1:port/metrics; "" when it did not answer
// The value of one series, e.g. series(text, "dgkafka_rows_loaded_total{...}"); -1 when absent.
double series(const std::string& text, const std::string& name);

}  // namespace dgtest
