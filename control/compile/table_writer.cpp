#include "control/compile/table_writer.hpp"

#include <span>

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>
#include <unordered_set>

#include "common/abi/atomic.hpp"
#include "common/config/port_mac.hpp"
#include "control/compile/compiler.hpp"

namespace tsunagi::compile {

using abi::kNone;
using config::IpAddr;

namespace {

bool addr_less(const IpAddr& a, const IpAddr& b)
{
	return std::tie(a.v6, a.bytes) < std::tie(b.v6, b.bytes);
}

uint64_t align64(uint64_t n)
{
	return (n + 63) & ~uint64_t{63};
}

abi::PortRole role_of(config::PortRole r)
{
	switch (r) {
		case config::PortRole::access:
			return abi::PortRole::access;
		case config::PortRole::trunk:
			return abi::PortRole::trunk;
		case config::PortRole::underlay:
			return abi::PortRole::underlay;
		case config::PortRole::interconnect:
			break;
	}
	return abi::PortRole::interconnect;
}

abi::VtepKey vtep_key(uint32_t vni, const IpAddr& a)
{
	abi::VtepKey k{};
	std::memcpy(k.ip, a.bytes.data(), a.v6 ? 16 : 4);
	k.vni = vni;
	k.v6 = a.v6;
	return k;
}

// What the tables hold of the node and the ports; a change there means a new image.
bool same_node_and_ports(const config::Config& a, const config::Config& b)
{
	auto node = [](const config::Node& n) { return std::tie(n.name, n.vteps, n.mac_aging_s); };
	auto port = [](const config::Port& p) {
		return std::tie(p.name, p.role, p.mac, p.device_mac, p.addresses, p.gateways,
		                p.mtu);
	};
	return node(a.node) == node(b.node) &&
	       std::equal(a.ports.begin(), a.ports.end(), b.ports.begin(), b.ports.end(),
	                  [&](const auto& x, const auto& y) { return port(x) == port(y); });
}

bool same_vrf(const std::optional<config::Vrf>& a, const std::optional<config::Vrf>& b)
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
bool same_tenant(const config::Tenant& a, const config::Tenant& b)
{
	auto att = [](const config::Attachment& x) {
		return std::tie(x.port, x.vlan, x.inner_vlan);
	};
	auto mac = [](const config::StaticMac& x) {
		return std::tie(x.mac, x.port, x.vlan, x.inner_vlan, x.vtep);
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

uint32_t host_order(const IpAddr& a)
{
	return (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) |
	       (uint32_t{a.bytes[2]} << 8) | a.bytes[3];
}

std::set<IpAddr, bool (*)(const IpAddr&, const IpAddr&)> remote_addresses(const config::Config& cfg)
{
	std::set<IpAddr, bool (*)(const IpAddr&, const IpAddr&)> s(addr_less);
	for (const auto& t : cfg.tenants) {
		s.insert(t.vteps.begin(), t.vteps.end());
	}
	return s;
}

}  // namespace

struct TableWriter::Plan {
	const config::Tenant* cfg;
	std::vector<Member> members;                           // flood order
	std::vector<std::pair<uint64_t, size_t>> access;       // key → position in members
	std::vector<std::pair<abi::VtepKey, size_t>> remotes;  // key → position in members
	std::vector<std::pair<config::Mac, size_t>> statics;   // MAC → position in members
	VrfPlan vrf;  // laid out for tenant index vrf_index
	uint32_t vrf_index;
};

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
		attachments += t.attachments.size();
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
	const uint64_t once = flood_bytes +
	                      Heap::block_size(sizeof(abi::StaticMacEntry) * statics) +
	                      Heap::block_size(sizeof(abi::Header));
	l.heap = spare ? 4 * once + (uint64_t{1} << 20) : once;
	l.total = align64(sizeof(abi::Header)) +
	          align64(sizeof(abi::PortEntry) * cfg.ports.size()) +
	          align64(sizeof(abi::TenantEntry) * l.tenants) +
	          align64(sizeof(abi::MemberEntry) * l.members) +
	          align64(sizeof(abi::VtepEntry) * l.vteps) +
	          align64(sizeof(abi::U64Slot) * (l.access_slots + l.vni_slots)) +
	          align64(sizeof(abi::VtepSlot) * l.vtep_slots) + align64(4 * 4096) +
	          align64(l.names) + align64(sizeof(abi::VrfEntry) * l.tenants) +
	          align64(sizeof(abi::U64Slot) * (l.route4_slots + l.label_slots + l.subif_slots)) +
	          align64(sizeof(abi::Route6Slot) * l.route6_slots) + l.heap;
	return l;
}

TableWriter::TableWriter(void* image, const Layout& layout, const config::Config& cfg,
                         const IdPlan& ids, const std::vector<config::Neighbor>& learned)
    : base_(static_cast<uint8_t*>(image)),
      layout_(layout),
      cfg_(cfg),
      learned_(learned),
      vteps_(addr_less)
{
	uint64_t top = align64(sizeof(abi::Header));
	auto section = [&](uint64_t count, uint64_t size) {
		const abi::Section s{top, count};
		top += align64(count * size);
		return s;
	};
	abi::Header& h = header_;
	h.magic = abi::kMagic;
	h.abi_version = abi::kAbiVersion;
	h.header_size = sizeof(abi::Header);
	h.total_size = layout.total;
	h.id_epoch = ids.epoch();
	h.ports = section(cfg.ports.size(), sizeof(abi::PortEntry));
	h.tenants = section(layout.tenants, sizeof(abi::TenantEntry));
	h.members = section(layout.members, sizeof(abi::MemberEntry));
	h.vteps = section(layout.vteps, sizeof(abi::VtepEntry));
	h.access_map = section(layout.access_slots, sizeof(abi::U64Slot));
	h.vni_map = section(layout.vni_slots, sizeof(abi::U64Slot));
	h.vtep_map = section(layout.vtep_slots, sizeof(abi::VtepSlot));
	h.trunk_map = section(4096, sizeof(uint32_t));
	h.names = section(layout.names, 1);
	h.vrfs = section(layout.tenants, sizeof(abi::VrfEntry));
	h.route4_map = section(layout.route4_slots, sizeof(abi::U64Slot));
	h.route6_map = section(layout.route6_slots, sizeof(abi::Route6Slot));
	h.label_map = section(layout.label_slots, sizeof(abi::U64Slot));
	h.vlan_vrf_map = section(layout.subif_slots, sizeof(abi::U64Slot));
	h.flood = abi::Section{0, layout.total / 4};
	h.nexthops = abi::Section{0, layout.total / 16};
	heap_ = Heap(top, layout.total);

	h.node.mac_aging_s = cfg.node.mac_aging_s;
	const auto rmac = router_mac(cfg);
	std::memcpy(h.node.router_mac, rmac.bytes.data(), 6);
	h.node.name = add_name(cfg.node.name);
	unnamed_ = add_name("");
	if (const IpAddr* a = family_addr(cfg.node.vteps, false)) {
		h.node.has_vtep4 = 1;
		std::memcpy(&h.node.vtep4, a->bytes.data(), 4);
	}
	if (const IpAddr* a = family_addr(cfg.node.vteps, true)) {
		h.node.has_vtep6 = 1;
		std::memcpy(h.node.vtep6, a->bytes.data(), 16);
	}
	auto* ports = at<abi::PortEntry>(h.ports.offset);
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		const auto& p = cfg.ports[i];
		abi::PortEntry e{};
		const auto mac = config::port_mac(cfg, i);
		std::memcpy(e.mac, mac.bytes.data(), 6);
		e.role = role_of(p.role);
		e.mtu = p.mtu;
		e.trunk_ordinal = abi::kNoPort;
		for (const auto& pre : p.addresses) {
			if (pre.addr.v6) {
				e.has_ip6 = 1;
				std::memcpy(e.ip6, pre.addr.bytes.data(), 16);
			} else {
				e.has_ip4 = 1;
				std::memcpy(&e.ip4, pre.addr.bytes.data(), 4);
			}
		}
		if (p.role == config::PortRole::trunk) {
			e.trunk_ordinal = uint16_t(trunks_.size());
			trunks_.push_back(uint16_t(i));
		}
		e.name = add_name(p.name);
		port_index_[p.name] = uint16_t(i);
		ports[i] = e;
	}
	// Holes keep the indexes of removed tenants and members from meaning anything else.
	for (uint32_t i = 0; i < layout.tenants; ++i) {
		tenant_entry(i) = abi::TenantEntry{0, 0, 0, 0, 0, unnamed_};
	}
	for (uint32_t i = 0; i < layout.members; ++i) {
		member_entry(i) =
		    abi::MemberEntry{abi::MemberKind::unused, 0, 0, 0, 0, kNone, kNone};
	}
	std::fill_n(trunk_map(), 4096, kNone);
	auto fresh = [&]<class Slot>(SlotEditor<Slot>& editor, const abi::Section& sec) {
		SlotEditor<Slot>::clear(at<Slot>(sec.offset), sec.count);
		editor = SlotEditor<Slot>(at<Slot>(sec.offset), sec.count);
	};
	fresh(access_, h.access_map);
	fresh(vni_, h.vni_map);
	fresh(remote_, h.vtep_map);
	fresh(route4_, h.route4_map);
	fresh(route6_, h.route6_map);
	fresh(labels_, h.label_map);
	fresh(subifs_, h.vlan_vrf_map);
	track(top);

	sources_ = VrfSources(cfg_);
	next_tenant_ = ids.tenant_slots();
	next_member_ = ids.member_slots();
	for (const auto& t : cfg.tenants) {
		install(plan(t), 0, &ids);
	}
	cfg_.tenants.clear();  // tenants_ holds them
}

uint32_t TableWriter::add_name(const std::string& s)
{
	const auto off = uint32_t(names_top_);
	char* names = at<char>(header_.names.offset);
	std::memcpy(names + off, s.c_str(), s.size() + 1);
	names_top_ += s.size() + 1;
	track(s.size() + 1);
	return off;
}

TableWriter::Plan TableWriter::plan(const config::Tenant& t) const
{
	// A new tenant's index is known only when it is installed, which lays its VRF out
	// again; this one serves for the counts.
	const auto known = tenants_.find(t.name);
	const uint32_t index = known != tenants_.end() ? known->second.index : abi::kNone;
	Plan p{&t,   {}, {}, {}, {}, plan_vrf(cfg_, sources_, t, index, port_index_, learned_),
	       index};
	for (uint16_t port : trunks_) {
		p.members.push_back({IdPlan::trunk_id(t.name, cfg_.ports[port].name, t.hybrid_vlan),
		                     abi::MemberEntry{abi::MemberKind::trunk, 0, port,
		                                      t.hybrid_vlan, 0, kNone, kNone},
		                     {}});
	}
	for (const auto& a : t.attachments) {
		const uint16_t port = port_index_.at(a.port);
		const bool qinq = a.inner_vlan != 0;
		p.access.emplace_back(abi::access_key(port, qinq, a.vlan, a.inner_vlan),
		                      p.members.size());
		p.members.push_back({IdPlan::attachment_id(t.name, a.port, a.vlan, a.inner_vlan),
		                     abi::MemberEntry{abi::MemberKind::attachment, uint8_t(qinq),
		                                      port, a.vlan, a.inner_vlan, kNone, kNone},
		                     {}});
	}
	for (const auto& addr : t.vteps) {
		p.remotes.emplace_back(vtep_key(t.vni, addr), p.members.size());
		p.members.push_back(
		    {IdPlan::vtep_id(t.name, addr),
		     abi::MemberEntry{abi::MemberKind::vtep, 0, 0, 0, 0, kNone, kNone}, addr});
	}
	for (const auto& s : t.static_macs) {
		std::string identity;
		if (s.vtep) {
			identity = IdPlan::vtep_id(t.name, *s.vtep);
		} else if (auto it = port_index_.find(s.port); it != port_index_.end()) {
			identity =
			    cfg_.ports[it->second].role == config::PortRole::trunk
			        ? IdPlan::trunk_id(t.name, s.port, t.hybrid_vlan)
			        : IdPlan::attachment_id(t.name, s.port, s.vlan, s.inner_vlan);
		}
		for (size_t i = 0; i < p.members.size(); ++i) {
			if (p.members[i].identity == identity) {
				p.statics.emplace_back(s.mac, i);
				break;
			}
		}
	}
	return p;
}

bool TableWriter::fits(const std::vector<const Plan*>& plans, size_t vtep_changes) const
{
	uint32_t tenants = 0, members = 0;
	uint64_t names = 0, access = 0, vnis = 0, remotes = 0;
	uint64_t routes4 = 0, routes6 = 0, labels = 0, subifs = 0;
	std::set<IpAddr, bool (*)(const IpAddr&, const IpAddr&)> new_vteps(addr_less);
	std::vector<uint64_t> blocks;
	for (const Plan* p : plans) {
		auto st = tenants_.find(p->cfg->name);
		const uint32_t tid = st != tenants_.end() ? st->second.index : kNone;
		if (tid == kNone) {
			++tenants;
			names += p->cfg->name.size() + 1;
		}
		for (const Member& m : p->members) {
			if (!member_ids_.contains(m.identity)) {
				++members;
				if (m.entry.kind == abi::MemberKind::vtep &&
				    !vteps_.contains(m.vtep_address)) {
					new_vteps.insert(m.vtep_address);
				}
			}
		}
		// A key counts as an insert unless this tenant holds it already: a key another
		// tenant gives up lands in a fresh slot, its old one being a tombstone for now.
		auto insert = [&](uint64_t ref) {
			return abi::ref_value(ref) == kNone || abi::ref_aux(ref) != tid;
		};
		for (const auto& [key, pos] : p->access) {
			access += insert(access_.get(key));
		}
		for (const auto& [key, pos] : p->remotes) {
			remotes += insert(remote_.get(key));
		}
		vnis += tid == kNone || abi::ref_value(vni_.get(p->cfg->vni)) != tid;
		blocks.push_back(4 * p->members.size());
		for (const auto& r : p->vrf.routes) {
			++(r.prefix.addr.v6 ? routes6 : routes4);
		}
		labels += p->vrf.live;
		subifs += p->vrf.subinterfaces.size();
		if (!p->vrf.nexthops.empty()) {
			blocks.push_back(sizeof(abi::NexthopEntry) * p->vrf.nexthops.size());
		}
	}
	uint64_t statics = statics_total_;
	for (const Plan* p : plans) {
		statics += p->statics.size();
	}
	blocks.push_back(sizeof(abi::StaticMacEntry) * statics);
	blocks.push_back(sizeof(abi::Header));
	return next_tenant_ + uint64_t(tenants) <= layout_.tenants &&
	       next_member_ + uint64_t(members) <= layout_.members &&
	       next_vtep_ + uint64_t(new_vteps.size() + vtep_changes) <= layout_.vteps &&
	       names_top_ + names <= layout_.names && access_.room(access) && vni_.room(vnis) &&
	       remote_.room(remotes) && route4_.room(routes4) && route6_.room(routes6) &&
	       labels_.room(labels) && subifs_.room(subifs) && heap_.fits(blocks);
}

bool TableWriter::apply(const config::Config& next, const std::vector<config::Neighbor>& learned,
                        uint64_t generation)
{
	if (!same_node_and_ports(cfg_, next)) {
		return false;
	}
	std::vector<std::string> removed;
	std::unordered_set<std::string_view> wanted;
	for (const auto& t : next.tenants) {
		wanted.insert(t.name);
	}
	for (const auto& [name, st] : tenants_) {
		if (!wanted.contains(name)) {
			removed.push_back(name);
		}
	}
	// VTEP next hops depend on the neighbours, static and learned, and VRFs on the
	// neighbours and peers: plan against the new surroundings, then check the room it all
	// takes before touching anything.
	config::Config before = std::move(cfg_);
	cfg_ = config::Config{next.file, next.node, next.ports, next.neighbors, {}, next.peers};
	VrfSources before_sources = std::move(sources_);
	sources_ = VrfSources(cfg_);
	// Option-A next hops also depend on the neighbours the kernel found on sub-interfaces.
	auto on_subifs = [](const std::vector<config::Neighbor>& list) {
		std::vector<std::tuple<std::string, uint16_t, bool, std::array<uint8_t, 16>,
		                       std::array<uint8_t, 6>>>
		    out;
		for (const auto& n : list) {
			if (n.vlan != 0) {
				out.emplace_back(n.port, n.vlan, n.address.v6, n.address.bytes,
				                 n.mac.bytes);
			}
		}
		std::sort(out.begin(), out.end());
		return out;
	};
	const bool vrf_context =
	    same_vrf_context(before, cfg_) && on_subifs(learned_) == on_subifs(learned);
	std::vector<config::Neighbor> before_learned = std::move(learned_);
	learned_ = learned;
	std::vector<Plan> plans;
	for (const auto& t : next.tenants) {
		auto it = tenants_.find(t.name);
		if (it == tenants_.end() || !same_tenant(it->second.cfg, t) ||
		    (!vrf_context && (t.vrf || it->second.label != 0))) {
			plans.push_back(plan(t));
		}
	}
	size_t vtep_changes = 0;
	for (const auto& [addr, v] : vteps_) {
		const abi::VtepEntry e = resolve_vtep(cfg_, learned, addr);
		vtep_changes += std::memcmp(&e, &v.entry, sizeof(e)) != 0;
	}
	std::vector<const Plan*> ptrs;
	for (const Plan& p : plans) {
		ptrs.push_back(&p);
	}
	if (!fits(ptrs, vtep_changes)) {
		cfg_ = std::move(before);
		sources_ = std::move(before_sources);
		learned_ = std::move(before_learned);
		return false;
	}
	refresh_vteps();
	for (const auto& name : removed) {
		drop_tenant(name, generation);
	}
	// Every key a changed tenant gives up goes first, so one another tenant takes over in
	// the same change is free by the time that tenant is installed.
	for (const Plan& p : plans) {
		if (auto it = tenants_.find(p.cfg->name); it != tenants_.end()) {
			retract(it->second, p, generation);
		}
	}
	for (const Plan& p : plans) {
		install(p, generation, nullptr);
	}
	return true;
}

bool TableWriter::upsert_tenant(const config::Tenant& t, uint64_t generation)
{
	const Plan p = plan(t);
	auto it = tenants_.find(t.name);
	if (it != tenants_.end() && same_tenant(it->second.cfg, t)) {
		return true;
	}
	if (!fits({&p}, 0)) {
		return false;
	}
	if (it != tenants_.end()) {
		retract(it->second, p, generation);
	}
	install(p, generation, nullptr);
	return true;
}

bool TableWriter::remove_tenant(const std::string& name, uint64_t generation)
{
	if (!tenants_.contains(name) || !fits({}, 0)) {
		return false;
	}
	drop_tenant(name, generation);
	return true;
}

void TableWriter::drop_member(const Member& m, uint32_t index)
{
	abi::store_release(member_entry(index).tenant, kNone);
	if (m.entry.kind == abi::MemberKind::vtep) {
		std::erase(vteps_.at(m.vtep_address).members, index);
	}
	member_ids_.erase(m.identity);
}

void TableWriter::drop_tenant(const std::string& name, uint64_t generation)
{
	TenantState& st = tenants_.at(name);
	const uint32_t tid = st.index;
	for (const auto& [key, member] : st.access) {
		access_.erase(key, generation);
	}
	for (const auto& [key, member] : st.remotes) {
		remote_.erase(key, generation);
	}
	if (abi::ref_value(vni_.get(st.cfg.vni)) == tid) {
		vni_.erase(st.cfg.vni, generation);
	}
	if (trunk_map()[st.cfg.hybrid_vlan] == tid) {
		abi::store_release(trunk_map()[st.cfg.hybrid_vlan], kNone);
	}
	abi::TenantEntry& te = tenant_entry(tid);
	abi::store_release(te.flood, abi::flood_word(0, 0));
	if (st.flood_block != 0) {
		heap_.retire(st.flood_block, 4 * st.members.size(), generation);
	}
	for (size_t i = 0; i < st.members.size(); ++i) {
		drop_member(st.member_info[i], st.members[i]);
	}
	forget_learned(st, generation);
	retract_vrf(st, nullptr, generation);
	install_vrf(st, VrfPlan{}, generation);
	abi::store_release(te.live, uint16_t{0});
	statics_dirty_ |= !st.statics.empty();
	statics_total_ -= st.statics.size();
	track(64 + 4 * st.members.size());
	tenants_.erase(name);
}

void TableWriter::retract(TenantState& st, const Plan& p, uint64_t generation)
{
	auto wanted_access = [&](uint64_t key) {
		return std::any_of(p.access.begin(), p.access.end(),
		                   [&](const auto& kv) { return kv.first == key; });
	};
	auto wanted_remote = [&](const abi::VtepKey& key) {
		return std::any_of(p.remotes.begin(), p.remotes.end(),
		                   [&](const auto& kv) { return kv.first == key; });
	};
	std::erase_if(st.access, [&](const auto& kv) {
		return !wanted_access(kv.first) && access_.erase(kv.first, generation);
	});
	std::erase_if(st.remotes, [&](const auto& kv) {
		return !wanted_remote(kv.first) && remote_.erase(kv.first, generation);
	});
	if (st.cfg.vni != p.cfg->vni && abi::ref_value(vni_.get(st.cfg.vni)) == st.index) {
		vni_.erase(st.cfg.vni, generation);
	}
	retract_vrf(st, &p.vrf, generation);
	if (st.cfg.hybrid_vlan != p.cfg->hybrid_vlan &&
	    trunk_map()[st.cfg.hybrid_vlan] == st.index) {
		abi::store_release(trunk_map()[st.cfg.hybrid_vlan], kNone);
	}
}

uint32_t TableWriter::vtep_index(const IpAddr& addr)
{
	auto [it, fresh] = vteps_.try_emplace(addr);
	if (fresh) {
		it->second.entry = resolve_vtep(cfg_, learned_, addr);
		it->second.index = next_vtep_++;
		at<abi::VtepEntry>(header_.vteps.offset)[it->second.index] = it->second.entry;
		track(sizeof(abi::VtepEntry));
	}
	return it->second.index;
}

void TableWriter::refresh_vteps()
{
	for (auto& [addr, v] : vteps_) {
		const abi::VtepEntry e = resolve_vtep(cfg_, learned_, addr);
		if (std::memcmp(&e, &v.entry, sizeof(e)) == 0) {
			continue;
		}
		// A fresh index, then the members moved to it one word each: a worker reads
		// either the old entry or the new, never half of each.
		v.entry = e;
		v.index = next_vtep_++;
		at<abi::VtepEntry>(header_.vteps.offset)[v.index] = e;
		for (uint32_t m : v.members) {
			abi::store_release(member_entry(m).vtep, v.index);
		}
		track(sizeof(e) + 4 * v.members.size());
	}
}

void TableWriter::install(const Plan& p, uint64_t generation, const IdPlan* ids)
{
	const config::Tenant& t = *p.cfg;
	auto [it, fresh] = tenants_.try_emplace(t.name);
	TenantState& st = it->second;
	if (fresh) {
		st.index = ids != nullptr ? ids->tenant(t.name) : next_tenant_++;
		tenant_entry(st.index) =
		    abi::TenantEntry{t.vni, t.hybrid_vlan, 0, 0, t.mac_limit, add_name(t.name)};
		track(sizeof(abi::TenantEntry));
	}
	const uint32_t tid = st.index;

	std::vector<uint32_t> list;
	list.reserve(p.members.size());
	for (const Member& m : p.members) {
		auto [mid, created] = member_ids_.try_emplace(m.identity, 0);
		if (created) {
			mid->second = ids != nullptr ? ids->member(m.identity) : next_member_++;
			abi::MemberEntry e = m.entry;
			e.tenant = tid;
			if (e.kind == abi::MemberKind::vtep) {
				e.vtep = vtep_index(m.vtep_address);
				e.port = vteps_.at(m.vtep_address).entry.out_port;
				vteps_.at(m.vtep_address).members.push_back(mid->second);
			}
			member_entry(mid->second) = e;
			track(sizeof(e));
		}
		list.push_back(mid->second);
	}

	if (list != st.members) {
		// The new list goes to a fresh block and replaces the old one in one store.
		uint64_t block = 0;
		if (!list.empty()) {
			block = heap_.alloc(4 * list.size());
			std::memcpy(base_ + block, list.data(), 4 * list.size());
			track(4 * list.size());
		}
		abi::store_release(tenant_entry(tid).flood,
		                   abi::flood_word(uint32_t(block / 4), uint32_t(list.size())));
		if (st.flood_block != 0) {
			heap_.retire(st.flood_block, 4 * st.members.size(), generation);
		}
		st.flood_block = block;
	}
	abi::TenantEntry& te = tenant_entry(tid);
	if (!fresh) {
		abi::store_release(te.vni, t.vni);
		abi::store_release(te.hybrid_vlan, t.hybrid_vlan);
		abi::store_release(te.mac_limit, t.mac_limit);
	}

	std::vector<std::pair<uint64_t, uint32_t>> access;
	for (const auto& [key, pos] : p.access) {
		access_.put(key, abi::make_ref(list[pos], tid));
		access.emplace_back(key, list[pos]);
	}
	std::vector<std::pair<abi::VtepKey, uint32_t>> remotes;
	for (const auto& [key, pos] : p.remotes) {
		remote_.put(key, abi::make_ref(list[pos], tid));
		remotes.emplace_back(key, list[pos]);
	}
	vni_.put(t.vni, abi::make_ref(tid, 0));
	abi::store_release(trunk_map()[t.hybrid_vlan], tid);
	track(16 * (access.size() + 1) + 32 * remotes.size());

	// Members the tenant no longer has: out of its flood list above, now out of reach of
	// learned MACs too.
	for (size_t i = 0; i < st.members.size(); ++i) {
		if (std::find(list.begin(), list.end(), st.members[i]) == list.end()) {
			drop_member(st.member_info[i], st.members[i]);
		}
	}

	install_vrf(
	    st,
	    p.vrf_index == tid ? p.vrf : plan_vrf(cfg_, sources_, t, tid, port_index_, learned_),
	    generation);

	std::vector<abi::StaticMacEntry> statics;
	for (const auto& [mac, pos] : p.statics) {
		abi::StaticMacEntry e{};
		std::memcpy(e.mac, mac.bytes.data(), 6);
		e.member = list[pos];
		e.tenant = tid;
		statics.push_back(e);
	}
	auto same = [](const abi::StaticMacEntry& a, const abi::StaticMacEntry& b) {
		return std::memcmp(&a, &b, sizeof(a)) == 0;
	};
	if (!std::equal(statics.begin(), statics.end(), st.statics.begin(), st.statics.end(),
	                same)) {
		statics_dirty_ = true;
	}
	if (fresh) {
		abi::store_release(te.live, uint16_t{1});
	}
	statics_total_ += statics.size() - st.statics.size();
	st.cfg = t;
	st.members = std::move(list);
	st.member_info = p.members;
	st.access = std::move(access);
	st.remotes = std::move(remotes);
	st.statics = std::move(statics);
}

abi::Route6Key TableWriter::route6_key(uint32_t tenant, const PrefixKey& k)
{
	abi::Route6Key key{};
	std::memcpy(key.addr, std::get<1>(k).data(), 16);
	key.tenant = tenant;
	key.len = std::get<2>(k);
	return key;
}

void TableWriter::put_route(uint32_t tenant, const PrefixKey& k, uint64_t ref)
{
	const auto& [v6, bytes, len] = k;
	if (v6) {
		route6_.put(route6_key(tenant, k), ref);
	} else {
		route4_.put(abi::route4_key(tenant, len, host_order(IpAddr{false, bytes})), ref);
	}
}

void TableWriter::erase_route(uint32_t tenant, const PrefixKey& k, uint64_t generation)
{
	const auto& [v6, bytes, len] = k;
	if (v6) {
		route6_.erase(route6_key(tenant, k), generation);
	} else {
		route4_.erase(abi::route4_key(tenant, len, host_order(IpAddr{false, bytes})),
		              generation);
	}
}

// The lengths lookups probe: every configured and learned route's. A length is added only
// after its routes are in the maps, and may stay a little after they are gone.
void TableWriter::store_lengths(TenantState& st)
{
	Lengths l = st.configured_lengths;
	for (unsigned len = 0; len <= 32; ++len) {
		l.v4 |= uint64_t{st.learned_per_length4[len] != 0} << len;
	}
	for (unsigned len = 0; len <= 128; ++len) {
		l.v6[len / 64] |= uint64_t{st.learned_per_length6[len] != 0} << (len % 64);
	}
	abi::VrfEntry& ve = vrf_entry(st.index);
	abi::store_release(ve.len4, l.v4);
	for (int i = 0; i < 3; ++i) {
		abi::store_release(ve.len6[i], l.v6[i]);
	}
}

void TableWriter::retire(const Learned& l, uint64_t generation)
{
	if (l.label == 0) {
		heap_.retire(l.block, sizeof(abi::NexthopEntry) * l.count, generation);
	}
}

void TableWriter::forget_learned(TenantState& st, uint64_t generation)
{
	for (const auto& [k, l] : st.learned) {
		if (!st.configured.contains(k)) {
			erase_route(st.index, k, generation);
		}
		retire(l, generation);
	}
	st.learned.clear();
	st.learned_per_length4.fill(0);
	st.learned_per_length6.fill(0);
}

bool TableWriter::set_route(const std::string& tenant, const config::IpPrefix& prefix,
                            const std::vector<abi::NexthopEntry>& all_hops, uint64_t generation)
{
	auto it = tenants_.find(tenant);
	if (it == tenants_.end() || it->second.label == 0 || all_hops.empty()) {
		return false;
	}
	TenantState& st = it->second;
	const auto hops = std::span(all_hops).first(std::min(all_hops.size(), kMaxEcmp));
	Learned l{0, uint32_t(hops.size()), 0};
	size_t bytes = sizeof(abi::NexthopEntry) * hops.size();
	SharedKey shared_key{};
	if (const auto label = shared_form(hops)) {
		const abi::NexthopEntry hop = without_labels(hops[0]);
		std::memcpy(shared_key.data(), &hop, sizeof(hop));
		l.label = *label + 1;
		if (const auto si = shared_hops_.find(shared_key); si != shared_hops_.end()) {
			l.block = si->second;
			bytes = 0;
		}
	}
	if (!heap_.fits({bytes, sizeof(abi::Header)}) ||
	    !(prefix.addr.v6 ? route6_.room(1) : route4_.room(1))) {
		return false;
	}
	if (bytes != 0) {
		l.block = heap_.alloc(bytes);
		if (l.label != 0) {
			const abi::NexthopEntry hop = without_labels(hops[0]);
			std::memcpy(base_ + l.block, &hop, bytes);
			shared_hops_.emplace(shared_key, l.block);
		} else {
			std::memcpy(base_ + l.block, hops.data(), bytes);
		}
	}
	const PrefixKey k{prefix.addr.v6, masked(prefix).addr.bytes, prefix.length};
	auto [li, fresh] = st.learned.try_emplace(k, l);
	if (!fresh) {
		retire(li->second, generation);
		li->second = l;
	} else {
		++(prefix.addr.v6 ? st.learned_per_length6 : st.learned_per_length4)[prefix.length];
	}
	if (!st.configured.contains(k)) {
		put_route(st.index, k, l.ref());
	}
	if (fresh) {
		store_lengths(st);
	}
	track(bytes + 32);
	return true;
}

bool TableWriter::remove_route(const std::string& tenant, const config::IpPrefix& prefix,
                               uint64_t generation)
{
	auto it = tenants_.find(tenant);
	if (it == tenants_.end()) {
		return false;
	}
	TenantState& st = it->second;
	const PrefixKey k{prefix.addr.v6, masked(prefix).addr.bytes, prefix.length};
	auto li = st.learned.find(k);
	if (li == st.learned.end()) {
		return false;
	}
	if (!st.configured.contains(k)) {
		erase_route(st.index, k, generation);
	}
	retire(li->second, generation);
	st.learned.erase(li);
	if (--(prefix.addr.v6 ? st.learned_per_length6 : st.learned_per_length4)[prefix.length] ==
	    0) {
		store_lengths(st);
	}
	track(32);
	return true;
}

void TableWriter::retract_vrf(TenantState& st, const VrfPlan* keep, uint64_t generation)
{
	std::set<PrefixKey> wanted;
	if (keep != nullptr && keep->live) {
		for (const auto& r : keep->routes) {
			wanted.emplace(r.prefix.addr.v6, r.prefix.addr.bytes, r.prefix.length);
		}
	}
	for (const PrefixKey& k : st.configured) {
		if (wanted.contains(k)) {
			continue;
		}
		// A learned route of the prefix takes over; install_vrf puts it back.
		if (auto li = st.learned.find(k); li != st.learned.end()) {
			put_route(st.index, k, li->second.ref());
		} else {
			erase_route(st.index, k, generation);
		}
	}
	const bool same_label = keep != nullptr && keep->live && keep->label == st.label;
	if (st.label != 0 && !same_label && abi::ref_value(labels_.get(st.label)) == st.index) {
		labels_.erase(st.label, generation);
	}
	for (const uint64_t k : st.subinterfaces) {
		if (keep == nullptr || !keep->live ||
		    !std::count(keep->subinterfaces.begin(), keep->subinterfaces.end(), k)) {
			subifs_.erase(k, generation);
		}
	}
}

void TableWriter::install_vrf(TenantState& st, const VrfPlan& vp, uint64_t generation)
{
	const uint32_t tid = st.index;
	abi::VrfEntry& ve = vrf_entry(tid);
	if (!vp.live && st.label == 0 && st.vrf_block == 0) {
		return;
	}
	if (!vp.live) {
		forget_learned(st, generation);  // no VRF, nothing to learn into
	}
	// Next hops first, then the routes that point at them, then the lengths that make
	// lookups probe them.
	const size_t bytes = sizeof(abi::NexthopEntry) * vp.nexthops.size();
	uint64_t block = 0;
	if (bytes != 0) {
		block = heap_.alloc(bytes);
		std::memcpy(base_ + block, vp.nexthops.data(), bytes);
		track(bytes);
	}
	const auto word = uint32_t(block / 16);
	std::set<PrefixKey> configured;
	Lengths lengths;
	uint32_t locals[4] = {};
	size_t n_locals = 0;
	for (const auto& r : vp.routes) {
		const PrefixKey k{r.prefix.addr.v6, r.prefix.addr.bytes, r.prefix.length};
		put_route(tid, k,
		          abi::make_ref(word + r.first * abi::kNexthopWords,
		                        abi::route_aux(r.count, r.label)));
		configured.insert(k);
		if (r.prefix.addr.v6) {
			lengths.v6[r.prefix.length / 64] |= uint64_t{1} << (r.prefix.length % 64);
			continue;
		}
		const auto kind = vp.nexthops[r.first].kind;
		const bool own =
		    r.prefix.length == 32 && r.count == 1 &&
		    (kind == abi::NexthopKind::local || kind == abi::NexthopKind::subif);
		if (own && n_locals < 4) {
			const auto& b = r.prefix.addr.bytes;
			locals[n_locals++] = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 |
			                     uint32_t(b[2]) << 8 | b[3];
		} else {
			lengths.v4 |= uint64_t{1} << r.prefix.length;
		}
	}
	track(32 * vp.routes.size() + sizeof(abi::VrfEntry));
	st.configured = std::move(configured);
	st.configured_lengths = lengths;
	// The routes are in place: the addresses may point lookups at them.
	for (size_t i = 0; i < 4; ++i) {
		abi::store_release(ve.local4[i], locals[i]);
	}
	store_lengths(st);
	abi::store_release(ve.label, vp.label);
	abi::store_release(ve.live, uint32_t{vp.live});
	if (vp.live) {
		labels_.put(vp.label, abi::make_ref(tid, 0));
	}
	for (const uint64_t k : vp.subinterfaces) {
		subifs_.put(k, abi::make_ref(tid, 0));
	}
	if (st.vrf_block != 0) {
		heap_.retire(st.vrf_block, sizeof(abi::NexthopEntry) * st.vrf_nexthops, generation);
	}
	st.vrf_block = block;
	st.vrf_nexthops = vp.nexthops.size();
	st.label = vp.live ? vp.label : 0;
	st.subinterfaces = vp.live ? vp.subinterfaces : std::vector<uint64_t>{};
}

std::optional<uint64_t> TableWriter::commit(uint64_t generation)
{
	if (statics_dirty_) {
		std::vector<abi::StaticMacEntry> all;
		for (const auto& [name, st] : tenants_) {
			all.insert(all.end(), st.statics.begin(), st.statics.end());
		}
		uint64_t block = 0;
		if (!all.empty()) {
			block = heap_.alloc(sizeof(abi::StaticMacEntry) * all.size());
			if (block == 0) {
				return std::nullopt;
			}
			std::memcpy(base_ + block, all.data(),
			            sizeof(abi::StaticMacEntry) * all.size());
			track(sizeof(abi::StaticMacEntry) * all.size());
		}
		if (statics_block_ != 0) {
			heap_.retire(statics_block_,
			             sizeof(abi::StaticMacEntry) * header_.static_macs.count,
			             generation);
		}
		statics_block_ = block;
		header_.static_macs = abi::Section{block, all.size()};
		statics_dirty_ = false;
	}
	header_.generation = generation;
	uint64_t at_offset = 0;
	if (committed_) {
		at_offset = heap_.alloc(sizeof(abi::Header));
		if (at_offset == 0) {
			return std::nullopt;
		}
		if (header_block_ != 0) {
			heap_.retire(header_block_, sizeof(abi::Header), generation);
		}
		header_block_ = at_offset;
	}
	std::memcpy(base_ + at_offset, &header_, sizeof(header_));
	track(sizeof(header_));
	committed_ = true;
	return at_offset;
}

void TableWriter::reclaim(uint64_t in_use)
{
	heap_.reclaim(in_use);
	route4_.reclaim(in_use);
	route6_.reclaim(in_use);
	labels_.reclaim(in_use);
	subifs_.reclaim(in_use);
	access_.reclaim(in_use);
	vni_.reclaim(in_use);
	remote_.reclaim(in_use);
}

}  // namespace tsunagi::compile
