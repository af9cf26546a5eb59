// Hash of a frame's flow, for VXLAN UDP source-port entropy (RFC 7348 §5): frames of one
// flow always get the same source port, so the underlay's ECMP keeps them in order.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/abi/hash.hpp"
#include "common/pkt/format.hpp"

namespace tsunagi::pkt {

inline uint64_t load64(const uint8_t* p)
{
	uint64_t v;
	std::memcpy(&v, p, 8);
	return v;
}

inline uint32_t load32(const uint8_t* p)
{
	uint32_t v;
	std::memcpy(&v, p, 4);
	return v;
}

// Mixes into `h` (the MACs' mix) an untagged frame's EtherType and what follows it,
// `rest_len` bytes at `rest`: the IP addresses and protocol, and the TCP/UDP ports when
// present, read in place.
inline uint32_t flow_hash_rest(uint64_t h, const uint8_t* rest, uint32_t rest_len)
{
	constexpr uint32_t kType = kEthLen - kMacsLen;
	const uint16_t type = load_be16(rest);
	const uint8_t* l3 = rest + kType;
	const uint8_t* l4 = nullptr;
	uint8_t proto = 0;
	if (type == kEtherIpv4 && rest_len >= kType + kIpv4Len) {
		h ^= abi::mix64(load64(l3 + 12));
		proto = l3[9];
		const uint32_t ihl = (l3[0] & 0xfu) * 4u;
		const bool fragment = (load_be16(l3 + 6) & 0x3fff) != 0;
		if (!fragment && ihl >= kIpv4Len && rest_len >= kType + ihl + 4) {
			l4 = l3 + ihl;
		}
	} else if (type == kEtherIpv6 && rest_len >= kType + kIpv6Len) {
		h ^= abi::mix64(load64(l3 + 8) ^ load64(l3 + 16) ^
		                abi::mix64(load64(l3 + 24) ^ load64(l3 + 32)));
		proto = l3[6];
		if (rest_len >= kType + kIpv6Len + 4) {
			l4 = l3 + kIpv6Len;
		}
	}
	uint64_t ports = proto;
	if (l4 != nullptr && (proto == kIpProtoUdp || proto == kIpProtoTcp)) {
		ports |= uint64_t{load32(l4)} << 8;
	}
	h = abi::mix64(h ^ (ports << 20));
	return static_cast<uint32_t>(h ^ (h >> 32));
}

// `frame` is an untagged Ethernet frame of `len` bytes in contiguous memory. The source
// MAC's load takes the EtherType along in its top bytes.
inline uint32_t flow_hash(const uint8_t* frame, uint32_t len)
{
	const uint64_t h = load64(frame) ^ (load64(frame + 6) << 7);
	return flow_hash_rest(h, frame + kMacsLen, len - kMacsLen);
}

// The same hash of a frame whose MACs are at `macs` and whose EtherType and what follows
// are `rest_len` bytes at `rest`, elsewhere: a flood copy's MACs are in a segment of their
// own (pipeline/flood.cpp).
inline uint32_t flow_hash(const uint8_t* macs, const uint8_t* rest, uint32_t rest_len)
{
	uint8_t src[8];
	std::memcpy(src, macs + 6, 6);
	std::memcpy(src + 6, rest, 2);
	const uint64_t h = load64(macs) ^ (load64(src) << 7);
	return flow_hash_rest(h, rest, rest_len);
}

inline uint16_t vxlan_src_port(uint32_t hash)
{
	return static_cast<uint16_t>(kSrcPortBase | (hash & kSrcPortMask));
}

}  // namespace tsunagi::pkt
