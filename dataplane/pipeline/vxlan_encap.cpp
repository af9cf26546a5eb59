// The rewrite for VTEP members (DESIGN.md §3, egress to a VTEP): the inner frame untagged
// behind outer Ethernet, IPv4 or IPv6, UDP and VXLAN headers.
#include <rte_ip.h>

#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"
#include "dataplane/pkt/flow_hash.hpp"
#include "dataplane/pkt/format.hpp"

namespace tsunagi::dp {

using pkt::store_be16;

void Pipeline::emit_vxlan(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb, TxBuffers& tx)
{
	const abi::VtepEntry& v = t_.vteps[abi::load_acquire(mb.vtep)];
	if (!v.resolved) {
		return drop(m, Drop::no_neighbor);
	}
	const uint32_t inner = rte_pktmbuf_pkt_len(m) - in.tags_len;
	const uint32_t ip_len = v.v6 ? pkt::kIpv6Len : pkt::kIpv4Len;
	const uint32_t udp_len = pkt::kUdpLen + pkt::kVxlanLen + inner;
	if (ip_len + udp_len > t_.ports[v.out_port].mtu) {
		return drop(m, Drop::mtu_exceeded);
	}
	uint8_t* frame = resize_tags(m, in.tags_len, 0);
	const uint32_t hash = pkt::flow_hash(frame, rte_pktmbuf_data_len(m));
	const uint32_t overhead = pkt::kEthLen + ip_len + pkt::kUdpLen + pkt::kVxlanLen;
	auto* o = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, uint16_t(overhead)));
	if (o == nullptr) {
		return drop(m, Drop::no_mbuf);
	}
	std::memcpy(o, v.dst_mac, 6);
	std::memcpy(o + 6, v.src_mac, 6);
	store_be16(o + 12, v.v6 ? pkt::kEtherIpv6 : pkt::kEtherIpv4);
	uint8_t* ip = o + pkt::kEthLen;
	uint8_t* udp = ip + ip_len;
	if (v.v6) {
		auto* h = reinterpret_cast<rte_ipv6_hdr*>(ip);
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(uint16_t(udp_len));
		h->proto = pkt::kIpProtoUdp;
		h->hop_limits = pkt::kTunnelTtl;
		std::memcpy(h->src_addr, v.src_ip, 16);
		std::memcpy(h->dst_addr, v.dst_ip, 16);
	} else {
		auto* h = reinterpret_cast<rte_ipv4_hdr*>(ip);
		h->version_ihl = 0x45;
		h->type_of_service = 0;
		h->total_length = rte_cpu_to_be_16(uint16_t(pkt::kIpv4Len + udp_len));
		h->packet_id = 0;
		h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->time_to_live = pkt::kTunnelTtl;
		h->next_proto_id = pkt::kIpProtoUdp;
		std::memcpy(&h->src_addr, v.src_ip, 4);
		std::memcpy(&h->dst_addr, v.dst_ip, 4);
		uint32_t sum = v.ip4_sum + pkt::kIpv4Len + udp_len;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		store_be16(reinterpret_cast<uint8_t*>(&h->hdr_checksum), uint16_t(~sum));
	}
	store_be16(udp, pkt::vxlan_src_port(hash));
	store_be16(udp + 2, pkt::kVxlanPort);
	store_be16(udp + 4, uint16_t(udp_len));
	store_be16(udp + 6, 0);
	auto* vx = reinterpret_cast<rte_vxlan_hdr*>(udp + pkt::kUdpLen);
	vx->vx_flags = rte_cpu_to_be_32(uint32_t{pkt::kVxlanFlagI} << 24);
	vx->vx_vni = rte_cpu_to_be_32(abi::load_acquire(t_.tenants[in.tenant].vni) << 8);
	if (v.v6) {
		// IPv6 forbids a zero UDP checksum unless both ends agree to it (RFC 6935);
		// computing it keeps every receiver, the Linux vxlan driver included, happy.
		const auto* h = reinterpret_cast<const rte_ipv6_hdr*>(ip);
		const uint16_t ck = rte_ipv6_udptcp_cksum_mbuf(m, h, pkt::kEthLen + ip_len);
		std::memcpy(udp + 6, &ck, 2);
	}
	const uint32_t bytes = rte_pktmbuf_pkt_len(m);
	count(ctr_.tenants[in.tenant], false, bytes);
	tx.push(v.out_port, m);
}

}  // namespace tsunagi::dp
