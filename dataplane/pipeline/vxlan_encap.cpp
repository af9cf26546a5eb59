// The rewrite for VTEP members (DESIGN.md §3, egress to a VTEP): the inner frame untagged
// behind the VTEP's outer headers, copied whole from its table entry and completed with
// what each packet sets — lengths, IPv4 checksum, UDP source port, VNI.
#include <rte_ip.h>

#include "common/pkt/format.hpp"
#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"
#include "dataplane/pkt/flow_hash.hpp"

namespace tsunagi::dp {

using pkt::store_be16;

void Pipeline::emit_vxlan(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb, TxBuffers& tx)
{
	const abi::VtepEntry& v = t_.vteps[abi::load_acquire(mb.vtep)];
	if (!v.resolved) {
		return drop(m, Drop::no_neighbor);
	}
	if (v.v6) {
		return encapsulate<true>(m, in, v, tx);
	}
	encapsulate<false>(m, in, v, tx);
}

template <bool V6>
void Pipeline::encapsulate(rte_mbuf* m, const Ingress& in, const abi::VtepEntry& v, TxBuffers& tx)
{
	constexpr uint32_t kIpLen = V6 ? pkt::kIpv6Len : pkt::kIpv4Len;
	constexpr uint32_t kOuter = V6 ? pkt::kVxlan6Overhead : pkt::kVxlan4Overhead;
	const uint32_t tags = in.tags_len;
	const uint32_t inner = rte_pktmbuf_pkt_len(m) - tags;
	const uint32_t udp_len = pkt::kUdpLen + pkt::kVxlanLen + inner;
	if (kIpLen + udp_len > min_mtu_ && kIpLen + udp_len > t_.ports[v.out_port].mtu) {
		return drop(m, Drop::mtu_exceeded);
	}
	if (m->data_off + tags < kOuter) {
		return drop(m, Drop::no_mbuf);
	}
	// The inner frame loses its tags: its MACs move up to its EtherType, and the outer
	// headers go in front of them.
	uint8_t* const frame = rte_pktmbuf_mtod(m, uint8_t*) + tags;
	if (tags != 0) {
		uint8_t macs[pkt::kMacsLen];
		std::memcpy(macs, frame - tags, pkt::kMacsLen);
		std::memcpy(frame, macs, pkt::kMacsLen);
	}
	// A flood copy's first segment ends at the inner MACs; its EtherType and what follows
	// are the next segment (flood.cpp).
	const uint32_t first = rte_pktmbuf_data_len(m) - tags;
	const rte_mbuf* const body = m->next;
	const uint32_t hash =
	    body == nullptr || first > pkt::kMacsLen
	        ? pkt::flow_hash(frame, first)
	        : pkt::flow_hash(frame, rte_pktmbuf_mtod(body, const uint8_t*), body->data_len);
	uint8_t* o = frame - kOuter;
	std::memcpy(o, v.outer, kOuter);
	uint8_t* ip = o + pkt::kEthLen;
	uint8_t* udp = ip + kIpLen;
	if constexpr (V6) {
		store_be16(ip + 4, uint16_t(udp_len));
	} else {
		const uint32_t total = kIpLen + udp_len;
		uint32_t sum = v.ip4_sum + total;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		store_be16(ip + 2, uint16_t(total));
		store_be16(ip + 10, uint16_t(~sum));
	}
	store_be16(udp, pkt::vxlan_src_port(hash));
	store_be16(udp + 4, uint16_t(udp_len));
	pkt::store_be32(udp + pkt::kUdpLen + 4, abi::load_acquire(t_.tenants[in.tenant].vni) << 8);
	const auto grow = uint16_t(kOuter - tags);
	m->data_off = uint16_t(m->data_off - grow);
	m->data_len = uint16_t(m->data_len + grow);
	m->pkt_len += grow;
	if constexpr (V6) {
		// IPv6 forbids a zero UDP checksum unless both ends agree to it (RFC 6935);
		// computing it keeps every receiver, the Linux vxlan driver included, happy.
		const uint16_t ck = rte_ipv6_udptcp_cksum_mbuf(
		    m, reinterpret_cast<const rte_ipv6_hdr*>(ip), pkt::kEthLen + kIpLen);
		std::memcpy(udp + 6, &ck, 2);
	}
	count(ctr_.tenants[in.tenant], false, inner + kOuter);
	tx.push(v.out_port, m);
}

}  // namespace tsunagi::dp
