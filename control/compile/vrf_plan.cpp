#include "control/compile/vrf_plan.hpp"

#include <span>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "common/config/port_mac.hpp"
#include "common/config/values.hpp"
#include "control/compile/next_hop.hpp"

namespace tsunagi::compile {

using config::IpAddr;
using config::IpPrefix;

namespace {

IpPrefix host(const IpAddr& a)
{
	return IpPrefix{a, uint8_t(a.v6 ? 128 : 32)};
}

const config::Neighbor* find_neighbor(const config::Config& cfg, const std::string& port,
                                      uint16_t vlan, const IpAddr& addr)
{
	for (const auto& n : cfg.neighbors) {
		if (n.tenant.empty() && n.port == port && n.vlan == vlan && n.address == addr) {
			return &n;
		}
	}
	return nullptr;
}

void set_dst(abi::NexthopEntry& nh, const config::Neighbor* n)
{
	if (n != nullptr) {
		std::memcpy(nh.dst_mac, n->mac.bytes.data(), 6);
		nh.resolved = 1;
	}
}

// Where routes come from, strongest first: between identical prefixes the first source
// wins; within one source, identical prefixes are ECMP.
enum Source { kLocal, kHost, kConnected, kStatic, kVpn, kSources };

using Key = std::tuple<bool, std::array<uint8_t, 16>, uint8_t>;
using Candidates = std::array<std::map<Key, std::vector<abi::NexthopEntry>>, kSources>;

// The strongest source's next hops for each prefix, shared between routes where they can.
void choose_routes(const Candidates& by_source, VrfPlan& plan)
{
	std::map<Key, Source> winner;
	for (int s = 0; s < kSources; ++s) {
		for (const auto& [key, hops] : by_source[s]) {
			winner.try_emplace(key, Source(s));
		}
	}
	// A carrier's single-label routes share one next hop without labels: the label
	// travels in each route's ref (abi::route_aux).
	std::map<std::string, uint32_t> shared;
	for (const auto& [key, s] : winner) {
		const auto& all = by_source[s].at(key);
		const auto hops = std::span(all).first(std::min<size_t>(all.size(), kMaxEcmp));
		VrfPlan::Route r;
		r.prefix.addr.v6 = std::get<0>(key);
		r.prefix.addr.bytes = std::get<1>(key);
		r.prefix.length = std::get<2>(key);
		if (const auto label = shared_form(hops)) {
			const abi::NexthopEntry hop = without_labels(hops[0]);
			const std::string bytes(reinterpret_cast<const char*>(&hop), sizeof(hop));
			auto [it, fresh] =
			    shared.try_emplace(bytes, uint32_t(plan.nexthops.size()));
			if (fresh) {
				plan.nexthops.push_back(hop);
			}
			r.first = it->second;
			r.count = 1;
			r.label = *label + 1;
		} else {
			r.first = uint32_t(plan.nexthops.size());
			r.count = uint32_t(hops.size());
			plan.nexthops.insert(plan.nexthops.end(), hops.begin(), hops.end());
		}
		plan.routes.push_back(r);
	}
}

}  // namespace

IpPrefix masked(IpPrefix p)
{
	const unsigned bits = p.addr.v6 ? 128 : 32;
	for (unsigned i = p.length; i < bits; ++i) {
		p.addr.bytes[i / 8] &= uint8_t(~(0x80u >> (i % 8)));
	}
	return p;
}

config::Mac router_mac(const config::Config& cfg)
{
	if (cfg.node.router_mac) {
		return *cfg.node.router_mac;
	}
	const auto& r = cfg.node.router_id.bytes;
	return config::Mac{{0x02, 0x00, r[0], r[1], r[2], r[3]}};
}

VrfSources::VrfSources(const config::Config& cfg)
{
	for (const auto& n : cfg.neighbors) {
		if (!n.tenant.empty()) {
			hosts[n.tenant].push_back(&n);
		}
	}
	for (const auto& peer : cfg.peers) {
		if (peer.option == config::PeerOption::A) {
			for (const auto& v : peer.vrfs) {
				option_a[v.tenant].push_back({&peer, &v});
			}
		} else if (peer.address) {
			for (const auto& r : peer.static_vpn_routes) {
				vpn[r.tenant].push_back({&peer, &r});
			}
		}
	}
}

VrfPlan plan_vrf(const config::Config& cfg, const VrfSources& sources, const config::Tenant& t,
                 uint32_t tenant, const std::map<std::string, uint16_t>& port_index,
                 const std::vector<config::Neighbor>& learned)
{
	VrfPlan plan;
	if (!t.vrf) {
		return plan;
	}
	plan.live = true;
	plan.label = t.vrf->label ? *t.vrf->label : kAutoLabelBase + tenant;
	const config::Mac rmac = router_mac(cfg);

	// prefix → next hops, per source.
	Candidates by_source;
	auto add = [&](Source s, const IpPrefix& p, const abi::NexthopEntry& nh) {
		const IpPrefix m = masked(p);
		by_source[s][Key{m.addr.v6, m.addr.bytes, m.length}].push_back(nh);
	};
	auto segment_host = [&](const config::Mac& mac) {
		abi::NexthopEntry nh{};
		nh.kind = abi::NexthopKind::segment;
		nh.tenant = tenant;
		nh.resolved = 1;
		std::memcpy(nh.dst_mac, mac.bytes.data(), 6);
		std::memcpy(nh.src_mac, rmac.bytes.data(), 6);
		return nh;
	};
	auto unresolved = [] {
		abi::NexthopEntry nh{};
		nh.kind = abi::NexthopKind::unresolved;
		return nh;
	};
	auto local = [] {
		abi::NexthopEntry nh{};
		nh.kind = abi::NexthopKind::local;
		return nh;
	};

	// A host of a gateway's subnet is found by ARP/ND from that gateway address.
	auto connected = [&](const IpAddr& gateway) {
		abi::NexthopEntry nh{};
		nh.kind = abi::NexthopKind::connected;
		nh.tenant = tenant;
		std::memcpy(nh.src_mac, rmac.bytes.data(), 6);
		static_assert(sizeof(nh.labels) == 16);
		std::memcpy(nh.labels, gateway.bytes.data(), 16);
		return nh;
	};
	for (const auto& g : t.vrf->gateways) {
		add(kConnected, g, connected(g.addr));
		add(kLocal, host(g.addr), local());
	}
	static const std::vector<const config::Neighbor*> no_hosts;
	static const std::vector<VrfSources::OptionA> no_links;
	static const std::vector<VrfSources::Vpn> no_routes;
	auto find = [&](const auto& map, const auto& none) -> const auto&
	{
		const auto it = map.find(t.name);
		return it != map.end() ? it->second : none;
	};
	const auto& hosts = find(sources.hosts, no_hosts);
	for (const config::Neighbor* n : hosts) {
		add(kHost, host(n->address), segment_host(n->mac));
	}
	// Option A: this tenant's sub-interfaces, and the neighbour behind each.
	std::vector<std::pair<IpAddr, abi::NexthopEntry>> option_a;
	for (const auto& [peer, v] : find(sources.option_a, no_links)) {
		const auto port = port_index.find(peer->port);
		if (port == port_index.end()) {
			continue;
		}
		const abi::NexthopEntry nh =
		    option_a_next_hop(cfg, *peer, *v, v->neighbor, learned);
		option_a.emplace_back(v->neighbor, nh);
		add(kConnected, v->address, unresolved());
		abi::NexthopEntry own{};
		own.kind = abi::NexthopKind::subif;
		own.port = nh.port;
		own.vlan = nh.vlan;
		add(kLocal, host(v->address.addr), own);
		add(kHost, host(v->neighbor), nh);
		plan.subinterfaces.push_back(abi::access_key(port->second, false, v->vlan, 0));
	}
	for (const auto& r : t.vrf->static_routes) {
		abi::NexthopEntry nh = unresolved();
		for (const config::Neighbor* n : hosts) {
			if (n->address == r.via) {
				nh = segment_host(n->mac);
			}
		}
		for (const auto& [addr, a] : option_a) {
			if (addr == r.via) {
				nh = a;
			}
		}
		add(kStatic, r.prefix, nh);
	}
	// One carrier's next hop, shared by all its routes but for the labels.
	std::map<const config::Peer*, abi::NexthopEntry> carriers;
	for (const auto& [peer, r] : find(sources.vpn, no_routes)) {
		auto [it, fresh] = carriers.try_emplace(peer);
		abi::NexthopEntry& base = it->second;
		if (fresh) {
			base = carrier_next_hop(cfg, *peer, *peer->address, {});
		}
		abi::NexthopEntry nh = base;
		nh.n_labels = uint8_t(std::min<size_t>(r->labels.size(), 4));
		std::copy_n(r->labels.begin(), nh.n_labels, nh.labels);
		add(kVpn, r->prefix, nh);
	}

	choose_routes(by_source, plan);
	return plan;
}

std::optional<uint32_t> shared_form(std::span<const abi::NexthopEntry> hops)
{
	if (hops.size() != 1 || hops[0].kind != abi::NexthopKind::option_b ||
	    hops[0].n_labels != 1) {
		return std::nullopt;
	}
	return hops[0].labels[0];
}

abi::NexthopEntry without_labels(const abi::NexthopEntry& hop)
{
	abi::NexthopEntry h = hop;
	h.n_labels = 0;
	std::fill(std::begin(h.labels), std::end(h.labels), 0u);
	return h;
}

namespace {

// The neighbour `addr` on `port` (VLAN `vlan`, 0: untagged): configured first, else as the
// kernel resolved it.
const config::Neighbor* link_neighbor(const config::Config& cfg, const std::string& port,
                                      uint16_t vlan, const config::IpAddr& addr,
                                      const std::vector<config::Neighbor>& learned)
{
	if (const config::Neighbor* n = find_neighbor(cfg, port, vlan, addr)) {
		return n;
	}
	for (const auto& l : learned) {
		if (l.port == port && l.vlan == vlan && l.address == addr) {
			return &l;
		}
	}
	return nullptr;
}

// Out of `port`, from its MAC; unresolved when the configuration has no such port.
abi::NexthopEntry out_of(const config::Config& cfg, const std::string& port, abi::NexthopKind kind,
                         std::optional<uint16_t>& index)
{
	abi::NexthopEntry nh{};
	nh.kind = abi::NexthopKind::unresolved;
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		if (cfg.ports[i].name == port) {
			nh.kind = kind;
			nh.port = uint16_t(i);
			const auto pmac = config::port_mac(cfg, i);
			std::memcpy(nh.src_mac, pmac.bytes.data(), 6);
			index = uint16_t(i);
		}
	}
	return nh;
}

}  // namespace

abi::NexthopEntry carrier_next_hop(const config::Config& cfg, const config::Peer& peer,
                                   const config::IpAddr& hop,
                                   const std::vector<config::Neighbor>& learned)
{
	std::optional<uint16_t> port;
	abi::NexthopEntry nh = out_of(cfg, peer.port, abi::NexthopKind::option_b, port);
	if (port) {
		set_dst(nh, link_neighbor(cfg, peer.port, 0, hop, learned));
	}
	return nh;
}

abi::NexthopEntry option_a_next_hop(const config::Config& cfg, const config::Peer& peer,
                                    const config::OptionAVrf& link, const config::IpAddr& hop,
                                    const std::vector<config::Neighbor>& learned)
{
	std::optional<uint16_t> port;
	abi::NexthopEntry nh = out_of(cfg, peer.port, abi::NexthopKind::option_a, port);
	if (port) {
		nh.vlan = link.vlan;
		set_dst(nh, link_neighbor(cfg, peer.port, link.vlan, hop, learned));
	}
	return nh;
}

bool same_vrf_context(const config::Config& a, const config::Config& b)
{
	auto nb = [](const config::Neighbor& n) {
		return std::tie(n.port, n.vlan, n.tenant, n.address, n.mac);
	};
	auto vrf = [](const config::OptionAVrf& v) {
		return std::tie(v.tenant, v.vlan, v.address, v.neighbor);
	};
	auto vpn = [](const config::StaticVpnRoute& r) {
		return std::tie(r.tenant, r.prefix, r.labels);
	};
	auto peer = [&](const config::Peer& x, const config::Peer& y) {
		return std::tie(x.name, x.option, x.port, x.asn, x.address, x.tenants) ==
		           std::tie(y.name, y.option, y.port, y.asn, y.address, y.tenants) &&
		       std::equal(x.vrfs.begin(), x.vrfs.end(), y.vrfs.begin(), y.vrfs.end(),
		                  [&](const auto& p, const auto& q) { return vrf(p) == vrf(q); }) &&
		       std::equal(x.static_vpn_routes.begin(), x.static_vpn_routes.end(),
		                  y.static_vpn_routes.begin(), y.static_vpn_routes.end(),
		                  [&](const auto& p, const auto& q) { return vpn(p) == vpn(q); });
	};
	return std::equal(a.neighbors.begin(), a.neighbors.end(), b.neighbors.begin(),
	                  b.neighbors.end(),
	                  [&](const auto& x, const auto& y) { return nb(x) == nb(y); }) &&
	       std::equal(a.peers.begin(), a.peers.end(), b.peers.begin(), b.peers.end(), peer);
}

}  // namespace tsunagi::compile
