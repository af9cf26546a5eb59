// Sets up a kernel interface the node speaks through: a punt TAP of a port in the
// dataplane's namespace, or an Option-A sub-interface's in its VRF's (the caller runs this
// in that namespace: every socket here is made in the calling thread's).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::netif {

struct InterfaceSetup {
	std::optional<config::Mac> mac;
	uint32_t mtu = 0;  // 0: leave it
	std::vector<config::IpPrefix> addresses;
	bool up = true;
};

// Returns an empty string or what failed. Setting an address the interface already has is
// no error, so it may run again on an interface set up before.
std::string set_up(const std::string& name, const InterfaceSetup& s);

}  // namespace tsunagi::netif
