#include "bench/live_changes.hpp"

#include <stdexcept>

#include "control/compile/vrf_plan.hpp"

namespace tsunagi::bench {

namespace {

config::Mac static_mac(uint32_t tenant, uint64_t version)
{
	// 02:5c: locally administered, apart from mac_preload's 02:b0 and the ports' 02:54.
	return config::Mac{{0x02, 0x5c, uint8_t(tenant >> 8), uint8_t(tenant),
	                    uint8_t(version >> 8), uint8_t(version)}};
}

}  // namespace

void add_static_macs(config::Config& cfg, uint32_t first, uint32_t count)
{
	for (uint32_t t = first; t < first + count && t < cfg.tenants.size(); ++t) {
		config::Tenant& ten = cfg.tenants[t];
		const config::Attachment& a = ten.attachments.at(0);
		config::StaticMac s;
		s.mac = static_mac(t, 0);
		s.port = a.port;
		s.vlan = a.vlan;
		s.inner_vlan = a.inner_vlan;
		ten.static_macs = {s};
	}
}

uint32_t ChangeMix::pool_prefix(const ScaleParams& p, uint32_t i)
{
	// Past the configured routes' indexes, so no learned prefix is one the traffic uses.
	return vpn_route_prefix(i % p.vrfs, p.routes / p.vrfs + i / p.vrfs);
}

ChangeMix::ChangeMix(const config::Config& cfg, const ScaleParams& p, uint32_t route_pool,
                     uint32_t mac_first, uint32_t mac_count, unsigned mac_percent)
    : p_(p), pool_(route_pool), mac_percent_(mac_percent)
{
	if (p.vrfs == 0 || cfg.peers.empty() || !cfg.peers[0].address) {
		throw std::runtime_error("the change mix needs VRFs and an Option-B carrier");
	}
	if (p.routes / p.vrfs + (route_pool + p.vrfs - 1) / p.vrfs > 65536) {
		// vpn_route_prefix gives a VRF 65 536 distinct /24s; beyond, learned routes
		// would replace configured ones and change where the traffic goes.
		throw std::runtime_error("too many routes per VRF for distinct /24 prefixes");
	}
	for (uint32_t t = 0; t < p.vrfs; ++t) {
		vrf_names_.push_back(cfg.tenants.at(t).name);
	}
	const config::Peer& carrier = cfg.peers[0];
	abi::NexthopEntry hop = compile::carrier_next_hop(cfg, carrier, *carrier.address, {});
	hop.n_labels = 1;
	hops_.push_back(hop);
	for (uint32_t t = mac_first; t < mac_first + mac_count && t < cfg.tenants.size(); ++t) {
		mac_tenants_.push_back(cfg.tenants[t]);
	}
	if (mac_percent_ > 0 && mac_tenants_.empty()) {
		throw std::runtime_error("MAC changes asked for, but no tenant has a static MAC");
	}
}

bool ChangeMix::apply(compile::TableWriter& w, uint64_t generation, Kind& kind)
{
	share_ += mac_percent_;
	if (share_ >= 100) {
		share_ -= 100;
		kind = Kind::mac;
		return mac(w, generation);
	}
	return route(w, generation, kind);
}

bool ChangeMix::route(compile::TableWriter& w, uint64_t generation, Kind& kind)
{
	const uint32_t i = next_route_;
	const uint32_t a = pool_prefix(p_, i);
	config::IpPrefix prefix;
	prefix.addr.bytes = {uint8_t(a >> 24), uint8_t(a >> 16), uint8_t(a >> 8), 0};
	prefix.length = 24;
	const std::string& vrf = vrf_names_[i % p_.vrfs];
	bool ok;
	if (adding_) {
		kind = Kind::route_add;
		hops_[0].labels[0] = 16 + i;
		ok = w.set_route(vrf, prefix, hops_, generation);
	} else {
		kind = Kind::route_withdraw;
		ok = w.remove_route(vrf, prefix, generation);
	}
	// All of the pool in, then all of it out: the image's route count stays bounded.
	if (++next_route_ == pool_) {
		next_route_ = 0;
		adding_ = !adding_;
	}
	return ok;
}

bool ChangeMix::mac(compile::TableWriter& w, uint64_t generation)
{
	config::Tenant& t = mac_tenants_[next_mac_ % mac_tenants_.size()];
	const uint64_t version = 1 + next_mac_ / mac_tenants_.size();
	++next_mac_;
	const uint32_t index = uint32_t(t.vni - kVniBase);
	t.static_macs[0].mac = static_mac(index, version);
	return w.upsert_tenant(t, generation);
}

}  // namespace tsunagi::bench
