// What changes between two configurations, in the words an operator reads: one line per
// port, neighbour, tenant or peer added ("+"), removed ("-") or changed ("~", with the
// keys that changed and their old and new values).
#pragma once

#include <string>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::config {

std::vector<std::string> diff(const Config& before, const Config& after);

}  // namespace tsunagi::config
