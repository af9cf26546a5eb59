// Compiles a validated configuration into the table image the pipeline reads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"
#include "control/compile/image.hpp"

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

// A whole image of `cfg` in ordinary memory (see TableWriter for one kept current in
// place). With the `previous` image, every tenant and member that is still there keeps its
// index (see id_plan.hpp); `spare` leaves room to edit it in place.
Image compile(const config::Config& cfg, uint64_t generation,
              const std::vector<config::Neighbor>& learned = {},
              const abi::TableView* previous = nullptr, bool spare = false);

}  // namespace tsunagi::compile
