// How the node reaches a remote VTEP through the underlay: the port, the next hop and its
// MAC. The tables' VTEP entries, and the kernel probes for next hops nobody resolved yet,
// come from here.
#pragma once

#include <optional>
#include <vector>

#include "common/abi/tables.hpp"
#include "common/config/model.hpp"

namespace tsunagi::compile {

// The first address of the family (IPv6 when `v6`) in `v`, nullptr when none.
const config::IpAddr* family_addr(const std::vector<config::IpAddr>& v, bool v6);

// How the node reaches a remote VTEP: out of which underlay port (its index in the
// YAML), to which next hop (the VTEP itself when inside the port's subnet, else the
// port's gateway). nullopt when no underlay port can reach it.
struct NextHop {
	size_t port;
	config::IpAddr address;
};
std::optional<NextHop> vtep_next_hop(const config::Config& cfg, const config::IpAddr& remote);

// A remote VTEP's entry: its next hop resolved through `learned` (neighbours the kernel
// resolved through the punt path) and the YAML's `neighbors:`, which win.
abi::VtepEntry resolve_vtep(const config::Config& cfg, const std::vector<config::Neighbor>& learned,
                            const config::IpAddr& remote);

}  // namespace tsunagi::compile
