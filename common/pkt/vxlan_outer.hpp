// The outer headers of a VXLAN packet as the control daemon prebuilds them per VTEP; no DPDK
// here, so that the compiler can write them without it.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/pkt/constants.hpp"

namespace tsunagi::pkt {

// The outer headers of a VXLAN packet to one remote VTEP (DESIGN.md §3) as far as they are
// the same for every packet: Ethernet, IPv4 (DF, TTL 64) or IPv6 (hop limit 64), UDP to
// 4789, VXLAN with the I flag. Left zero for each packet to set: the IPv4 total length and
// checksum or the IPv6 payload length, the UDP source port, length and checksum, the VNI.
// Writes kVxlan4Overhead or kVxlan6Overhead bytes; addresses are 4 or 16 bytes.
inline void write_vxlan_outer(uint8_t* o, bool v6, const uint8_t* dst_mac, const uint8_t* src_mac,
                              const uint8_t* src_ip, const uint8_t* dst_ip)
{
	constexpr uint8_t kDf = 0x40;  // the IPv4 flags byte with only Don't Fragment set
	std::memset(o, 0, v6 ? kVxlan6Overhead : kVxlan4Overhead);
	std::memcpy(o, dst_mac, 6);
	std::memcpy(o + 6, src_mac, 6);
	const uint16_t type = v6 ? kEtherIpv6 : kEtherIpv4;
	o[12] = uint8_t(type >> 8);
	o[13] = uint8_t(type);
	uint8_t* ip = o + kEthLen;
	uint8_t* udp;
	if (v6) {
		ip[0] = 0x60;
		ip[6] = kIpProtoUdp;
		ip[7] = kTunnelTtl;
		std::memcpy(ip + 8, src_ip, 16);
		std::memcpy(ip + 24, dst_ip, 16);
		udp = ip + kIpv6Len;
	} else {
		ip[0] = 0x45;
		ip[6] = kDf;
		ip[8] = kTunnelTtl;
		ip[9] = kIpProtoUdp;
		std::memcpy(ip + 12, src_ip, 4);
		std::memcpy(ip + 16, dst_ip, 4);
		udp = ip + kIpv4Len;
	}
	udp[2] = uint8_t(kVxlanPort >> 8);
	udp[3] = uint8_t(kVxlanPort);
	udp[kUdpLen] = kVxlanFlagI;
}

}  // namespace tsunagi::pkt
