// Packet format constants, as numbers: what every layer may know of the wire without
// DPDK's headers (format.hpp checks them against DPDK's own).
#pragma once

#include <cstdint>

namespace tsunagi::pkt {

inline constexpr uint16_t kEtherIpv4 = 0x0800;
inline constexpr uint16_t kEtherIpv6 = 0x86dd;
inline constexpr uint16_t kEtherArp = 0x0806;
inline constexpr uint16_t kTpidCtag = 0x8100;
inline constexpr uint16_t kTpidStag = 0x88a8;
inline constexpr uint16_t kEtherMpls = 0x8847;  // unicast
inline constexpr uint32_t kMplsLen = 4;
inline constexpr uint16_t kVxlanPort = 4789;
inline constexpr uint8_t kVxlanFlagI = 0x08;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kTunnelTtl = 64;

inline constexpr uint32_t kEthLen = 14;
inline constexpr uint32_t kMacsLen = 12;  // what stays put when tags change
inline constexpr uint32_t kTagLen = 4;
inline constexpr uint32_t kUdpLen = 8;
inline constexpr uint32_t kVxlanLen = 8;
inline constexpr uint32_t kIpv4Len = 20;
inline constexpr uint32_t kIpv6Len = 40;
// Outer headers VXLAN adds in front of the inner (untagged) frame.
inline constexpr uint32_t kVxlan4Overhead = kEthLen + kIpv4Len + kUdpLen + kVxlanLen;  // 50
inline constexpr uint32_t kVxlan6Overhead = kEthLen + kIpv6Len + kUdpLen + kVxlanLen;  // 70

inline constexpr uint16_t kPcpDeiMask = 0xf000;
inline constexpr uint16_t kVidMask = 0x0fff;
// VXLAN UDP source ports come from this range (RFC 7348 §5 recommends the dynamic range).
inline constexpr uint16_t kSrcPortBase = 49152;
inline constexpr uint16_t kSrcPortMask = 0x3fff;

}  // namespace tsunagi::pkt
