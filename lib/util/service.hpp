#pragma once
// Tells systemd (Type=notify) when a long-running command is ready and when it begins to stop;
// does nothing unless NOTIFY_SOCKET is set.
#include <string>

namespace dgkafka::service {

void ready(const std::string& status);
void stopping();

}  // namespace dgkafka::service
