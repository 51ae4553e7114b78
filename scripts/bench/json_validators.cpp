// JSON validation speed, per document: dgkafka's checker (lib/formats/json_fields) vs Debian's simdjson.
// Whether simdjson validates faster than dgkafka's checker; BENCHMARKS.md has the figures. Build and run:
//   g++ -O2 -std=c++17 -Ilib scripts/bench/json_validators.cpp lib/formats/json_fields.cpp -lsimdjson -o /tmp/jv
//   /tmp/jv build/bench/events_1000000.json      (written by scripts/bench.sh)
#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "formats/json_fields.hpp"
int main(int, char** argv) {
    std::ifstream in(argv[1]);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    auto time = [&](const char* name, auto f) {
        size_t ok = 0;
        auto t0 = std::chrono::steady_clock::now();
        for (int rep = 0; rep < 3; ++rep)
            for (auto& l : lines) ok += f(l);
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 3;
        std::cout << name << ": " << s * 1e9 / lines.size() << " ns/doc (" << ok / 3 << " ok)\n";
    };
    time("dgkafka json::valid", [](const std::string& l) { return dgkafka::json::valid(l); });
    dgkafka::json::MemberReader reader(
        {"site_id", "ingest_time", "url", "request_country", "ip_address", "status_code", "response_time_msec"});
    std::string why;
    time("dgkafka MemberReader (7 members)", [&](const std::string& l) { return reader.read(l, why); });
    simdjson::dom::parser dom;
    time("simdjson DOM parse",
         [&](const std::string& l) { return dom.parse(simdjson::padded_string(l)).error() == simdjson::SUCCESS; });
    simdjson::ondemand::parser od;
    const char* names[] = {"site_id",     "ingest_time",       "url", "request_country", "ip_address",
                           "status_code", "response_time_msec"};
    time("simdjson on-demand, 7 raw members", [&](const std::string& l) {
        simdjson::padded_string p(l);
        auto doc = od.iterate(p);
        simdjson::ondemand::object obj;
        if (doc.get_object().get(obj)) return false;
        size_t n = 0;
        for (auto field : obj) {
            std::string_view key;
            if (field.unescaped_key().get(key)) return false;
            std::string_view raw;
            if (field.value().raw_json_token().get(raw)) return false;
            (void)names;
            n += raw.size();
        }
        return n > 0;
    });
}
