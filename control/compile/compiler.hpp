// Compiles a validated configuration into the table image the pipeline reads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "control/compile/image.hpp"
#include "control/config/model.hpp"
#include "dataplane/abi/table_view.hpp"

namespace tsunagi::compile {

// The MAC a port uses when the config gives none and no device supplies one (replay):
// locally administered, derived from the port's position in the list.
config::Mac default_port_mac(size_t port_index);

// The port's MAC as the tables will carry it.
config::Mac port_mac(const config::Config& cfg, size_t port_index);

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

// A whole image of `cfg` in ordinary memory (see TableWriter for one kept current in
// place). With the `previous` image, every tenant and member that is still there keeps its
// index (see id_plan.hpp); `spare` leaves room to edit it in place.
Image compile(const config::Config& cfg, uint64_t generation,
              const std::vector<config::Neighbor>& learned = {},
              const abi::TableView* previous = nullptr, bool spare = false);

}  // namespace tsunagi::compile
