// Putting back an outer VLAN tag a driver stripped into mbuf metadata.
//
// The Linux kernel strips the outer tag of every frame before an AF_PACKET socket sees it,
// and DPDK's af_packet driver re-inserts it as 0x8100 whatever it was, losing the 0x88a8
// of QinQ. Ports on such drivers ask for the tag as metadata (RX VLAN strip) and the
// dataplane re-inserts it here: as 0x88a8 when a 0x8100 tag follows, else as 0x8100. A
// customer's own double 0x8100 tag is then taken for QinQ and, without such an
// attachment, dropped as unknown_vlan: never switched into another tenant, which reading
// every such frame as single-tagged would risk.
#pragma once

#include <rte_mbuf.h>

#include <cstring>

#include "common/pkt/format.hpp"

namespace tsunagi::pkt {

inline void restore_stripped_tags(rte_mbuf** pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; ++i) {
		rte_mbuf* m = pkts[i];
		if ((m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) == 0) {
			continue;
		}
		auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, kTagLen));
		if (p == nullptr) {
			continue;  // no headroom: the frame goes on untagged and is dropped as such
		}
		std::memmove(p, p + kTagLen, kMacsLen);
		const bool inner_follows = rte_pktmbuf_data_len(m) >= kMacsLen + kTagLen + 2 &&
		                           load_be16(p + kMacsLen + kTagLen) == kTpidCtag;
		store_be16(p + kMacsLen, inner_follows ? kTpidStag : kTpidCtag);
		store_be16(p + kMacsLen + 2, m->vlan_tci);
		m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN);
	}
}

}  // namespace tsunagi::pkt
