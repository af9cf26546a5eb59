// The bridge stage (DESIGN.md §3, forwarding inside a segment): learn the source MAC on the
// member the frame came in on, decide where the frame goes, and send a unicast frame on
// its way at once; and the rewrite for attachment and trunk members.
#include <algorithm>

#include "common/pkt/format.hpp"
#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::dp {

using abi::MemberKind;
using pkt::load_be16;

uint16_t Pipeline::bridge(Work* work, uint16_t n, uint32_t now, TxBuffers& tx)
{
	const MacTable::Probe macs = macs_->probe();
	const uint32_t refresh = refresh_;
	TrafficCounters* const tenant_counters = ctr_.tenants.data();
	// The first frame left to the act stage: every later one waits too, so frames leave
	// in the order they came.
	uint16_t deferred = n;
	for (uint16_t i = 0; i < n; ++i) {
		Work& w = work[i];
		w.step = Step::done;
		if (MacTable::group(w.src_key)) {
			drop(w.m, Drop::bad_src_mac);
			continue;
		}
		if (!macs.known_on(w.src_home, w.src_key, w.in.member, now, refresh) &&
		    !learn(w, now)) {
			continue;
		}
		TrafficCounters& tc = tenant_counters[w.in.tenant];
		const uint32_t len = rte_pktmbuf_pkt_len(w.m);
		tc.rx_packets++;
		tc.rx_bytes += len;
		const uint16_t type = load_be16(w.eth + pkt::kMacsLen + w.in.tags_len);
		if ((type != pkt::kEtherIpv4 || w.to_router) && beyond_l2(w, type)) {
			deferred = std::min(deferred, i);
			continue;
		}
		if (!decide(w, now, macs)) {
			continue;
		}
		if (w.step == Step::flood || deferred != n) {
			deferred = std::min(deferred, i);
			continue;
		}
		w.step = Step::done;
		const abi::MemberEntry& mb = t_.members[w.out];
		if (mb.kind == MemberKind::vtep) {
			emit_vxlan(w.m, w.in, mb, tx);
		} else {
			emit_tagged(w.m, w.in, mb, tc, len, tx);
		}
	}
	return deferred;
}

// A frame that is not plain IPv4 between hosts: routed when it is IP to the router MAC in
// a tenant with a VRF; answered (or gleaned from) when it is ARP or an IPv6 neighbour
// solicitation. False: forwarded in the segment like any other.
bool Pipeline::beyond_l2(Work& w, uint16_t type) const
{
	if (w.to_router && is_ip(type) && abi::load_acquire(t_.vrfs[w.in.tenant].live) != 0) {
		w.step = Step::route;
		prepare_route(w);
		return true;
	}
	// The VRF's gateways answer for themselves: ARP, and IPv6 neighbour solicitations
	// (multicast, so they would otherwise be flooded).
	if (type == pkt::kEtherArp || (type == pkt::kEtherIpv6 && w.eth[0] == 0x33)) {
		w.step = Step::answer;
		return true;
	}
	return false;
}

bool Pipeline::learn(Work& w, uint32_t now)
{
	const uint32_t limit = abi::load_acquire(t_.tenants[w.in.tenant].mac_limit);
	switch (macs_->learn_locked(w.src_key, w.in.member, now, limit, aging_)) {
		case MacTable::Learn::refreshed:
		case MacTable::Learn::pinned:
			break;
		case MacTable::Learn::learned:
			ctr_.mac.learned++;
			break;
		case MacTable::Learn::moved:
			ctr_.mac.moved++;
			break;
		case MacTable::Learn::full:
			ctr_.mac.table_full++;
			break;
		case MacTable::Learn::limit:
			drop(w.m, Drop::mac_limit);
			return false;
	}
	return true;
}

inline bool Pipeline::decide(Work& w, uint32_t now, const MacTable::Probe& macs)
{
	w.step = Step::flood;
	if (MacTable::group(w.dst_key)) {
		return true;
	}
	const uint32_t out = macs.lookup(w.dst_home, w.dst_key, now, aging_);
	// The tenant check makes a stale entry a miss rather than a leak to another tenant.
	if (out >= t_.members.size || t_.tenant_of(out) != w.in.tenant) {
		return true;
	}
	if (out == w.in.member || (w.in.from_vtep && t_.members[out].kind == MemberKind::vtep)) {
		w.step = Step::done;
		drop(w.m, Drop::filtered);
		return false;
	}
	w.step = Step::emit;
	w.out = out;
	return true;
}

void Pipeline::answer_or_forward(Work& w, uint32_t now, TxBuffers& tx)
{
	const uint16_t type = load_be16(w.eth + pkt::kMacsLen + w.in.tags_len);
	if (type == pkt::kEtherArp ? answer_arp(w.m, w.in, now, tx)
	                           : answer_nd(w.m, w.in, now, tx)) {
		return;
	}
	if (!decide(w, now, macs_->probe())) {
		return;
	}
	if (w.step == Step::emit) {
		emit_member(w.m, w.in, w.out, tx);
	} else {
		flood(w.m, w.in, tx);
	}
}

void Pipeline::emit(rte_mbuf* m, const Ingress& in, uint32_t member, TxBuffers& tx)
{
	emit_member(m, in, member, tx);
}

inline void Pipeline::emit_member(rte_mbuf* m, const Ingress& in, uint32_t member, TxBuffers& tx)
{
	const abi::MemberEntry& mb = t_.members[member];
	if (mb.kind == MemberKind::vtep) {
		return emit_vxlan(m, in, mb, tx);
	}
	emit_tagged(m, in, mb, ctr_.tenants[in.tenant], rte_pktmbuf_pkt_len(m), tx);
}

// `tc`: the tenant's counters; `len`: the frame's length as it came.
inline void Pipeline::emit_tagged(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb,
                                  TrafficCounters& tc, uint32_t len, TxBuffers& tx)
{
	const uint32_t have = in.tags_len;
	const uint32_t want = pkt::kTagLen << mb.qinq;
	const uint32_t l3_len = len - have - pkt::kEthLen;
	if (l3_len > min_mtu_ && l3_len > t_.ports[mb.port].mtu) {
		return drop(m, Drop::mtu_exceeded);
	}
	uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
	if (want != have) {
		// The MACs move to make room for the tags, or to close the gap.
		if (want > have && rte_pktmbuf_headroom(m) < want - have) {
			return drop(m, Drop::no_mbuf);
		}
		uint8_t macs[pkt::kMacsLen];
		std::memcpy(macs, p, pkt::kMacsLen);
		p = p + have - want;
		std::memcpy(p, macs, pkt::kMacsLen);
		// Modular: a shrink is a grow by the 32-bit negative.
		const uint32_t grow = want - have;
		m->data_off = uint16_t(m->data_off - grow);
		m->data_len = uint16_t(m->data_len + grow);
		m->pkt_len += grow;
	}
	uint8_t* tag = p + pkt::kMacsLen;
	if (mb.qinq) {
		pkt::store_be32(tag,
		                uint32_t{pkt::kTpidStag} << 16 | uint32_t(in.pcp_dei | mb.vlan));
		pkt::store_be32(
		    tag + 4, uint32_t{pkt::kTpidCtag} << 16 | uint32_t(in.pcp_dei | mb.inner_vlan));
	} else {
		pkt::store_be32(tag,
		                uint32_t{pkt::kTpidCtag} << 16 | uint32_t(in.pcp_dei | mb.vlan));
	}
	const uint32_t out_len = len - have + want;
	tc.tx_packets++;
	tc.tx_bytes += out_len;
	tx.push(mb.port, m, out_len);
}

}  // namespace tsunagi::dp
