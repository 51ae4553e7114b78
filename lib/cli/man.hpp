#pragma once
// Man pages dgkafka(1) and csv2kafka(1), made from the programs' own --help so they cannot drift.
#include <string>

namespace dgkafka::cli {

std::string dgkafka_man_page(const std::string& version);
std::string csv2kafka_man_page(const std::string& version);
std::string exit_code_table();  // the README's, in Markdown

}  // namespace dgkafka::cli
