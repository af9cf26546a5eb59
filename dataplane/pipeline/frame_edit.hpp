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

}  // namespace tsunagi::dp
