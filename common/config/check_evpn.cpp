// Pass 2: BGP EVPN, the node's sessions and what tenants and VRFs ask of them.
#include "common/config/check.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

namespace {

bool has_ipv4(const std::vector<IpAddr>& vteps)
{
	return std::any_of(vteps.begin(), vteps.end(), [](const IpAddr& a) { return !a.v6; });
}

}  // namespace

void Checker::check_evpn()
{
	const Node& node = p_.cfg.node;
	if (node.evpn) {
		Unique addresses(ctx_);
		for (size_t i = 0; i < node.evpn->peers.size(); ++i) {
			const EvpnPeer& peer = node.evpn->peers[i];
			const Fields& pf = p_.node.evpn_peers[i];
			if (!pf.has("address"))
				continue;
			const std::string a = to_string(peer.address);
			addresses.add(a, "address " + a, pf.at("address"), pf.p("address"),
			              pf.path);
			const bool own_vtep = std::find(node.vteps.begin(), node.vteps.end(),
			                                peer.address) != node.vteps.end();
			if (own_vtep || peer.address == node.router_id)
				ctx_.error(pf.at("address"), pf.p("address"),
				           "address " + a + " is this node's own " +
				               (own_vtep ? "vtep" : "router_id") +
				               "; a peer is another router");
		}
	}
	// FRR 8.4 runs EVPN over IPv4 VTEPs only, and its VXLAN devices need one to exist.
	const bool vtep4 = has_ipv4(node.vteps);
	auto needs = [&](Mark at, const std::string& path, const std::string& what) {
		if (!node.evpn)
			ctx_.error(at, path,
			           what + " needs node.evpn (the node's BGP EVPN sessions)");
		else if (!vtep4)
			ctx_.error(at, path,
			           what +
			               " needs an IPv4 node.vtep (FRR 8.4 runs EVPN over IPv4 "
			               "VTEPs only)");
	};
	std::map<uint32_t, size_t> l2_vnis;
	for (size_t i = 0; i < p_.cfg.tenants.size(); ++i)
		if (p_.tenants[i].f.has("vni"))
			l2_vnis.emplace(p_.cfg.tenants[i].vni, i);
	Unique l3_vnis(ctx_);
	for (size_t i = 0; i < p_.cfg.tenants.size(); ++i) {
		const Tenant& t = p_.cfg.tenants[i];
		const TenantAux& aux = p_.tenants[i];
		const std::string owner =
		    aux.f.has("name") ? "tenant " + quote(t.name) : aux.f.path;
		if (t.evpn && aux.f.has("evpn"))
			needs(aux.f.at("evpn"), aux.f.p("evpn"), "evpn: true");
		if (!t.vrf || !aux.vrf.has("l3_vni"))
			continue;
		const Fields& vf = aux.vrf;
		const uint32_t vni = t.vrf->l3_vni;
		needs(vf.at("l3_vni"), vf.p("l3_vni"), "l3_vni");
		l3_vnis.add(std::to_string(vni), "l3_vni " + std::to_string(vni), vf.at("l3_vni"),
		            vf.p("l3_vni"), owner);
		if (auto it = l2_vnis.find(vni); it != l2_vnis.end()) {
			const TenantAux& other = p_.tenants[it->second];
			ctx_.error(vf.at("l3_vni"), vf.p("l3_vni"),
			           "l3_vni " + std::to_string(vni) + " is the VNI of tenant " +
			               quote(p_.cfg.tenants[it->second].name) + " " +
			               line_ref(other.f.at("vni")) +
			               "; an L3 VNI needs a VNI no segment uses");
		}
	}
}

}  // namespace tsunagi::config::load
