// Packet format facts used by the pipeline, the replay tool and the tests: one place for
// every constant and header layout (the layouts themselves are DPDK's).
#pragma once

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include <cstdint>
#include <cstring>

namespace tsunagi::pkt {

inline constexpr uint16_t kEtherIpv4 = RTE_ETHER_TYPE_IPV4;
inline constexpr uint16_t kEtherIpv6 = RTE_ETHER_TYPE_IPV6;
inline constexpr uint16_t kEtherArp = RTE_ETHER_TYPE_ARP;
inline constexpr uint16_t kTpidCtag = RTE_ETHER_TYPE_VLAN;   // 0x8100
inline constexpr uint16_t kTpidStag = RTE_ETHER_TYPE_QINQ;   // 0x88a8
inline constexpr uint16_t kEtherMpls = RTE_ETHER_TYPE_MPLS;  // 0x8847, unicast
inline constexpr uint32_t kMplsLen = 4;
inline constexpr uint16_t kVxlanPort = 4789;
inline constexpr uint8_t kVxlanFlagI = 0x08;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kTunnelTtl = 64;

inline constexpr uint32_t kEthLen = sizeof(rte_ether_hdr);    // 14
inline constexpr uint32_t kMacsLen = 2 * RTE_ETHER_ADDR_LEN;  // 12: what stays put when tags change
inline constexpr uint32_t kTagLen = sizeof(rte_vlan_hdr);     // 4
inline constexpr uint32_t kUdpLen = sizeof(rte_udp_hdr);
inline constexpr uint32_t kVxlanLen = sizeof(rte_vxlan_hdr);
inline constexpr uint32_t kIpv4Len = sizeof(rte_ipv4_hdr);
inline constexpr uint32_t kIpv6Len = sizeof(rte_ipv6_hdr);
// Outer headers VXLAN adds in front of the inner (untagged) frame.
inline constexpr uint32_t kVxlan4Overhead = kEthLen + kIpv4Len + kUdpLen + kVxlanLen;  // 50
inline constexpr uint32_t kVxlan6Overhead = kEthLen + kIpv6Len + kUdpLen + kVxlanLen;  // 70

inline constexpr uint16_t kPcpDeiMask = 0xf000;
inline constexpr uint16_t kVidMask = 0x0fff;
// VXLAN UDP source ports come from this range (RFC 7348 §5 recommends the dynamic range).
inline constexpr uint16_t kSrcPortBase = 49152;
inline constexpr uint16_t kSrcPortMask = 0x3fff;

inline bool is_multicast(const uint8_t* mac)
{
	return (mac[0] & 1) != 0;
}

// Two MACs compared in two loads each, without a call to memcmp.
inline bool same_mac(const uint8_t* a, const uint8_t* b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;
	std::memcpy(&a4, a, 4);
	std::memcpy(&b4, b, 4);
	std::memcpy(&a2, a + 4, 2);
	std::memcpy(&b2, b + 4, 2);
	return ((a4 ^ b4) | uint32_t(a2 ^ b2)) == 0;
}

inline uint16_t load_be16(const uint8_t* p)
{
	return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

inline void store_be16(uint8_t* p, uint16_t v)
{
	p[0] = static_cast<uint8_t>(v >> 8);
	p[1] = static_cast<uint8_t>(v);
}

inline uint32_t load_be32(const uint8_t* p)
{
	return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline void store_be32(uint8_t* p, uint32_t v)
{
	const uint32_t be = __builtin_bswap32(v);
	std::memcpy(p, &be, 4);
}

// Whether an IPv4 header of `ihl` bytes is intact: its words, checksum included, sum to
// all ones (RFC 1071).
inline bool ipv4_header_intact(const uint8_t* ip, uint32_t ihl)
{
	if (ihl != kIpv4Len) {
		return rte_raw_cksum(ip, ihl) == 0xffff;
	}
	// Without options (nearly every packet): five 32-bit words, folded; a third of the
	// instructions of the general loop.
	uint32_t w[5];
	std::memcpy(w, ip, sizeof(w));
	uint64_t sum = uint64_t{w[0]} + w[1] + w[2] + w[3] + w[4];
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

// An Internet checksum `ck` after one 16-bit word it covers went from `old_word` to
// `new_word` (RFC 1624, eqn. 3): no sum over the rest, which also keeps a checksum that
// arrived wrong wrong.
inline uint16_t checksum_adjust(uint16_t ck, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum = uint32_t(uint16_t(~ck)) + uint16_t(~old_word) + new_word;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return static_cast<uint16_t>(~sum);
}

// The outer headers of a VXLAN packet to one remote VTEP (DESIGN.md §3) as far as they are
// the same for every packet: Ethernet, IPv4 (DF, TTL 64) or IPv6 (hop limit 64), UDP to
// 4789, VXLAN with the I flag. Left zero for each packet to set: the IPv4 total length and
// checksum or the IPv6 payload length, the UDP source port, length and checksum, the VNI.
// Writes kVxlan4Overhead or kVxlan6Overhead bytes; addresses are 4 or 16 bytes.
inline void write_vxlan_outer(uint8_t* o, bool v6, const uint8_t* dst_mac, const uint8_t* src_mac,
                              const uint8_t* src_ip, const uint8_t* dst_ip)
{
	std::memset(o, 0, v6 ? kVxlan6Overhead : kVxlan4Overhead);
	std::memcpy(o, dst_mac, 6);
	std::memcpy(o + 6, src_mac, 6);
	store_be16(o + 12, v6 ? kEtherIpv6 : kEtherIpv4);
	uint8_t* ip = o + kEthLen;
	uint8_t* udp;
	if (v6) {
		store_be32(ip, 6u << 28);
		ip[6] = kIpProtoUdp;
		ip[7] = kTunnelTtl;
		std::memcpy(ip + 8, src_ip, 16);
		std::memcpy(ip + 24, dst_ip, 16);
		udp = ip + kIpv6Len;
	} else {
		ip[0] = 0x45;
		store_be16(ip + 6, RTE_IPV4_HDR_DF_FLAG);
		ip[8] = kTunnelTtl;
		ip[9] = kIpProtoUdp;
		std::memcpy(ip + 12, src_ip, 4);
		std::memcpy(ip + 16, dst_ip, 4);
		udp = ip + kIpv4Len;
	}
	store_be16(udp + 2, kVxlanPort);
	udp[kUdpLen] = kVxlanFlagI;
}

}  // namespace tsunagi::pkt
