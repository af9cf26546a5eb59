// What the parts of TableWriter (table_writer.cpp, layout.cpp, tenant_writer.cpp,
// route_writer.cpp) share: a tenant's plan and the comparisons that decide what an edit
// must rewrite. Internal to compile/.
#pragma once

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>

#include "control/compile/table_writer.hpp"

namespace tsunagi::compile {

using abi::kNone;
using config::IpAddr;

using AddrSet = std::set<IpAddr, bool (*)(const IpAddr&, const IpAddr&)>;

inline bool addr_less(const IpAddr& a, const IpAddr& b)
{
	return std::tie(a.v6, a.bytes) < std::tie(b.v6, b.bytes);
}

inline uint64_t align64(uint64_t n)
{
	return (n + 63) & ~uint64_t{63};
}

inline bool same_vrf(const std::optional<config::Vrf>& a, const std::optional<config::Vrf>& b)
{
	if (!a || !b) {
		return !a && !b;
	}
	auto route = [](const config::StaticRoute& r) { return std::tie(r.prefix, r.via); };
	return a->label == b->label && a->gateways == b->gateways &&
	       std::equal(a->static_routes.begin(), a->static_routes.end(),
	                  b->static_routes.begin(), b->static_routes.end(),
	                  [&](const auto& x, const auto& y) { return route(x) == route(y); });
}

// Whether two definitions of a tenant compile to the same entries (source positions and
// what the tables do not hold, like route distinguishers, aside).
inline bool same_tenant(const config::Tenant& a, const config::Tenant& b)
{
	auto att = [](const config::Attachment& x) {
		return std::tie(x.port, x.vlan, x.inner_vlan);
	};
	auto mac = [](const config::StaticMac& x) {
		return std::tie(x.mac, x.port, x.vlan, x.inner_vlan, x.vtep, x.movable);
	};
	return std::tie(a.name, a.vni, a.hybrid_vlan, a.vteps, a.mac_limit) ==
	           std::tie(b.name, b.vni, b.hybrid_vlan, b.vteps, b.mac_limit) &&
	       std::equal(a.attachments.begin(), a.attachments.end(), b.attachments.begin(),
	                  b.attachments.end(),
	                  [&](const auto& x, const auto& y) { return att(x) == att(y); }) &&
	       std::equal(a.static_macs.begin(), a.static_macs.end(), b.static_macs.begin(),
	                  b.static_macs.end(),
	                  [&](const auto& x, const auto& y) { return mac(x) == mac(y); }) &&
	       same_vrf(a.vrf, b.vrf);
}

struct TableWriter::Plan {
	const config::Tenant* cfg;
	std::vector<Member> members;                           // flood order
	std::vector<std::pair<uint64_t, size_t>> access;       // QinQ key → position in members
	std::vector<std::pair<uint32_t, size_t>> vlans;        // vlan_map slot → position
	std::vector<std::pair<abi::VtepKey, size_t>> remotes;  // key → position in members
	// MAC → position in members, abi::kMovableStatic or 0
	std::vector<std::tuple<config::Mac, size_t, uint32_t>> statics;
	VrfPlan vrf;  // laid out for tenant index vrf_index
	uint32_t vrf_index;
};

}  // namespace tsunagi::compile
