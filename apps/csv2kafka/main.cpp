#include <iostream>

#include "csv2kafka/csv2kafka.hpp"
#include "util/signals.hpp"

int main(int argc, char** argv) {
    return dgkafka::csv2kafka::csv2kafka_main(argc, argv, std::cout, std::cerr, dgkafka::install_stop_signals());
}
