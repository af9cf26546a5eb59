// The image writer: its header, its edits as a whole (apply), commit and reclaim.
#include "control/compile/writer_parts.hpp"

#include <chrono>

#include "common/abi/atomic.hpp"
#include "common/config/port_mac.hpp"
#include "control/compile/next_hop.hpp"

namespace tsunagi::compile {

using abi::kNone;
using config::IpAddr;

namespace {

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

}  // namespace

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
	// Unlike generations (a new control object may number from 1 again), monotonic time
	// never repeats, so a reader can tell this image's ring from any it read before.
	h.static_origin = uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
	h.ports = section(cfg.ports.size(), sizeof(abi::PortEntry));
	h.tenants = section(layout.tenants, sizeof(abi::TenantEntry));
	h.members = section(layout.members, sizeof(abi::MemberEntry));
	h.vteps = section(layout.vteps, sizeof(abi::VtepEntry));
	h.access_map = section(layout.access_slots, sizeof(abi::U64Slot));
	h.vni_map = section(layout.vni_slots, sizeof(abi::U64Slot));
	h.vtep_map = section(layout.vtep_slots, sizeof(abi::VtepSlot));
	h.vlan_map = section(cfg.ports.size() * abi::kVlanSlots, sizeof(uint64_t));
	h.names = section(layout.names, 1);
	h.vrfs = section(layout.tenants, sizeof(abi::VrfEntry));
	h.route4_map = section(layout.route4_slots, sizeof(abi::U64Slot));
	h.route6_map = section(layout.route6_slots, sizeof(abi::Route6Slot));
	h.label_map = section(layout.label_slots, sizeof(abi::U64Slot));
	h.vlan_vrf_map = section(layout.subif_slots, sizeof(abi::U64Slot));
	h.static_map = section(layout.static_slots, sizeof(abi::U64Slot));
	h.static_log = section(layout.static_log, sizeof(abi::StaticMacChange));
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
	std::fill_n(vlan_map(), header_.vlan_map.count, abi::kEmptyRef);
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
	SlotEditor<abi::U64Slot>::clear(at<abi::U64Slot>(h.static_map.offset), h.static_map.count);
	std::memset(at<abi::StaticMacChange>(h.static_log.offset), 0,
	            sizeof(abi::StaticMacChange) * h.static_log.count);
	statics_ =
	    StaticMacWriter(at<abi::U64Slot>(h.static_map.offset), h.static_map.count,
	                    at<abi::StaticMacChange>(h.static_log.offset), h.static_log.count);
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

bool TableWriter::fits(const std::vector<const Plan*>& plans, size_t vtep_changes) const
{
	uint32_t tenants = 0, members = 0;
	uint64_t names = 0, access = 0, vnis = 0, remotes = 0;
	uint64_t routes4 = 0, routes6 = 0, labels = 0, subifs = 0, statics = 0;
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
		statics += static_inserts(*p, tid);
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
	blocks.push_back(sizeof(abi::Header));
	return next_tenant_ + uint64_t(tenants) <= layout_.tenants &&
	       next_member_ + uint64_t(members) <= layout_.members &&
	       next_vtep_ + uint64_t(new_vteps.size() + vtep_changes) <= layout_.vteps &&
	       names_top_ + names <= layout_.names && access_.room(access) && vni_.room(vnis) &&
	       remote_.room(remotes) && route4_.room(routes4) && route6_.room(routes6) &&
	       labels_.room(labels) && subifs_.room(subifs) && statics_.room(statics) &&
	       heap_.fits(blocks);
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

std::optional<uint64_t> TableWriter::commit(uint64_t generation)
{
	header_.static_head = statics_.head();
	header_.static_count = statics_.count();
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
	statics_.reclaim(in_use);
}

}  // namespace tsunagi::compile
