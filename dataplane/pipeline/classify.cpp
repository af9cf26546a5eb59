// Classify, for access and trunk ports: which segment member a tagged frame comes from
// (DESIGN.md §3, ingress classification). A single tag is one load from the port's row of
// the VLAN map; a QinQ pair of tags (access ports) one probe of the access map.
#include <rte_prefetch.h>

#include "common/pkt/format.hpp"
#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::dp {

using abi::kNone;
using abi::PortRole;
using pkt::load_be16;

namespace {

// Frames this far ahead have their first line fetched while the loop parses one: a NIC
// writes them to memory, not to this core's cache.
constexpr uint16_t kAhead = 3;

}  // namespace

template <PortRole R>
uint16_t Pipeline::classify_tagged(uint16_t port, rte_mbuf** pkts, uint16_t n, Work* work)
{
	const uint64_t* vlans = t_.vlan_row(port);
	const MacTable::Probe macs = macs_->probe();
	uint64_t bytes = 0;
	uint16_t k = 0;
	for (uint16_t i = 0; i < kAhead && i < n; ++i) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
	}
	for (uint16_t i = 0; i < n; ++i) {
		if (i + kAhead < n) {
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kAhead], void*));
		}
		rte_mbuf* m = pkts[i];
		const uint32_t len = rte_pktmbuf_data_len(m);
		auto* p = rte_pktmbuf_mtod(m, uint8_t*);
		bytes += rte_pktmbuf_pkt_len(m);
		uint32_t tags = pkt::kTagLen;
		Drop why = Drop::unknown_vlan;
		const uint16_t tpid = len >= pkt::kEthLen ? load_be16(p + 12) : 0;
		const uint64_t ref =
		    tpid == pkt::kTpidCtag && len >= pkt::kEthLen + pkt::kTagLen
		        ? abi::load_acquire(vlans[load_be16(p + 14) & pkt::kVidMask])
		        : other_tags<R>(port, p, len, tags, why);
		if (abi::ref_value(ref) == kNone) {
			drop(m, why);
			continue;
		}
		Work& w = work[k++];
		w.m = m;
		w.eth = p;
		w.in =
		    Ingress{abi::ref_aux(ref), abi::ref_value(ref),
		            uint16_t(load_be16(p + 14) & pkt::kPcpDeiMask), uint8_t(tags), false};
		enter_segment(w, macs);
	}
	count_burst(ctr_.ports[port], n, bytes);
	return k;
}

// Anything but one 802.1Q tag: a QinQ pair of tags (access ports only), a frame cut short
// inside its tags (malformed), no tag or another TPID (unknown_vlan).
template <PortRole R>
uint64_t Pipeline::other_tags(uint16_t port, const uint8_t* p, uint32_t len, uint32_t& tags,
                              Drop& why) const
{
	const uint16_t tpid = len >= pkt::kEthLen ? load_be16(p + 12) : 0;
	const bool stag = R == PortRole::access && tpid == pkt::kTpidStag;
	if (len < pkt::kEthLen || ((tpid == pkt::kTpidCtag || stag) &&
	                           len < pkt::kEthLen + (stag ? 2 : 1) * pkt::kTagLen)) {
		why = Drop::malformed;
		return abi::kEmptyRef;
	}
	if (!stag || load_be16(p + 16) != pkt::kTpidCtag) {
		return abi::kEmptyRef;
	}
	tags = 2 * pkt::kTagLen;
	return t_.access_map.find(abi::access_key(port, true, load_be16(p + 14) & pkt::kVidMask,
	                                          load_be16(p + 18) & pkt::kVidMask));
}

template uint16_t Pipeline::classify_tagged<PortRole::access>(uint16_t, rte_mbuf**, uint16_t,
                                                              Work*);
template uint16_t Pipeline::classify_tagged<PortRole::trunk>(uint16_t, rte_mbuf**, uint16_t, Work*);

}  // namespace tsunagi::dp
