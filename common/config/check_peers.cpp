// Pass 2: peers and neighbours.
#include "common/config/check.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

void Checker::check_peers()
{
	Unique addresses(ctx_), subifs(ctx_);
	for (size_t i = 0; i < p_.cfg.peers.size(); ++i) {
		const Peer& peer = p_.cfg.peers[i];
		const PeerAux& aux = p_.peers[i];
		const Fields& f = aux.f;
		const std::string owner = f.has("name") ? "peer " + quote(peer.name) : f.path;
		const Port* port = nullptr;
		if (f.has("port")) {
			port = this->port(f, "port", peer.port);
			if (port != nullptr && port->role != PortRole::interconnect) {
				ctx_.error(f.at("port"), f.p("port"),
				           "port " + quote(peer.port) + " is " +
				               role_phrase(port->role) +
				               "; a peer needs an interconnect port");
				port = nullptr;
			}
		}
		if (f.has("asn") && peer.asn == p_.cfg.node.asn && p_.node.f.has("asn"))
			ctx_.error(f.at("asn"), f.p("asn"),
			           "ASN " + std::to_string(peer.asn) +
			               " is this node's own ASN; an inter-AS peer is in "
			               "another AS");
		if (peer.address && f.has("option") && peer.option == PeerOption::B) {
			addresses.add(to_string(*peer.address),
			              "peer address " + to_string(*peer.address), f.at("address"),
			              f.p("address"), owner);
			if (port != nullptr)
				check_inside(f.at("address"), f.p("address"), *peer.address,
				             port->addresses, "port " + quote(port->name));
		}
		Unique tenants(ctx_);
		for (size_t k = 0; k < peer.tenants.size(); ++k) {
			const Val& tv = aux.tenants[k];
			tenants.add(peer.tenants[k], "tenant " + quote(peer.tenants[k]), tv.mark,
			            tv.path,
			            "tenants[" + std::to_string(tenants_seen_index(peer, k)) + "]");
			vrf_tenant(tv.mark, tv.path, peer.tenants[k]);
		}
		for (size_t k = 0; k < peer.static_vpn_routes.size(); ++k) {
			const StaticVpnRoute& r = peer.static_vpn_routes[k];
			const Fields& rf = aux.routes[k];
			if (!rf.has("tenant"))
				continue;
			if (tenants_.find(r.tenant) == tenants_.end()) {
				tenant(rf.at("tenant"), rf.p("tenant"), r.tenant);
			} else if (std::find(peer.tenants.begin(), peer.tenants.end(), r.tenant) ==
			           peer.tenants.end()) {
				ctx_.error(
				    rf.at("tenant"), rf.p("tenant"),
				    "tenant " + quote(r.tenant) + " is not in this peer's tenants");
			}
		}
		for (size_t k = 0; k < peer.vrfs.size(); ++k) {
			const OptionAVrf& a = peer.vrfs[k];
			const Fields& af = aux.vrfs[k];
			if (af.has("tenant"))
				vrf_tenant(af.at("tenant"), af.p("tenant"), a.tenant);
			if (af.has("vlan") && f.has("port")) {
				subifs.add(
				    peer.port + "/" + std::to_string(a.vlan),
				    "VLAN " + std::to_string(a.vlan) + " on port " + peer.port,
				    af.at("vlan"), af.p("vlan"), owner);
				if (af.has("address"))
					option_a_.try_emplace({peer.port, a.vlan}, &a);
			}
			if (af.has("address") && af.has("neighbor"))
				check_inside(af.at("neighbor"), af.p("neighbor"), a.neighbor,
				             {a.address}, "the sub-interface");
		}
	}
}

size_t Checker::tenants_seen_index(const Peer& peer, size_t k)
{
	for (size_t j = 0; j < k; ++j)
		if (peer.tenants[j] == peer.tenants[k])
			return j;
	return k;
}

void Checker::check_neighbors()
{
	Unique seen(ctx_);
	for (size_t i = 0; i < p_.cfg.neighbors.size(); ++i) {
		const Neighbor& n = p_.cfg.neighbors[i];
		const Fields& f = p_.neighbors[i];
		if (f.has("port")) {
			const Port* port = this->port(f, "port", n.port);
			if (port == nullptr)
				continue;
			if (port->role != PortRole::underlay &&
			    port->role != PortRole::interconnect) {
				ctx_.error(f.at("port"), f.p("port"),
				           "port " + quote(n.port) + " is " +
				               role_phrase(port->role) +
				               "; a neighbour is on an underlay or "
				               "interconnect port (or give tenant)");
				continue;
			}
			if (!f.has("address") || f.has("vlan_bad"))
				continue;
			seen.add(n.port + "/" + std::to_string(n.vlan) + "/" + to_string(n.address),
			         "neighbour " + to_string(n.address) + " on port " + n.port +
			             (n.vlan ? " vlan " + std::to_string(n.vlan) : ""),
			         f.at("address"), f.p("address"), f.path);
			if (n.vlan != 0) {
				auto it = option_a_.find({n.port, n.vlan});
				if (it == option_a_.end()) {
					ctx_.error(f.at("vlan"), f.p("vlan"),
					           "no Option-A peer uses VLAN " +
					               std::to_string(n.vlan) + " on port " +
					               quote(n.port));
					continue;
				}
				check_inside(f.at("address"), f.p("address"), n.address,
				             {it->second->address}, "the sub-interface");
			} else if (!aux_of(port).address_error) {
				check_inside(f.at("address"), f.p("address"), n.address,
				             port->addresses, "port " + quote(n.port));
			}
		} else if (f.has("tenant")) {
			const Tenant* t = tenant(f.at("tenant"), f.p("tenant"), n.tenant);
			if (t == nullptr || !f.has("address"))
				continue;
			seen.add(n.tenant + "//" + to_string(n.address),
			         "neighbour " + to_string(n.address) + " in tenant " + n.tenant,
			         f.at("address"), f.p("address"), f.path);
			if (!t->vrf) {
				ctx_.error(f.at("tenant"), f.p("tenant"),
				           "tenant " + quote(n.tenant) +
				               " has no vrf; a host neighbour is only used "
				               "for routing in its VRF");
				continue;
			}
			check_inside(f.at("address"), f.p("address"), n.address, t->vrf->gateways,
			             "tenant " + quote(n.tenant) + "'s vrf gateway");
		}
	}
}

}  // namespace tsunagi::config::load
