#include "util/outage.hpp"

#include <utility>
#include <vector>

#include "util/log.hpp"
#include "util/text.hpp"

namespace dgkafka {

namespace {
// libpq's messages run over several lines ("...failed: Connection refused\n\tIs the server
// running...?"): one line, so that the outage is one line of the log too.
std::string one_line(const std::string& cause) {
    std::vector<std::string> parts;
    for (auto& part : text::split(cause, '\n'))
        if (!part.empty()) parts.push_back(std::move(part));
    return text::join(parts, " ");
}
}  // namespace

Outage::Outage(std::string server, std::chrono::seconds remind_every)
    : server_(std::move(server)), remind_every_(remind_every) {}

void Outage::failed(int who, const std::string& cause, bool cause_known) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = Clock::now();
    if (failing_.empty() && !announced_ && !held_) {  // a new outage
        started_ = now;
        attempts_ = 0;
        ++outages_;
    }
    failing_.insert(who);
    ++attempts_;
    if (announced_) {
        cause_ = one_line(cause);
        return;
    }
    if (!cause_known) {
        if (!held_) held_ = one_line(cause);
        return;
    }
    start_line(one_line(cause));
}

void Outage::start_line(const std::string& cause) {
    cause_ = cause;
    announced_ = true;
    held_.reset();
    last_line_ = Clock::now();
    log::warn("{} is unreachable: {}; retrying (attempt {}, {:.0f} s so far)", server_, cause, attempts_,
              seconds(last_line_));
}

void Outage::succeeded(int who) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failing_.erase(who) || !failing_.empty()) return;
    const double took = seconds(Clock::now());
    if (announced_)
        log::warn("{} is reachable again after {:.1f} s ({} failed attempt(s))", server_, took, attempts_);
    else if (held_)  // over before a better cause came: the session's own is all there is
        log::warn("{}: a session broke ({}); reconnected after {:.1f} s, retrying its work", server_, *held_, took);
    announced_ = false;
    held_.reset();
}

void Outage::tick() {
    std::lock_guard<std::mutex> lock(mu_);
    if (failing_.empty()) return;
    const auto now = Clock::now();
    if (!announced_) {
        // Still held after a reminder's interval: say what is known.
        if (held_ && now - started_ >= remind_every_) start_line(*held_);
        return;
    }
    if (now - last_line_ < remind_every_) return;
    last_line_ = now;
    log::warn("{} is still unreachable: {}; retrying (attempt {}, {:.0f} s so far)", server_, cause_, attempts_,
              seconds(now));
}

bool Outage::ongoing() const {
    std::lock_guard<std::mutex> lock(mu_);
    return !failing_.empty();
}

int64_t Outage::outages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return outages_;
}

}  // namespace dgkafka
