// Classify, for access and trunk ports: which segment member a tagged frame comes from
// (DESIGN.md §3, ingress classification). Two short loops: the first parses the tags and
// prefetches the ingress map's slot, the second reads it while later slots arrive.
#include <rte_prefetch.h>

#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"
#include "dataplane/pkt/format.hpp"

namespace tsunagi::dp {

using abi::kNone;
using pkt::load_be16;

namespace {

// Frames this far ahead have their first line fetched while the loop parses: a NIC writes
// them to memory, not to this core's cache.
constexpr uint16_t kAhead = 3;

void prefetch_frame(rte_mbuf** pkts, uint16_t i, uint16_t n)
{
	if (i + kAhead < n) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kAhead], void*));
	}
}

void prefetch_first(rte_mbuf** pkts, uint16_t n)
{
	for (uint16_t i = 0; i < kAhead && i < n; ++i) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
	}
}

}  // namespace

inline Drop Pipeline::parse_access(Work& w, uint16_t port, uint32_t len) const
{
	const uint8_t* p = w.eth;
	if (len < pkt::kEthLen + pkt::kTagLen) {
		return len < pkt::kEthLen || load_be16(p + 12) == pkt::kTpidCtag ||
		               load_be16(p + 12) == pkt::kTpidStag
		           ? Drop::malformed
		           : Drop::unknown_vlan;
	}
	const uint16_t tpid = load_be16(p + 12);
	const uint16_t tci = load_be16(p + 14);
	w.in.pcp_dei = tci & pkt::kPcpDeiMask;
	if (tpid == pkt::kTpidCtag) {
		w.dst_key = abi::access_key(port, false, tci & pkt::kVidMask, 0);
		w.in.tags_len = pkt::kTagLen;
	} else if (tpid == pkt::kTpidStag) {
		if (len < pkt::kEthLen + 2 * pkt::kTagLen) {
			return Drop::malformed;
		}
		if (load_be16(p + 16) != pkt::kTpidCtag) {
			return Drop::unknown_vlan;
		}
		w.dst_key = abi::access_key(port, true, tci & pkt::kVidMask,
		                            load_be16(p + 18) & pkt::kVidMask);
		w.in.tags_len = 2 * pkt::kTagLen;
	} else {
		return Drop::unknown_vlan;
	}
	return kPass;
}

uint16_t Pipeline::classify_access(uint16_t port, rte_mbuf** pkts, uint16_t n, Work* work)
{
	uint64_t bytes = 0;
	uint16_t k = 0;
	prefetch_first(pkts, n);
	for (uint16_t i = 0; i < n; ++i) {
		prefetch_frame(pkts, i, n);
		rte_mbuf* m = pkts[i];
		bytes += rte_pktmbuf_pkt_len(m);
		Work& w = work[k];
		w.m = m;
		w.eth = rte_pktmbuf_mtod(m, uint8_t*);
		const Drop verdict = parse_access(w, port, rte_pktmbuf_data_len(m));
		if (verdict != kPass) {
			drop(m, verdict);
			continue;
		}
		w.hash = abi::hash_key(w.dst_key);
		t_.access_map.prefetch(w.hash);
		w.in.from_vtep = false;
		++k;
	}
	count_burst(ctr_.ports[port], n, bytes);
	uint16_t kept = 0;
	for (uint16_t i = 0; i < k; ++i) {
		Work& w = work[i];
		const uint64_t ref = t_.access_map.find(w.hash, w.dst_key);
		if (abi::ref_value(ref) == kNone) {
			drop(w.m, Drop::unknown_vlan);
			continue;
		}
		w.in.member = abi::ref_value(ref);
		w.in.tenant = abi::ref_aux(ref);
		enter_segment(w);
		if (kept != i) {
			work[kept] = w;
		}
		++kept;
	}
	return kept;
}

uint16_t Pipeline::classify_trunk(uint16_t port, rte_mbuf** pkts, uint16_t n, Work* work)
{
	uint64_t bytes = 0;
	uint16_t k = 0;
	prefetch_first(pkts, n);
	for (uint16_t i = 0; i < n; ++i) {
		prefetch_frame(pkts, i, n);
		rte_mbuf* m = pkts[i];
		bytes += rte_pktmbuf_pkt_len(m);
		const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
		const uint32_t len = rte_pktmbuf_data_len(m);
		if (len < pkt::kEthLen) {
			drop(m, Drop::malformed);
			continue;
		}
		if (load_be16(p + 12) != pkt::kTpidCtag) {
			drop(m, Drop::unknown_vlan);
			continue;
		}
		if (len < pkt::kEthLen + pkt::kTagLen) {
			drop(m, Drop::malformed);
			continue;
		}
		Work& w = work[k++];
		const uint16_t tci = load_be16(p + 14);
		w.m = m;
		w.eth = const_cast<uint8_t*>(p);
		w.dst_key = tci & pkt::kVidMask;
		rte_prefetch0(t_.trunk_slot(uint16_t(w.dst_key)));
		w.in.pcp_dei = tci & pkt::kPcpDeiMask;
		w.in.tags_len = pkt::kTagLen;
		w.in.from_vtep = false;
	}
	count_burst(ctr_.ports[port], n, bytes);
	const uint16_t ordinal = t_.ports[port].trunk_ordinal;
	uint16_t kept = 0;
	for (uint16_t i = 0; i < k; ++i) {
		Work& w = work[i];
		w.in.tenant = t_.trunk_tenant(uint16_t(w.dst_key));
		if (w.in.tenant == kNone) {
			drop(w.m, Drop::unknown_vlan);
			continue;
		}
		// Trunk members lead the flood list, in trunk order (tables.hpp).
		w.in.member = t_.flood[abi::flood_begin(t_.flood_of(w.in.tenant)) + ordinal];
		enter_segment(w);
		if (kept != i) {
			work[kept] = w;
		}
		++kept;
	}
	return kept;
}

}  // namespace tsunagi::dp
