#include "kafka/delivery.hpp"

namespace dgkafka::kafka {

void Deliveries::attach(rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, this);
}

void Deliveries::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* d = static_cast<Deliveries*>(opaque);
    if (m->err) {
        if (d->failed_++ == 0) d->first_error_ = rd_kafka_err2str(m->err);
        return;
    }
    ++d->acknowledged_;
    d->bytes_ += static_cast<int64_t>(m->len);
    if (d->keep_ids_) d->ids_.push_back(static_cast<int64_t>(reinterpret_cast<intptr_t>(m->_private)));
}

bool Deliveries::wait(rd_kafka_t* rk, int64_t produced, const std::atomic<bool>* stop) {
    while (reported() < produced) {
        if (stop && *stop) return false;
        rd_kafka_poll(rk, 100);
    }
    return true;
}

void Deliveries::clear() {
    acknowledged_ = bytes_ = failed_ = 0;
    first_error_.clear();
    ids_.clear();
}

}  // namespace dgkafka::kafka
