// Packet format facts used by the pipeline, the replay tool and the tests: one place for
// every constant (constants.hpp) and header layout (the layouts themselves are DPDK's).
#pragma once

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include <cstdint>
#include <cstring>

#include "common/pkt/constants.hpp"

namespace tsunagi::pkt {

// The constants as numbers, so that code without DPDK (the control daemon's compiler) has
// them too; DPDK's own definitions must agree.
static_assert(kEtherIpv4 == RTE_ETHER_TYPE_IPV4 && kEtherIpv6 == RTE_ETHER_TYPE_IPV6 &&
              kEtherArp == RTE_ETHER_TYPE_ARP && kTpidCtag == RTE_ETHER_TYPE_VLAN &&
              kTpidStag == RTE_ETHER_TYPE_QINQ && kEtherMpls == RTE_ETHER_TYPE_MPLS);
static_assert(kEthLen == sizeof(rte_ether_hdr) && kMacsLen == 2 * RTE_ETHER_ADDR_LEN &&
              kTagLen == sizeof(rte_vlan_hdr) && kUdpLen == sizeof(rte_udp_hdr) &&
              kVxlanLen == sizeof(rte_vxlan_hdr) && kIpv4Len == sizeof(rte_ipv4_hdr) &&
              kIpv6Len == sizeof(rte_ipv6_hdr));

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

}  // namespace tsunagi::pkt
