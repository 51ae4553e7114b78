#include "support/generated.hpp"

#include "support/job.hpp"

namespace dgtest {

Generated generate(const std::string& script, const std::string& args) {
    Generated g;
    const std::string out =
        shell("/usr/bin/python3 " + std::string(DGKAFKA_SOURCE_DIR) + "/test/data/" + script + " " + args);
    size_t start = 0;
    for (size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
        const auto m = nlohmann::json::parse(out.substr(start, end - start));
        if (m["expected"].is_null())
            g.bad.emplace_back(static_cast<int64_t>(g.records.size()), m["why"].get<std::string>());
        else
            g.expected.push_back(m["expected"]);
        g.records.push_back({from_hex(m["value"].get<std::string>())});
    }
    return g;
}

int64_t differing_rows(const std::string& table) {
    const std::string a = quoted(table), b = quoted(table + "_expected");
    return sql_count("SELECT count(*) FROM ((SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b +
                     ") UNION ALL (SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a + ")) d");
}

}  // namespace dgtest
