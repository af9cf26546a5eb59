#include "control/routes/evpn_tenants.hpp"

#include <algorithm>
#include <set>

namespace tsunagi::routes {

namespace {

// The VTEPs the node can reach remote ones from: those of a family it has a VTEP of, and
// not its own (a route reflector may send the node's own routes back).
bool usable(const config::IpAddr& vtep, const config::Node& node)
{
	bool family = false;
	for (const auto& own : node.vteps) {
		if (own == vtep) {
			return false;
		}
		family = family || own.v6 == vtep.v6;
	}
	return family;
}

void add_vtep(config::Tenant& t, const config::IpAddr& vtep)
{
	if (std::find(t.vteps.begin(), t.vteps.end(), vtep) == t.vteps.end()) {
		t.vteps.push_back(vtep);
	}
}

}  // namespace

EvpnUse evpn_use(const config::Tenant& t, const config::Node& node, const EvpnRib& rib)
{
	EvpnUse use;
	if (!t.evpn || !node.evpn) {
		return use;
	}
	for (const auto& vtep : rib.flood(t.vni)) {
		if (usable(vtep, node)) {
			use.flood.push_back(vtep);
		}
	}
	std::set<std::array<uint8_t, 6>> pinned;
	for (const auto& s : t.static_macs) {
		pinned.insert(s.mac.bytes);
	}
	for (auto& [mac, remote] : rib.macs(t.vni)) {
		if (!pinned.contains(mac.bytes) && usable(remote.vtep, node)) {
			use.macs.emplace_back(mac, std::move(remote));
		}
	}
	return use;
}

config::Tenant with_evpn(const config::Tenant& t, const config::Node& node, const EvpnRib& rib)
{
	config::Tenant out = t;
	EvpnUse use = evpn_use(t, node, rib);
	for (const auto& vtep : use.flood) {
		add_vtep(out, vtep);
	}
	for (auto& [mac, remote] : use.macs) {
		add_vtep(out, remote.vtep);
		config::StaticMac s;
		s.mac = mac;
		s.vtep = remote.vtep;
		s.movable = true;
		out.static_macs.push_back(std::move(s));
	}
	return out;
}

config::Config with_evpn(const config::Config& cfg, const EvpnRib& rib)
{
	config::Config out = cfg;
	for (auto& t : out.tenants) {
		if (t.evpn) {
			t = with_evpn(t, cfg.node, rib);
		}
	}
	return out;
}

bool any_evpn(const config::Config& cfg)
{
	return cfg.node.evpn && std::any_of(cfg.tenants.begin(), cfg.tenants.end(),
	                                    [](const config::Tenant& t) { return t.evpn; });
}

std::vector<size_t> evpn_tenants_changed(const config::Config& cfg, const EvpnChanges& c)
{
	std::set<uint32_t> vnis(c.flood.begin(), c.flood.end());
	for (const auto& [vni, mac] : c.macs) {
		vnis.insert(vni);
	}
	std::vector<size_t> out;
	for (size_t i = 0; i < cfg.tenants.size(); ++i) {
		if (cfg.tenants[i].evpn && vnis.contains(cfg.tenants[i].vni)) {
			out.push_back(i);
		}
	}
	return out;
}

}  // namespace tsunagi::routes
