#include "avro/registry.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "util/errors.hpp"

namespace dgkafka::avro {

namespace {
constexpr long connect_timeout_s = 5;
constexpr long request_timeout_s = 15;

size_t collect(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

struct Response {
    long status = 0;  // 0: no HTTP answer
    std::string body, error;
    bool untrusted = false;  // the server's certificate failed verification: waiting cannot fix it
};

bool certificate_refused(CURLcode rc) {
    return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM ||
           rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

Response get(const std::string& url, const AvroSettings& s) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    Response r;
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        r.error = "cannot start libcurl";
        return r;
    }
    char error[CURL_ERROR_SIZE] = "";
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_timeout_s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, request_timeout_s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    struct curl_slist* headers =
        curl_slist_append(nullptr, "Accept: application/vnd.schemaregistry.v1+json, application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (!s.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.ca_file.c_str());
    if (!s.user.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, s.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
    }
    const CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        r.error = error[0] ? error : curl_easy_strerror(rc);
        r.untrusted = certificate_refused(rc);
        return r;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
}

// The registry's own message from an error document ({"error_code":40403,"message":"..."}).
std::string message_of(const std::string& body) {
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
    return body.substr(0, 200);
}
}  // namespace

std::shared_ptr<Registry> Registry::shared(const AvroSettings& settings) {
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<Registry>> registries;
    std::string key;
    for (const auto& u : settings.registry_urls) key += u + '\n';
    key += settings.user + '\n' + settings.ca_file;
    std::lock_guard<std::mutex> lock(mutex);
    auto existing = registries[key].lock();
    if (!existing) {
        existing = std::make_shared<Registry>(settings);
        registries[key] = existing;
    }
    return existing;
}

Registry::Registry(AvroSettings settings) : settings_(std::move(settings)) {}

Registry::Lookup Registry::schema(int32_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (const auto it = cache_.find(id); it != cache_.end()) return it->second;
    Lookup found = fetch(fmt::format("/schemas/ids/{}", id), fmt::format("schema id {}", id));
    cache_.emplace(id, found);
    return found;
}

namespace {
// A subject is a path segment: percent-encode what is not unreserved.
std::string path_segment(const std::string& subject) {
    std::string escaped;
    for (const unsigned char c : subject)
        escaped += std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'
                       ? std::string(1, static_cast<char>(c))
                       : fmt::format("%{:02X}", c);
    return escaped;
}
}  // namespace

Registry::Lookup Registry::latest(const std::string& subject) {
    std::lock_guard<std::mutex> lock(mutex_);
    return fetch(fmt::format("/subjects/{}/versions/latest", path_segment(subject)),
                 fmt::format("subject \"{}\" (latest version)", subject));
}

Registry::Lookup Registry::subject_version(const std::string& subject, int version) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto key = std::make_pair(subject, version);
    if (const auto it = versions_.find(key); it != versions_.end()) return it->second;
    const std::string escaped = path_segment(subject);
    Lookup found = fetch(fmt::format("/subjects/{}/versions/{}", escaped, version),
                         fmt::format("subject \"{}\" version {}", subject, version));
    versions_.emplace(key, found);
    return found;
}

namespace {
// A schema document: {"schema": "...", "schemaType": "...", "references": [...]}; false if not one.
bool read_document(const std::string& body, Registry::Lookup& out) {
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object() || !doc.contains("schema") || !doc["schema"].is_string()) return false;
    out.text = doc["schema"].get<std::string>();
    if (doc.contains("schemaType") && doc["schemaType"].is_string()) out.type = doc["schemaType"].get<std::string>();
    if (doc.contains("id") && doc["id"].is_number_integer()) out.id = doc["id"].get<int32_t>();
    if (doc.contains("references") && doc["references"].is_array())
        for (const auto& r : doc["references"]) {
            if (!r.is_object() || !r.contains("name") || !r["name"].is_string() || !r.contains("subject") ||
                !r["subject"].is_string() || !r.contains("version") || !r["version"].is_number_integer())
                return false;
            out.references.push_back(
                {r["name"].get<std::string>(), r["subject"].get<std::string>(), r["version"].get<int>()});
        }
    return true;
}

bool not_found(const Response& r) {  // "Schema / Subject / Version not found", not a wrong URL
    return r.status == 404 && (r.body.find("40403") != std::string::npos || r.body.find("40401") != std::string::npos ||
                               r.body.find("40402") != std::string::npos);
}
}  // namespace

Registry::Lookup Registry::fetch(const std::string& path, const std::string& what) {
    std::string failures;
    bool all_untrusted = true;
    const size_t n = settings_.registry_urls.size();
    for (size_t k = 0; k < n; ++k) {
        const size_t i = (preferred_ + k) % n;
        const std::string url = settings_.registry_urls[i] + path;
        const Response r = get(url, settings_);
        if (r.status == 200) {
            Lookup found;
            if (!read_document(r.body, found)) {
                failures += fmt::format("; {}: not a schema document", url);
                continue;
            }
            preferred_ = i;
            return found;
        }
        if (not_found(r)) {
            preferred_ = i;
            Lookup unknown;
            unknown.found = Found::unknown_id;
            unknown.text = fmt::format("unknown {} ({})", what, message_of(r.body));
            return unknown;
        }
        failures += r.status ? fmt::format("; {}: HTTP {} {}", url, r.status, message_of(r.body))
                             : fmt::format("; {}: {}", url, r.error);
        all_untrusted = all_untrusted && r.untrusted;
    }
    if (all_untrusted)
        throw Error(Exit::config,
                    fmt::format("kafka.input.schema_registry_ca ({}): no registry's certificate is trusted{}",
                                settings_.ca_file.empty() ? "the system's CAs" : settings_.ca_file, failures));
    throw RegistryUnavailable(fmt::format("schema registry unavailable for {}{}", what, failures));
}

}  // namespace dgkafka::avro
