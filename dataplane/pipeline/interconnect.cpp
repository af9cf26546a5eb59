// What arrives on interconnect ports (DESIGN.md §4): Option-A sub-interfaces, whose VLAN
// selects the VRF; MPLS with one of this node's VRF labels, popped; and the node's own
// traffic (BGP, ARP, ND, ICMP), for the punt path.
#include <cstring>

#include "common/pkt/format.hpp"
#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::dp {

using abi::kNone;
using pkt::load_be16;
using pkt::load_be32;
using pkt::store_be16;

namespace {

// Whether a frame (its L3 header `tags_len` bytes after the MACs and EtherType) is the
// neighbour discovery of whoever speaks on the link: ARP, IPv6 to a multicast or
// link-local address.
bool for_link(const uint8_t* p, uint32_t len, uint32_t tags_len)
{
	const uint16_t type = load_be16(p + pkt::kMacsLen + tags_len);
	if (type == pkt::kEtherArp) {
		return true;
	}
	const uint8_t* dst = p + pkt::kEthLen + tags_len + 24;
	return type == pkt::kEtherIpv6 && len >= pkt::kEthLen + tags_len + pkt::kIpv6Len &&
	       (dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80));
}

// Whether an untagged frame on an L3 port is the node's own traffic: the link's neighbour
// discovery, and IP to the port's address.
bool for_node(const abi::PortEntry& port, const uint8_t* p, uint32_t len)
{
	const uint16_t type = load_be16(p + 12);
	const uint8_t* l3 = p + pkt::kEthLen;
	if (for_link(p, len, 0)) {
		return true;
	}
	if (type == pkt::kEtherIpv4 && len >= pkt::kEthLen + pkt::kIpv4Len) {
		return port.has_ip4 && std::memcmp(l3 + 16, &port.ip4, 4) == 0;
	}
	return type == pkt::kEtherIpv6 && len >= pkt::kEthLen + pkt::kIpv6Len && port.has_ip6 &&
	       std::memcmp(l3 + 24, port.ip6, 16) == 0;
}

}  // namespace

void Pipeline::run_interconnect(uint16_t in_port, rte_mbuf* m, uint32_t now, TxBuffers& tx)
{
	uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
	const uint32_t len = rte_pktmbuf_data_len(m);
	if (len < pkt::kEthLen) {
		return drop(m, Drop::malformed);
	}
	const abi::PortEntry& port = t_.ports[in_port];
	const bool mac_ours = pkt::same_mac(p, port.mac);
	const uint16_t type = load_be16(p + pkt::kMacsLen);
	if (type == pkt::kTpidCtag) {
		// An Option-A sub-interface: its VLAN selects the VRF.
		if (len < pkt::kEthLen + pkt::kTagLen) {
			return drop(m, Drop::malformed);
		}
		const uint16_t vid = load_be16(p + pkt::kEthLen) & pkt::kVidMask;
		const uint64_t ref = t_.vlan_vrf_map.find(abi::access_key(in_port, false, vid, 0));
		if (abi::ref_value(ref) == kNone) {
			return drop(m, Drop::unknown_vlan);
		}
		// Neighbour discovery is the sub-interface's kernel side's (tsunagid learns the
		// carrier's MAC from it); IP to our own address there is routed to it (subif).
		if ((mac_ours || pkt::is_multicast(p)) && for_link(p, len, pkt::kTagLen)) {
			ctr_.punted[in_port]++;
			return tx.push_punt(in_port, m);
		}
		if (!mac_ours || !is_ip(load_be16(p + pkt::kEthLen + 2))) {
			return drop(m, Drop::unsupported);
		}
		count(ctr_.tenants[abi::ref_value(ref)], true, rte_pktmbuf_pkt_len(m));
		return route(m, abi::ref_value(ref), pkt::kTagLen, now, tx);
	}
	if (type == pkt::kEtherMpls && mac_ours) {
		if (len < pkt::kEthLen + pkt::kMplsLen + 1) {
			return drop(m, Drop::malformed);
		}
		const uint32_t word = load_be32(p + pkt::kEthLen);
		const uint64_t ref = t_.label_map.find(word >> 12);
		if ((word & 0x100) == 0 || abi::ref_value(ref) == kNone) {
			return drop(m, Drop::unknown_label);
		}
		// Pop; uniform model: the IP TTL becomes the label's.
		uint8_t* ip = p + pkt::kEthLen + pkt::kMplsLen;
		const auto ttl = uint8_t(word);
		const uint32_t ip_len = len - pkt::kEthLen - pkt::kMplsLen;
		if ((ip[0] >> 4) == 4 && ip_len >= pkt::kIpv4Len && (ip[0] & 0xf) >= 5 &&
		    ip_len >= (ip[0] & 0xfu) * 4u) {
			set_ipv4_ttl(ip, ttl);
			store_be16(ip - 2, pkt::kEtherIpv4);
		} else if ((ip[0] >> 4) == 6 && ip_len >= pkt::kIpv6Len) {
			ip[7] = ttl;
			store_be16(ip - 2, pkt::kEtherIpv6);
		} else {
			return drop(m, Drop::malformed);
		}
		resize_tags(m, pkt::kMplsLen, 0);
		count(ctr_.tenants[abi::ref_value(ref)], true, rte_pktmbuf_pkt_len(m));
		return route(m, abi::ref_value(ref), 0, now, tx);
	}
	if (type == pkt::kEtherMpls) {
		return drop(m, Drop::unknown_label);
	}
	if ((mac_ours || pkt::is_multicast(p)) && for_node(port, p, len)) {
		ctr_.punted[in_port]++;
		return tx.push_punt(in_port, m);
	}
	drop(m, Drop::unsupported);
}

}  // namespace tsunagi::dp
