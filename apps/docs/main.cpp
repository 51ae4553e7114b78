// Documentation generated from the code: the README's key table and the man pages.
#include <iostream>
#include <string>

#include "cli/man.hpp"
#include "config/keys.hpp"

int main(int argc, char** argv) {
    const std::string what = argc > 1 ? argv[1] : "";
    const std::string version = argc > 2 ? argv[2] : "dev";
    if (what == "readme-keys")
        std::cout << dgkafka::keys::markdown_table();
    else if (what == "readme-exit-codes")
        std::cout << dgkafka::cli::exit_code_table();
    else if (what == "dgkafka.toml.5")
        std::cout << dgkafka::keys::man_page(version);
    else if (what == "dgkafka.1")
        std::cout << dgkafka::cli::dgkafka_man_page(version);
    else if (what == "csv2kafka.1")
        std::cout << dgkafka::cli::csv2kafka_man_page(version);
    else {
        std::cerr << "usage: dgkafka-docs readme-keys | readme-exit-codes | dgkafka.toml.5 | dgkafka.1 | csv2kafka.1 "
                     "[VERSION]\n";
        return 2;
    }
    return 0;
}
