// Classify, for underlay ports: VXLAN to this node's VTEP from a VTEP listed for the VNI's
// tenant is decapsulated and enters that tenant's segment (DESIGN.md §3); what else is for
// the node (ARP, ND, ICMP, BGP) goes to the kernel, the rest is dropped under its reason.
#include <cstring>

#include "common/pkt/format.hpp"
#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::dp {

using abi::kNone;
using pkt::load_be16;

namespace {

// What the outer headers of nearly every packet on an underlay port hold: the port's MAC,
// this node's IPv4 VTEP (`vtep4`, network order; `has_vtep4` false: none).
struct PlainVxlan4 {
	uint64_t mac;
	uint32_t vtep4;
	bool has_vtep4;

	// The common packet checked in one go, without branches between the checks: IPv4
	// without options to the VTEP, unfragmented, UDP to port 4789 with the I flag set,
	// every length in bounds. True: what parse_underlay() would find (kPass), its decap
	// being kVxlan4Overhead; false: parse_underlay() decides.
	bool parse(const rte_mbuf* m, const uint8_t* p, abi::VtepKey& key,
	           uint32_t& inner_len) const
	{
		constexpr uint32_t kInnerFrom = pkt::kVxlan4Overhead;
		if (rte_pktmbuf_data_len(m) < kInnerFrom + pkt::kEthLen) {
			return false;
		}
		uint64_t dst_mac;
		uint32_t type_ver;  // EtherType, version and IHL, and the TOS
		uint16_t frag;
		uint32_t dst_ip;
		uint16_t dst_port;
		std::memcpy(&dst_mac, p, 8);
		std::memcpy(&type_ver, p + 12, 4);
		std::memcpy(&frag, p + pkt::kEthLen + 6, 2);
		std::memcpy(&dst_ip, p + pkt::kEthLen + 16, 4);
		std::memcpy(&dst_port, p + pkt::kEthLen + pkt::kIpv4Len + 2, 2);
		const uint8_t* l3 = p + pkt::kEthLen;
		const uint32_t total = load_be16(l3 + 2);
		const uint32_t udp_len = load_be16(l3 + pkt::kIpv4Len + 4);
		// Bytes in memory order, read as little-endian words.
		const bool plain = (((dst_mac ^ mac) << 16) == 0) &
		                   ((type_ver & 0xffffff) == 0x450008) & ((frag & 0xff3f) == 0) &
		                   (l3[9] == pkt::kIpProtoUdp) & has_vtep4 & (dst_ip == vtep4) &
		                   (dst_port == __builtin_bswap16(pkt::kVxlanPort)) &
		                   ((p[kInnerFrom - pkt::kVxlanLen] & pkt::kVxlanFlagI) != 0) &
		                   (udp_len >= pkt::kUdpLen + pkt::kVxlanLen + pkt::kEthLen) &
		                   (udp_len + pkt::kIpv4Len <= total) &
		                   (pkt::kEthLen + total <= rte_pktmbuf_pkt_len(m));
		if (!plain || !pkt::ipv4_header_intact(l3, pkt::kIpv4Len)) {
			return false;
		}
		key = abi::VtepKey{};
		std::memcpy(key.ip, l3 + 12, 4);
		// The VNI and the reserved byte after it, in one load.
		key.vni = pkt::load_be32(p + kInnerFrom - 4) >> 8;
		inner_len = udp_len - pkt::kUdpLen - pkt::kVxlanLen;
		return true;
	}
};

}  // namespace

// The outer headers' checks, in the order that decides which reason a bad packet gets.
// `key` gets the source VTEP and VNI, `decap` the bytes before the inner frame and
// `inner_len` its length as the UDP header says.
Drop Pipeline::parse_underlay(Work& w, uint16_t port_index, abi::VtepKey& key, uint32_t& decap,
                              uint32_t& inner_len) const
{
	rte_mbuf* m = w.m;
	const uint8_t* p = w.eth;
	const uint32_t len = rte_pktmbuf_data_len(m);
	if (len < pkt::kEthLen) {
		return Drop::malformed;
	}
	const abi::PortEntry& port = t_.ports[port_index];
	const abi::NodeEntry& node = t_.node();
	// Unicast to the port's MAC, or multicast the kernel may want (ARP, neighbour
	// discovery); VXLAN itself must come to the port's MAC.
	const bool mac_ours = pkt::same_mac(p, port.mac);
	if (!mac_ours && !pkt::is_multicast(p)) {
		return Drop::not_vxlan;
	}
	const uint16_t type = load_be16(p + 12);
	const uint8_t* l3 = p + pkt::kEthLen;
	const uint8_t* udp;
	uint32_t udp_avail;  // bytes from the UDP header to the end of the IP packet
	if (type == pkt::kEtherIpv4) {
		if (len < pkt::kEthLen + pkt::kIpv4Len) {
			return Drop::malformed;
		}
		const uint32_t ihl = (l3[0] & 0xfu) * 4u;
		const uint32_t total = load_be16(l3 + 2);
		if ((l3[0] >> 4) != 4 || ihl < pkt::kIpv4Len || total < ihl ||
		    pkt::kEthLen + total > rte_pktmbuf_pkt_len(m) || pkt::kEthLen + ihl > len ||
		    !pkt::ipv4_header_intact(l3, ihl)) {
			return Drop::malformed;
		}
		const bool to_vtep = node.has_vtep4 && std::memcmp(l3 + 16, &node.vtep4, 4) == 0;
		const bool to_port = port.has_ip4 && std::memcmp(l3 + 16, &port.ip4, 4) == 0;
		if (!to_vtep && !to_port) {
			return Drop::not_vxlan;
		}
		const uint16_t frag = load_be16(l3 + 6);
		const bool fragment = (frag & 0x3fff) != 0;
		const bool udp_4789 = l3[9] == pkt::kIpProtoUdp && len >= pkt::kEthLen + ihl + 4 &&
		                      load_be16(l3 + ihl + 2) == pkt::kVxlanPort;
		if (to_vtep && fragment && (udp_4789 || (frag & 0x1fff) != 0)) {
			// VXLAN is never fragmented (DF): a fragment for the VTEP is broken.
			return Drop::malformed;
		}
		if (!to_vtep || !udp_4789 || fragment) {
			return kPunt;  // ICMP, BGP, anything else for the node's own address
		}
		if (!mac_ours) {
			return Drop::not_vxlan;
		}
		key = abi::VtepKey{};
		std::memcpy(key.ip, l3 + 12, 4);
		udp = l3 + ihl;
		udp_avail = total - ihl;
	} else if (type == pkt::kEtherIpv6) {
		if (len < pkt::kEthLen + pkt::kIpv6Len || (l3[0] >> 4) != 6) {
			return Drop::malformed;
		}
		const uint32_t payload = load_be16(l3 + 4);
		if (pkt::kEthLen + pkt::kIpv6Len + payload > rte_pktmbuf_pkt_len(m)) {
			return Drop::malformed;
		}
		const uint8_t* dst = l3 + 24;
		const bool to_vtep = node.has_vtep6 && std::memcmp(dst, node.vtep6, 16) == 0;
		const bool to_node = to_vtep ||
		                     (port.has_ip6 && std::memcmp(dst, port.ip6, 16) == 0) ||
		                     dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80);
		if (!to_node) {
			return Drop::not_vxlan;
		}
		const bool udp_4789 = l3[6] == pkt::kIpProtoUdp &&
		                      len >= pkt::kEthLen + pkt::kIpv6Len + 4 &&
		                      load_be16(l3 + pkt::kIpv6Len + 2) == pkt::kVxlanPort;
		if (!to_vtep || !udp_4789) {
			return kPunt;  // neighbour discovery, ICMPv6, anything else for the node
		}
		if (!mac_ours) {
			return Drop::not_vxlan;
		}
		key = abi::VtepKey{};
		std::memcpy(key.ip, l3 + 8, 16);
		key.v6 = 1;
		udp = l3 + pkt::kIpv6Len;
		udp_avail = payload;
	} else if (type == pkt::kEtherArp) {
		return kPunt;  // the kernel answers for the port's addresses and learns neighbours
	} else {
		return Drop::not_vxlan;
	}
	const auto hdrs = static_cast<uint32_t>(udp - p);
	if (udp_avail < pkt::kUdpLen || len < hdrs + pkt::kUdpLen) {
		return Drop::malformed;
	}
	const uint32_t udp_len = load_be16(udp + 4);
	if (udp_len > udp_avail || udp_len < pkt::kUdpLen + pkt::kVxlanLen + pkt::kEthLen ||
	    len < hdrs + pkt::kUdpLen + pkt::kVxlanLen + pkt::kEthLen) {
		return Drop::malformed;
	}
	const uint8_t* vx = udp + pkt::kUdpLen;
	if ((vx[0] & pkt::kVxlanFlagI) == 0) {
		return Drop::malformed;
	}
	key.vni = (uint32_t{vx[4]} << 16) | (uint32_t{vx[5]} << 8) | vx[6];
	decap = hdrs + pkt::kUdpLen + pkt::kVxlanLen;
	inner_len = udp_len - pkt::kUdpLen - pkt::kVxlanLen;
	return kPass;
}

uint16_t Pipeline::classify_underlay(uint16_t port, rte_mbuf** pkts, uint16_t n, Work* work,
                                     TxBuffers& tx)
{
	abi::VtepKey keys[kStage];
	uint32_t decaps[kStage];
	uint32_t inner_lens[kStage];
	const MacTable::Probe macs = macs_->probe();
	PlainVxlan4 plain{0, t_.node().vtep4, t_.node().has_vtep4 != 0};
	std::memcpy(&plain.mac, t_.ports[port].mac, 6);
	uint64_t bytes = 0;
	uint16_t k = 0;
	for (uint16_t i = 0; i < n; ++i) {
		rte_mbuf* m = pkts[i];
		bytes += rte_pktmbuf_pkt_len(m);
		Work& w = work[k];
		w.m = m;
		w.eth = rte_pktmbuf_mtod(m, uint8_t*);
		decaps[k] = pkt::kVxlan4Overhead;
		const Drop verdict =
		    plain.parse(m, w.eth, keys[k], inner_lens[k])
		        ? kPass
		        : parse_underlay(w, port, keys[k], decaps[k], inner_lens[k]);
		if (verdict == kPunt) {
			punt(port, m, tx);
			continue;
		}
		if (verdict != kPass) {
			drop(m, verdict);
			continue;
		}
		// One probe says both that the VNI is a tenant's and that the source VTEP is
		// listed for it: the writer removes a VNI's VTEP keys before the VNI.
		w.hash = abi::hash_key(keys[k]);
		t_.vtep_map.prefetch(w.hash);
		++k;
	}
	count_burst(ctr_.ports[port], n, bytes);
	uint16_t kept = 0;
	for (uint16_t i = 0; i < k; ++i) {
		Work& w = work[i];
		const uint64_t ref = t_.vtep_map.find(w.hash, keys[i]);
		if (abi::ref_value(ref) == kNone) {
			const bool vni_known =
			    abi::ref_value(t_.vni_map.find(keys[i].vni)) != kNone;
			drop(w.m, vni_known ? Drop::unknown_vtep : Drop::unknown_vni);
			continue;
		}
		w.in = Ingress{abi::ref_aux(ref), abi::ref_value(ref), 0, 0, true};
		// Decapsulate: the inner frame is what the UDP length says, padding or not.
		rte_mbuf* m = w.m;
		m->data_off = uint16_t(m->data_off + decaps[i]);
		m->data_len = uint16_t(m->data_len - decaps[i]);
		m->pkt_len -= decaps[i];
		if (m->pkt_len != inner_lens[i]) {
			rte_pktmbuf_trim(m, uint16_t(m->pkt_len - inner_lens[i]));
		}
		w.eth += decaps[i];
		enter_segment(w, macs);
		if (kept != i) {
			work[kept] = w;
		}
		++kept;
	}
	return kept;
}

}  // namespace tsunagi::dp
