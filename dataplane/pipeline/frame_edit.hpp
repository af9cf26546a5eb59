// Small edits of a frame in an mbuf that both the L2 and the L3 paths make.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>

#include "common/abi/counters.hpp"
#include "common/pkt/format.hpp"

namespace tsunagi::dp {

// Changes the bytes of VLAN tags after the MACs from `have` to `want`, keeping the MACs.
// Returns the frame's new start, or nullptr when the headroom is short.
inline uint8_t* resize_tags(rte_mbuf* m, uint32_t have, uint32_t want)
{
	if (want > have) {
		auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, uint16_t(want - have)));
		if (p != nullptr) {
			std::memmove(p, p + (want - have), pkt::kMacsLen);
		}
		return p;
	}
	if (want < have) {
		auto* p = rte_pktmbuf_mtod(m, uint8_t*);
		std::memmove(p + (have - want), p, pkt::kMacsLen);
		return reinterpret_cast<uint8_t*>(rte_pktmbuf_adj(m, uint16_t(have - want)));
	}
	return rte_pktmbuf_mtod(m, uint8_t*);
}

// Only the word holding the TTL is summed again: a sum over the whole header would read
// back the bytes just stored (a store-forwarding stall on every routed packet).
inline void set_ipv4_ttl(uint8_t* ip, uint8_t ttl)
{
	const uint16_t old_word = pkt::load_be16(ip + 8);
	ip[8] = ttl;
	pkt::store_be16(ip + 10, pkt::checksum_adjust(pkt::load_be16(ip + 10), old_word,
	                                              pkt::load_be16(ip + 8)));
}

inline bool is_ip(uint16_t type)
{
	return type == pkt::kEtherIpv4 || type == pkt::kEtherIpv6;
}

inline void count(TrafficCounters& c, bool rx, uint32_t bytes)
{
	if (rx) {
		c.rx_packets++;
		c.rx_bytes += bytes;
	} else {
		c.tx_packets++;
		c.tx_bytes += bytes;
	}
}

// A burst's frames received, counted once for the burst.
inline void count_burst(TrafficCounters& c, uint32_t packets, uint64_t bytes)
{
	c.rx_packets += packets;
	c.rx_bytes += bytes;
}

}  // namespace tsunagi::dp
