// Pass 2 of the loader: references between sections (ports, tenants, peers, neighbours)
// and uniqueness, on fields that parsed in pass 1. Internal to the loader (namespace load).
#pragma once

#include "common/config/load_context.hpp"

namespace tsunagi::config::load {

class Checker {
public:
	Checker(Ctx& ctx, Parsed& p) : ctx_(ctx), p_(p) {}

	void run()
	{
		index();
		check_node();
		check_ports();
		check_tenants();
		check_evpn();
		check_peers();
		check_neighbors();  // after peers: a neighbour on an Option-A VLAN refers to them
	}

private:
	Ctx& ctx_;
	Parsed& p_;
	std::map<std::string, size_t, std::less<>> ports_, tenants_;
	std::vector<std::string> port_names_, tenant_names_;
	// (port, vlan) of Option-A sub-interfaces -> the vrf entry
	std::map<std::pair<std::string, uint16_t>, const OptionAVrf*> option_a_;

	void index();
	// The port named at f[key], or nullptr after reporting it unknown.
	const Port* port(const Fields& f, std::string_view key, const std::string& name);
	const Tenant* tenant(Mark at, const std::string& path, const std::string& name);
	const PortAux& aux_of(const Port* port) const;
	// An address that must lie inside one of `subnets` (a port's addresses, a VRF's gateways).
	bool check_inside(Mark at, const std::string& path, const IpAddr& a,
	                  const std::vector<IpPrefix>& subnets, const std::string& where);
	void check_node();
	void check_ports();
	void check_tenants();
	void check_static_macs(const Tenant& t, const TenantAux& aux);
	void check_evpn();
	// A tenant named in a peer: it must exist and have a vrf.
	void vrf_tenant(Mark at, const std::string& path, const std::string& name);
	void check_peers();
	static size_t tenants_seen_index(const Peer& peer, size_t k);
	void check_neighbors();
};

}  // namespace tsunagi::config::load
