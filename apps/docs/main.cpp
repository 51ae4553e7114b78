// Documentation generated from the code: the README's key table and the man pages.
#include <iostream>
#include <string>

#include "config/keys.hpp"

int main(int argc, char** argv) {
    const std::string what = argc > 1 ? argv[1] : "";
    const std::string version = argc > 2 ? argv[2] : "dev";
    if (what == "readme-keys") std::cout << dgkafka::keys::markdown_table();
    else if (what == "dgkafka.toml.5") std::cout << dgkafka::keys::man_page(version);
    else {
        std::cerr << "usage: dgkafka-docs readme-keys | dgkafka.toml.5 [VERSION]\n";
        return 2;
    }
    return 0;
}
