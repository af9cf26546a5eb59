// The bridge stage (DESIGN.md §3, forwarding inside a segment): learn the source MAC on the
// member the frame came in on, decide where the frame goes, and send a unicast frame on
// its way at once; and the rewrite for attachment and trunk members.
#include <algorithm>

#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"
#include "common/pkt/format.hpp"

namespace tsunagi::dp {

using abi::MemberKind;
using pkt::load_be16;

uint16_t Pipeline::bridge(Work* work, uint16_t n, uint32_t now, TxBuffers& tx)
{
	MacTable& macs = *macs_;
	const uint32_t refresh = refresh_;
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
		TrafficCounters& tc = ctr_.tenants[w.in.tenant];
		tc.rx_packets++;
		tc.rx_bytes += rte_pktmbuf_pkt_len(w.m);
		const uint16_t type = load_be16(w.eth + pkt::kMacsLen + w.in.tags_len);
		if (w.to_router && is_ip(type) &&
		    abi::load_acquire(t_.vrfs[w.in.tenant].live) != 0) {
			w.step = Step::route;
			prepare_route(w);
		} else if (type == pkt::kEtherArp ||
		           (type == pkt::kEtherIpv6 && w.eth[0] == 0x33)) {
			// The VRF's gateways answer for themselves: ARP, and IPv6 neighbour
			// solicitations (multicast, so they would otherwise be flooded).
			w.step = Step::answer;
		} else if (!decide(w, now)) {
			continue;
		} else if (w.step == Step::emit && deferred == n) {
			emit_member(w.m, w.in, w.out, tx);
			w.step = Step::done;
			continue;
		}
		deferred = std::min(deferred, i);
	}
	return deferred;
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

inline bool Pipeline::decide(Work& w, uint32_t now)
{
	w.step = Step::flood;
	if (MacTable::group(w.dst_key)) {
		return true;
	}
	const uint32_t out = macs_->lookup(w.dst_home, w.dst_key, now, aging_);
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
	if (!decide(w, now)) {
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
	const uint32_t len = rte_pktmbuf_pkt_len(m);
	const uint32_t l3_len = len - in.tags_len - pkt::kEthLen;
	if (l3_len > min_mtu_ && l3_len > t_.ports[mb.port].mtu) {
		return drop(m, Drop::mtu_exceeded);
	}
	const uint32_t tags = mb.qinq ? 2 * pkt::kTagLen : pkt::kTagLen;
	uint8_t* p = resize_tags(m, in.tags_len, tags);
	if (p == nullptr) {
		return drop(m, Drop::no_mbuf);
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
	count(ctr_.tenants[in.tenant], false, len - in.tags_len + tags);
	tx.push(mb.port, m);
}

}  // namespace tsunagi::dp
