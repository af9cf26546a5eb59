// The MAC a port has, as the tables carry it and the punt path's TAP takes it.
#pragma once

#include <cstddef>

#include "common/config/model.hpp"

namespace tsunagi::config {

// The MAC a port uses when the config gives none and no device supplies one (replay):
// locally administered, derived from the port's position in the list.
Mac default_port_mac(size_t port_index);

// Its `mac:`, else its device's (Port::device_mac), else the derived one.
Mac port_mac(const Config& cfg, size_t port_index);

}  // namespace tsunagi::config
