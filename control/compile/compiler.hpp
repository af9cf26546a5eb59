// Compiles a validated configuration into the table image the pipeline reads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "control/compile/image_builder.hpp"
#include "control/config/model.hpp"
#include "dataplane/abi/table_view.hpp"

namespace tsunagi::compile {

// The MAC a port uses when the config gives none and no device supplies one (replay):
// locally administered, derived from the port's position in the list.
config::Mac default_port_mac(size_t port_index);

// The port's MAC as the tables will carry it.
config::Mac port_mac(const config::Config& cfg, size_t port_index);

// How the node reaches a remote VTEP: out of which underlay port (its index in the
// YAML), to which next hop (the VTEP itself when inside the port's subnet, else the
// port's gateway). nullopt when no underlay port can reach it.
struct NextHop {
	size_t port;
	config::IpAddr address;
};
std::optional<NextHop> vtep_next_hop(const config::Config& cfg, const config::IpAddr& remote);

// `learned` holds neighbours the kernel resolved through the punt path; the YAML's
// `neighbors:` win over them. With the `previous` image, every tenant and member that is
// still there keeps its index (see id_plan.hpp).
Image compile(const config::Config& cfg, uint64_t generation,
              const std::vector<config::Neighbor>& learned = {},
              const abi::TableView* previous = nullptr);

}  // namespace tsunagi::compile
