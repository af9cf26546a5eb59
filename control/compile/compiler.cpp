#include "control/compile/compiler.hpp"

#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "control/compile/hash_builder.hpp"
#include "control/compile/id_plan.hpp"
#include "control/config/loader.hpp"
#include "dataplane/pkt/format.hpp"

namespace tsunagi::compile {

using abi::kNone;
using config::Config;
using config::IpAddr;

config::Mac default_port_mac(size_t port_index)
{
	// 02:54:53 = locally administered, "TS".
	return config::Mac{{0x02, 0x54, 0x53, 0x00, uint8_t(port_index >> 8), uint8_t(port_index)}};
}

config::Mac port_mac(const Config& cfg, size_t port_index)
{
	const auto& mac = cfg.ports[port_index].mac;
	return mac ? *mac : default_port_mac(port_index);
}

namespace {

class NamePool {
public:
	uint32_t add(const std::string& s)
	{
		const auto off = static_cast<uint32_t>(chars_.size());
		chars_.insert(chars_.end(), s.begin(), s.end());
		chars_.push_back('\0');
		return off;
	}
	const std::vector<char>& chars() const { return chars_; }

private:
	std::vector<char> chars_;
};

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

const IpAddr* family_addr(const std::vector<IpAddr>& v, bool v6)
{
	for (const auto& a : v) {
		if (a.v6 == v6) {
			return &a;
		}
	}
	return nullptr;
}

// The outer IPv4 header's words that do not change per packet: version/IHL, DF, TTL and
// protocol, addresses (identification and TOS are zero).
uint32_t ip4_fixed_sum(const abi::VtepEntry& v)
{
	auto word = [](const uint8_t* p) { return uint32_t((p[0] << 8) | p[1]); };
	uint32_t sum = 0x4500 + 0x4000 + ((uint32_t{pkt::kTunnelTtl} << 8) | pkt::kIpProtoUdp);
	for (int i = 0; i < 4; i += 2) {
		sum += word(v.src_ip + i) + word(v.dst_ip + i);
	}
	return sum;
}

// The MAC of `address` on port `port`: the YAML's neighbours first (they win), then
// those learned from the kernel.
const config::Mac* neighbor_mac(const Config& cfg, const std::vector<config::Neighbor>& learned,
                                const std::string& port, const IpAddr& address)
{
	for (const auto* list : {&cfg.neighbors, &learned}) {
		for (const auto& n : *list) {
			if (n.port == port && n.vlan == 0 && n.address == address) {
				return &n.mac;
			}
		}
	}
	return nullptr;
}

abi::VtepEntry resolve_vtep(const Config& cfg, const std::vector<config::Neighbor>& learned,
                            const IpAddr& remote)
{
	abi::VtepEntry v{};
	v.v6 = remote.v6;
	std::memcpy(v.dst_ip, remote.bytes.data(), 16);
	const auto hop = vtep_next_hop(cfg, remote);
	const IpAddr* src = family_addr(cfg.node.vteps, remote.v6);
	if (!hop || src == nullptr) {
		return v;
	}
	v.out_port = uint16_t(hop->port);
	std::memcpy(v.src_ip, src->bytes.data(), 16);
	v.ip4_sum = remote.v6 ? 0 : ip4_fixed_sum(v);
	const auto smac = port_mac(cfg, v.out_port);
	std::memcpy(v.src_mac, smac.bytes.data(), 6);
	if (const config::Mac* mac =
	        neighbor_mac(cfg, learned, cfg.ports[hop->port].name, hop->address)) {
		std::memcpy(v.dst_mac, mac->bytes.data(), 6);
		v.resolved = 1;
	}
	return v;
}

abi::VtepKey vtep_key(uint32_t vni, const IpAddr& a)
{
	abi::VtepKey k{};
	std::memcpy(k.ip, a.bytes.data(), a.v6 ? 16 : 4);
	k.vni = vni;
	k.v6 = a.v6;
	return k;
}

template <class T>
abi::Section add(ImageBuilder& b, const std::vector<T>& v)
{
	return b.add(std::span<const T>(v));
}

}  // namespace

std::optional<NextHop> vtep_next_hop(const Config& cfg, const IpAddr& remote)
{
	// A VTEP inside an underlay subnet is its own next hop...
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		const auto& p = cfg.ports[i];
		if (p.role != config::PortRole::underlay) {
			continue;
		}
		for (const auto& pre : p.addresses) {
			if (pre.addr.v6 == remote.v6 && config::prefix_contains(pre, remote)) {
				return NextHop{i, remote};
			}
		}
	}
	// ...any other is reached through the first underlay gateway of its family.
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		const auto& p = cfg.ports[i];
		if (p.role == config::PortRole::underlay) {
			if (const IpAddr* gw = family_addr(p.gateways, remote.v6)) {
				return NextHop{i, *gw};
			}
		}
	}
	return std::nullopt;
}

Image compile(const Config& cfg, uint64_t generation, const std::vector<config::Neighbor>& learned,
              const abi::TableView* previous)
{
	const IdPlan ids(cfg, previous, generation);
	NamePool names;
	abi::Header h{};
	h.magic = abi::kMagic;
	h.abi_version = abi::kAbiVersion;
	h.generation = generation;
	h.id_epoch = ids.epoch();
	h.node.mac_aging_s = cfg.node.mac_aging_s;
	h.node.name = names.add(cfg.node.name);
	if (const IpAddr* a = family_addr(cfg.node.vteps, false)) {
		h.node.has_vtep4 = 1;
		std::memcpy(&h.node.vtep4, a->bytes.data(), 4);
	}
	if (const IpAddr* a = family_addr(cfg.node.vteps, true)) {
		h.node.has_vtep6 = 1;
		std::memcpy(h.node.vtep6, a->bytes.data(), 16);
	}

	std::vector<abi::PortEntry> ports;
	std::map<std::string, uint16_t> port_index;
	std::vector<uint16_t> trunks;
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		const auto& p = cfg.ports[i];
		abi::PortEntry e{};
		const auto mac = port_mac(cfg, i);
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
			e.trunk_ordinal = uint16_t(trunks.size());
			trunks.push_back(uint16_t(i));
		}
		e.name = names.add(p.name);
		port_index[p.name] = uint16_t(i);
		ports.push_back(e);
	}

	// Holes keep the indexes of removed tenants and members from meaning anything else.
	const uint32_t unnamed = names.add("");
	std::vector<abi::TenantEntry> tenants(ids.tenant_slots(),
	                                      abi::TenantEntry{0, 0, 0, 0, 0, 0, unnamed});
	std::vector<abi::MemberEntry> members(
	    ids.member_slots(),
	    abi::MemberEntry{abi::MemberKind::unused, 0, 0, 0, 0, kNone, kNone});
	std::vector<uint32_t> flood;
	std::vector<abi::VtepEntry> vteps;
	std::map<IpAddr, uint32_t, decltype([](const IpAddr& a, const IpAddr& b) {
		         return std::tie(a.v6, a.bytes) < std::tie(b.v6, b.bytes);
	         })>
	    vtep_index;
	std::vector<std::tuple<uint64_t, uint32_t, uint32_t>> access_kv, vni_kv;
	std::vector<std::tuple<abi::VtepKey, uint32_t, uint32_t>> vtep_kv;
	std::vector<uint32_t> trunk_map(4096, kNone);
	std::vector<abi::StaticMacEntry> static_macs;

	for (const auto& ten : cfg.tenants) {
		const uint32_t tid = ids.tenant(ten.name);
		abi::TenantEntry te{};
		te.live = 1;
		te.vni = ten.vni;
		te.hybrid_vlan = ten.hybrid_vlan;
		te.flood_begin = uint32_t(flood.size());
		te.mac_limit = ten.mac_limit;
		te.name = names.add(ten.name);
		auto add_member = [&](const std::string& identity, const abi::MemberEntry& m) {
			const uint32_t id = ids.member(identity);
			flood.push_back(id);
			members[id] = m;
			return id;
		};
		std::map<uint16_t, uint32_t> trunk_member;
		for (uint16_t port : trunks) {
			trunk_member[port] = add_member(
			    IdPlan::trunk_id(ten.name, cfg.ports[port].name, ten.hybrid_vlan),
			    abi::MemberEntry{abi::MemberKind::trunk, 0, port, ten.hybrid_vlan, 0,
			                     tid, kNone});
		}
		std::map<std::tuple<uint16_t, uint16_t, uint16_t>, uint32_t> attach_member;
		for (const auto& a : ten.attachments) {
			const uint16_t port = port_index.at(a.port);
			const bool qinq = a.inner_vlan != 0;
			const uint32_t id = add_member(
			    IdPlan::attachment_id(ten.name, a.port, a.vlan, a.inner_vlan),
			    abi::MemberEntry{abi::MemberKind::attachment, uint8_t(qinq), port,
			                     a.vlan, a.inner_vlan, tid, kNone});
			access_kv.emplace_back(abi::access_key(port, qinq, a.vlan, a.inner_vlan),
			                       id, tid);
			attach_member[{port, a.vlan, a.inner_vlan}] = id;
		}
		std::map<IpAddr, uint32_t, decltype(vtep_index.key_comp())> remote_member;
		for (const auto& addr : ten.vteps) {
			auto [it, fresh] = vtep_index.emplace(addr, uint32_t(vteps.size()));
			if (fresh) {
				vteps.push_back(resolve_vtep(cfg, learned, addr));
			}
			const uint32_t id = add_member(
			    IdPlan::vtep_id(ten.name, addr),
			    abi::MemberEntry{abi::MemberKind::vtep, 0, vteps[it->second].out_port,
			                     0, 0, tid, it->second});
			vtep_kv.emplace_back(vtep_key(ten.vni, addr), id, tid);
			remote_member[addr] = id;
		}
		te.flood_count = uint32_t(flood.size()) - te.flood_begin;
		vni_kv.emplace_back(ten.vni, tid, 0);
		trunk_map[ten.hybrid_vlan] = tid;
		for (const auto& s : ten.static_macs) {
			uint32_t member = kNone;
			if (s.vtep) {
				auto it = remote_member.find(*s.vtep);
				member = it == remote_member.end() ? kNone : it->second;
			} else if (auto pit = port_index.find(s.port); pit != port_index.end()) {
				if (auto tm = trunk_member.find(pit->second);
				    tm != trunk_member.end()) {
					member = tm->second;
				} else if (auto am = attach_member.find(
				               {pit->second, s.vlan, s.inner_vlan});
				           am != attach_member.end()) {
					member = am->second;
				}
			}
			if (member != kNone) {
				abi::StaticMacEntry e{};
				std::memcpy(e.mac, s.mac.bytes.data(), 6);
				e.member = member;
				static_macs.push_back(e);
			}
		}
		tenants[tid] = te;
	}

	const auto access_map = build_map<abi::U64Slot>(access_kv);
	const auto vni_map = build_map<abi::U64Slot>(vni_kv);
	const auto vtep_map = build_map<abi::VtepSlot>(vtep_kv);

	ImageBuilder b;
	h.ports = add(b, ports);
	h.tenants = add(b, tenants);
	h.members = add(b, members);
	h.flood = add(b, flood);
	h.vteps = add(b, vteps);
	h.static_macs = add(b, static_macs);
	h.access_map = add(b, access_map);
	h.trunk_map = add(b, trunk_map);
	h.vni_map = add(b, vni_map);
	h.vtep_map = add(b, vtep_map);
	h.names = add(b, names.chars());
	return b.finish(h);
}

}  // namespace tsunagi::compile
