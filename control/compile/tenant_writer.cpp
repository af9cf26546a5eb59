// A tenant's L2 entries: its members, flood list, maps and VTEPs, written and retracted.
#include "control/compile/writer_parts.hpp"

#include "common/abi/atomic.hpp"
#include "control/compile/next_hop.hpp"

namespace tsunagi::compile {

using abi::kNone;
using config::IpAddr;

namespace {

abi::VtepKey vtep_key(uint32_t vni, const IpAddr& a)
{
	abi::VtepKey k{};
	std::memcpy(k.ip, a.bytes.data(), a.v6 ? 16 : 4);
	k.vni = vni;
	k.v6 = a.v6;
	return k;
}

}  // namespace

TableWriter::Plan TableWriter::plan(const config::Tenant& t) const
{
	// A new tenant's index is known only when it is installed, which lays its VRF out
	// again; this one serves for the counts.
	const auto known = tenants_.find(t.name);
	const uint32_t index = known != tenants_.end() ? known->second.index : abi::kNone;
	Plan p{&t,   {}, {}, {}, {}, {}, plan_vrf(cfg_, sources_, t, index, port_index_, learned_),
	       index};
	for (uint16_t port : trunks_) {
		p.vlans.emplace_back(port * abi::kVlanSlots + t.hybrid_vlan, p.members.size());
		p.members.push_back({IdPlan::trunk_id(t.name, cfg_.ports[port].name, t.hybrid_vlan),
		                     abi::MemberEntry{abi::MemberKind::trunk, 0, port,
		                                      t.hybrid_vlan, 0, kNone, kNone},
		                     {}});
	}
	for (const auto& a : t.attachments) {
		const uint16_t port = port_index_.at(a.port);
		const bool qinq = a.inner_vlan != 0;
		if (qinq) {
			p.access.emplace_back(abi::access_key(port, qinq, a.vlan, a.inner_vlan),
			                      p.members.size());
		} else {
			p.vlans.emplace_back(port * abi::kVlanSlots + a.vlan, p.members.size());
		}
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
				p.statics.emplace_back(s.mac, i,
				                       s.movable ? abi::kMovableStatic : 0);
				break;
			}
		}
	}
	return p;
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
	for (const auto& [slot, member] : st.vlans) {
		release_vlan(slot, tid);
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
	for (const auto& [key, member] : st.statics) {
		statics_.erase(key, generation);
	}
	track(32 * st.statics.size());
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
	for (const auto& kept : st.vlans) {
		// Not a structured binding: clang before 16 cannot capture one (the fuzz build).
		const uint32_t slot = kept.first;
		if (std::none_of(p.vlans.begin(), p.vlans.end(),
		                 [&](const auto& sp) { return sp.first == slot; })) {
			release_vlan(slot, st.index);
		}
	}
}

void TableWriter::release_vlan(uint32_t slot, uint32_t tenant)
{
	const uint64_t ref = vlan_map()[slot];
	if (abi::ref_value(ref) != kNone && abi::ref_aux(ref) == tenant) {
		abi::store_release(vlan_map()[slot], abi::kEmptyRef);
		track(sizeof(uint64_t));
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
	std::vector<std::pair<uint32_t, uint32_t>> vlans;
	for (const auto& [slot, pos] : p.vlans) {
		abi::store_release(vlan_map()[slot], abi::make_ref(list[pos], tid));
		vlans.emplace_back(slot, list[pos]);
	}
	vni_.put(t.vni, abi::make_ref(tid, 0));
	track(16 * (access.size() + 1) + 32 * remotes.size() + 8 * vlans.size());

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

	install_statics(st, p, list, generation);
	if (fresh) {
		abi::store_release(te.live, uint16_t{1});
	}
	st.cfg = t;
	st.members = std::move(list);
	st.member_info = p.members;
	st.access = std::move(access);
	st.vlans = std::move(vlans);
	st.remotes = std::move(remotes);
}

uint64_t TableWriter::static_inserts(const Plan& p, uint32_t tenant) const
{
	if (tenant == kNone) {
		return p.statics.size();
	}
	uint64_t n = 0;
	for (const auto& [mac, pos, flag] : p.statics) {
		n += !statics_.has(abi::static_mac_key(tenant, mac.bytes.data()));
	}
	return n;
}

// Only the MACs that differ are written: a tenant's other statics, and every other
// tenant's, cost nothing.
void TableWriter::install_statics(TenantState& st, const Plan& p, const std::vector<uint32_t>& list,
                                  uint64_t generation)
{
	std::vector<std::pair<uint64_t, uint32_t>> next;
	next.reserve(p.statics.size());
	for (const auto& [mac, pos, flag] : p.statics) {
		next.emplace_back(abi::static_mac_key(st.index, mac.bytes.data()),
		                  list[pos] | flag);
	}
	std::sort(next.begin(), next.end());
	size_t changes = 0;
	auto old = st.statics.begin();
	for (const auto& [key, member] : next) {
		for (; old != st.statics.end() && old->first < key; ++old, ++changes) {
			statics_.erase(old->first, generation);
		}
		const bool same =
		    old != st.statics.end() && old->first == key && old->second == member;
		if (!same) {
			statics_.put(key, member, st.index);
			++changes;
		}
		if (old != st.statics.end() && old->first == key) {
			++old;
		}
	}
	for (; old != st.statics.end(); ++old, ++changes) {
		statics_.erase(old->first, generation);
	}
	track(32 * changes);
	st.statics = std::move(next);
}

}  // namespace tsunagi::compile
