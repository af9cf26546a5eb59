// What a tenant's VRF (private link, DESIGN.md §4) compiles to: its routes and their next
// hops, this node's MPLS label for it, and the Option-A sub-interfaces that lead into it.
#pragma once

#include <optional>
#include <span>

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/abi/tables.hpp"
#include "common/config/model.hpp"

namespace tsunagi::compile {

// Labels from here up are this node's automatic per-VRF labels (983040 + tenant index);
// a configured vrf.label stays below.
inline constexpr uint32_t kAutoLabelBase = 983040;

// `p` with the bits beyond its length cleared.
config::IpPrefix masked(config::IpPrefix p);

// The router MAC of tenant segments: node.router_mac, else 02:00 and the router ID.
config::Mac router_mac(const config::Config& cfg);

struct VrfPlan {
	struct Route {
		config::IpPrefix prefix;  // masked
		uint32_t first;           // index into nexthops
		uint32_t count;           // ECMP: consecutive next hops
		uint32_t label = 0;       // + 1: the route's own label, its next hop shared
		                          // (abi::route_aux)
	};
	bool live = false;
	uint32_t label = 0;
	std::vector<abi::NexthopEntry> nexthops;
	std::vector<Route> routes;
	std::vector<uint64_t> subinterfaces;  // abi::access_key(port, false, vlan, 0)
};

// What the configuration outside a tenant gives its VRF, by tenant name: host neighbours,
// Option-A links and Option-B routes. Points into the configuration it was made from.
struct VrfSources {
	struct OptionA {
		const config::Peer* peer;
		const config::OptionAVrf* vrf;
	};
	struct Vpn {
		const config::Peer* peer;
		const config::StaticVpnRoute* route;
	};
	std::unordered_map<std::string, std::vector<const config::Neighbor*>> hosts;
	std::unordered_map<std::string, std::vector<OptionA>> option_a;
	std::unordered_map<std::string, std::vector<Vpn>> vpn;

	VrfSources() = default;
	explicit VrfSources(const config::Config& cfg);
};

// `tenant` is the tenant's index; ports are looked up in `port_index`; `sources` was made
// from `cfg`; Option-A neighbours `cfg` does not configure are looked up in `learned`.
VrfPlan plan_vrf(const config::Config& cfg, const VrfSources& sources, const config::Tenant& t,
                 uint32_t tenant, const std::map<std::string, uint16_t>& port_index,
                 const std::vector<config::Neighbor>& learned = {});

// The next hop of an Option-B route through `peer` to BGP next hop `hop` (normally the
// peer's address), without labels: out of the peer's port, from its MAC, to the MAC the
// configured neighbours or `learned` give `hop` on that port (unresolved until one does).
// The most next hops one route spreads over (abi::route_aux keeps the count in 8 bits).
inline constexpr size_t kMaxEcmp = 255;

// A route whose next hops are one Option-B hop with one label takes the shared form: that
// label (carried in the route's ref) and the hop without labels; nullopt otherwise.
std::optional<uint32_t> shared_form(std::span<const abi::NexthopEntry> hops);
abi::NexthopEntry without_labels(const abi::NexthopEntry& hop);

abi::NexthopEntry carrier_next_hop(const config::Config& cfg, const config::Peer& peer,
                                   const config::IpAddr& hop,
                                   const std::vector<config::Neighbor>& learned);

// The next hop of a route learned on an Option-A link to BGP next hop `hop` (normally the
// link's neighbour): out of the peer's port tagged with the link's VLAN, to the MAC the
// configured neighbours or `learned` give `hop` on that sub-interface.
abi::NexthopEntry option_a_next_hop(const config::Config& cfg, const config::Peer& peer,
                                    const config::OptionAVrf& link, const config::IpAddr& hop,
                                    const std::vector<config::Neighbor>& learned);

// Whether two configurations give every VRF the same surroundings: peers and neighbours.
bool same_vrf_context(const config::Config& a, const config::Config& b);

}  // namespace tsunagi::compile
