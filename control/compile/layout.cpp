// How large an image is, and where each section of it lies (Layout::plan).
#include "control/compile/writer_parts.hpp"

namespace tsunagi::compile {

using abi::kNone;
using config::IpAddr;

namespace {

AddrSet remote_addresses(const config::Config& cfg)
{
	AddrSet s(addr_less);
	for (const auto& t : cfg.tenants) {
		s.insert(t.vteps.begin(), t.vteps.end());
	}
	return s;
}

}  // namespace

Layout Layout::plan(const config::Config& cfg, const IdPlan& ids, bool spare,
                    const std::array<uint64_t, 2>& learned)
{
	Layout l;
	uint64_t attachments = 0, remotes = 0, statics = 0, flood_bytes = 0, names = 2;
	uint32_t trunks = 0;
	for (const auto& p : cfg.ports) {
		trunks += p.role == config::PortRole::trunk;
		names += p.name.size() + 1;
	}
	names += cfg.node.name.size() + 1;
	for (const auto& t : cfg.tenants) {
		// Single-tagged attachments live in vlan_map, the QinQ ones in access_map.
		attachments += std::count_if(t.attachments.begin(), t.attachments.end(),
		                             [](const auto& a) { return a.inner_vlan != 0; });
		remotes += t.vteps.size();
		statics += t.static_macs.size();
		names += t.name.size() + 1;
		flood_bytes +=
		    Heap::block_size(4 * (trunks + t.attachments.size() + t.vteps.size()));
	}
	const auto vteps = uint32_t(remote_addresses(cfg).size());
	// Routes per family, an upper bound: what plan_vrf can make of each source.
	uint64_t routes[2] = {0, 0}, labels = 0, subifs = 0;
	const VrfSources sources(cfg);
	for (const auto& t : cfg.tenants) {
		if (!t.vrf) {
			continue;
		}
		++labels;
		uint64_t mine = 0;
		for (const auto& g : t.vrf->gateways) {
			routes[g.addr.v6] += 2;
			mine += 2;
		}
		for (const auto& r : t.vrf->static_routes) {
			++routes[r.prefix.addr.v6];
			++mine;
		}
		if (auto it = sources.hosts.find(t.name); it != sources.hosts.end()) {
			for (const config::Neighbor* n : it->second) {
				++routes[n->address.v6];
				++mine;
			}
		}
		if (auto it = sources.option_a.find(t.name); it != sources.option_a.end()) {
			for (const auto& a : it->second) {
				routes[a.vrf->neighbor.v6] += 3;
				mine += 3;
				++subifs;
			}
		}
		if (auto it = sources.vpn.find(t.name); it != sources.vpn.end()) {
			for (const auto& v : it->second) {
				++routes[v.route->prefix.addr.v6];
				++mine;
			}
		}
		flood_bytes += Heap::block_size(sizeof(abi::NexthopEntry) * mine);
	}
	// A learned route's next hops are a block of their own; two (ECMP) fit in one.
	routes[0] += learned[0];
	routes[1] += learned[1];
	flood_bytes += (learned[0] + learned[1]) * Heap::block_size(2 * sizeof(abi::NexthopEntry));
	const uint32_t grow_t = spare ? ids.tenant_slots() / 2 + 64 : 0;
	l.tenants = std::min<uint32_t>(0xffff, std::max<uint32_t>(1, ids.tenant_slots() + grow_t));
	l.members =
	    std::max<uint32_t>(1, ids.member_slots() + (spare ? ids.member_slots() / 2 + 256 : 0));
	l.vteps = std::max<uint32_t>(1, spare ? 2 * vteps + 64 : vteps);
	l.names = spare ? 2 * names + 4096 : names;
	l.access_slots = map_capacity(attachments, spare);
	l.vni_slots = map_capacity(cfg.tenants.size(), spare);
	l.vtep_slots = map_capacity(remotes, spare);
	l.route4_slots = map_capacity(routes[0], spare);
	l.route6_slots = map_capacity(routes[1], spare);
	l.label_slots = map_capacity(labels, spare);
	l.subif_slots = map_capacity(subifs, spare);
	// A dataplane further behind than this rescans the static map; it reads each
	// generation within milliseconds, so only a change of thousands of MACs at once
	// (which costs a scan's worth to write anyway) overruns the ring.
	l.static_log = 8192;
	// Static MACs come and go (EVPN's remote MACs, reloads), and an erased one's slot stays
	// a tombstone until the dataplane has left the generation that erased it: a growable
	// map keeps room for a ring's worth of erasures beside its entries, and stays sparse
	// enough that most tombstones end their probe run and become empty again.
	l.static_slots = map_capacity(spare ? statics + l.static_log : statics, spare);
	const uint64_t once = flood_bytes + Heap::block_size(sizeof(abi::Header));
	l.heap = spare ? 4 * once + (uint64_t{1} << 20) : once;
	l.total = align64(sizeof(abi::Header)) +
	          align64(sizeof(abi::PortEntry) * cfg.ports.size()) +
	          align64(sizeof(abi::TenantEntry) * l.tenants) +
	          align64(sizeof(abi::MemberEntry) * l.members) +
	          align64(sizeof(abi::VtepEntry) * l.vteps) +
	          align64(sizeof(abi::U64Slot) * (l.access_slots + l.vni_slots)) +
	          align64(sizeof(abi::VtepSlot) * l.vtep_slots) +
	          align64(sizeof(uint64_t) * abi::kVlanSlots * cfg.ports.size()) +
	          align64(l.names) + align64(sizeof(abi::VrfEntry) * l.tenants) +
	          align64(sizeof(abi::U64Slot) * (l.route4_slots + l.label_slots + l.subif_slots)) +
	          align64(sizeof(abi::Route6Slot) * l.route6_slots) +
	          align64(sizeof(abi::U64Slot) * l.static_slots) +
	          align64(sizeof(abi::StaticMacChange) * l.static_log) + l.heap;
	return l;
}

}  // namespace tsunagi::compile
