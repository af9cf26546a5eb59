#include "control/compile/next_hop.hpp"

#include <cstring>

#include "common/config/port_mac.hpp"
#include "common/config/values.hpp"
#include "common/pkt/constants.hpp"
#include "common/pkt/vxlan_outer.hpp"

namespace tsunagi::compile {

using abi::kNone;
using config::Config;
using config::IpAddr;

namespace {

// The ones' complement sum of the outer IPv4 header's words that do not change per packet:
// all of the template's but the total length and checksum, which it leaves zero.
uint32_t ip4_fixed_sum(const abi::VtepEntry& v)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < pkt::kIpv4Len; i += 2) {
		sum += uint32_t(v.outer[pkt::kEthLen + i] << 8 | v.outer[pkt::kEthLen + i + 1]);
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

}  // namespace

const IpAddr* family_addr(const std::vector<IpAddr>& v, bool v6)
{
	for (const auto& a : v) {
		if (a.v6 == v6) {
			return &a;
		}
	}
	return nullptr;
}

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
	const auto smac = config::port_mac(cfg, v.out_port);
	std::memcpy(v.src_mac, smac.bytes.data(), 6);
	if (const config::Mac* mac =
	        neighbor_mac(cfg, learned, cfg.ports[hop->port].name, hop->address)) {
		std::memcpy(v.dst_mac, mac->bytes.data(), 6);
		v.resolved = 1;
	}
	pkt::write_vxlan_outer(v.outer, v.v6, v.dst_mac, v.src_mac, v.src_ip, v.dst_ip);
	v.ip4_sum = remote.v6 ? 0 : ip4_fixed_sum(v);
	return v;
}

}  // namespace tsunagi::compile
