#include <iostream>

#include "cli/dgkafka_cli.hpp"
#include "util/signals.hpp"

int main(int argc, char** argv) {
    return dgkafka::cli::dgkafka_main(argc, argv, std::cout, std::cerr, dgkafka::install_stop_signals());
}
