// Flooding (DESIGN.md §3): unknown unicast, broadcast and multicast go to every member of
// the segment but the ingress one, and never from a VTEP to a VTEP (split horizon).
//
// Each copy but the last is made one of two ways. A short frame is copied whole into one
// mbuf: a memcpy of a few cache lines costs fewer instructions than a second mbuf's
// allocation, attachment, detachment and free (bench/README.md). A longer one shares the
// frame's payload by reference: a segment of its own holds the frame's L2 header, which
// the member's rewrite then changes as it would a whole frame, in front of an indirect
// mbuf attached to the frame from its EtherType on. No rewrite writes at or past the
// EtherType, so the original (sent last, rewritten in place) and every copy read the same
// payload. A port that cannot send chains gets whole copies of every frame.
#include <cstring>

#include "common/pkt/format.hpp"
#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::dp {

using abi::kNone;
using abi::MemberKind;

void Pipeline::flood(rte_mbuf* m, const Ingress& in, TxBuffers& tx)
{
	const uint64_t flood = t_.flood_of(in.tenant);
	const uint32_t* list = &t_.flood[abi::flood_begin(flood)];
	auto eligible = [&](uint32_t member) {
		return member != in.member &&
		       !(in.from_vtep && t_.members[member].kind == MemberKind::vtep);
	};
	uint32_t last = kNone;
	for (uint32_t i = abi::flood_count(flood); i-- > 0;) {
		if (eligible(list[i])) {
			last = i;
			break;
		}
	}
	if (last == kNone) {
		return drop(m, Drop::flood_empty);
	}
	ctr_.flooded++;
	// The MACs and tags: what a member's rewrite changes. A chained original (a jumbo
	// frame in several segments) is copied with rte_pktmbuf_copy.
	const uint32_t head_len = pkt::kMacsLen + in.tags_len;
	const bool single = m->nb_segs == 1;
	const bool by_reference =
	    single && chain_ports_ != 0 && rte_pktmbuf_data_len(m) >= kShareFrom;
	const bool every_port = chain_ports_ == ~uint64_t{0};
	for (uint32_t i = 0; i < last; ++i) {
		if (!eligible(list[i])) {
			continue;
		}
		rte_mbuf* c;
		if (by_reference && (every_port || can_chain(out_port(list[i])))) {
			c = share(m, head_len);
		} else if (single) {
			c = copy_whole(m);
		} else {
			c = rte_pktmbuf_copy(m, pool_, 0, UINT32_MAX);
		}
		if (c == nullptr) {
			ctr_.drops[static_cast<size_t>(Drop::no_mbuf)]++;
			continue;
		}
		emit(c, in, list[i], tx);
	}
	emit(m, in, list[last], tx);
}

// The port a member's frames leave on.
uint16_t Pipeline::out_port(uint32_t member) const
{
	const abi::MemberEntry& mb = t_.members[member];
	if (mb.kind == MemberKind::vtep) {
		return t_.vteps[abi::load_acquire(mb.vtep)].out_port;
	}
	return mb.port;
}

// One segment with all of `m`, a single segment too, behind the pool's usual headroom
// (what VXLAN's outer headers grow into).
rte_mbuf* Pipeline::copy_whole(rte_mbuf* m)
{
	rte_mbuf* c = rte_pktmbuf_alloc(pool_);
	if (c == nullptr) {
		return nullptr;
	}
	const uint16_t len = rte_pktmbuf_data_len(m);
	if (len > rte_pktmbuf_tailroom(c)) {
		// Only a frame a driver received into less than the usual headroom gets here.
		rte_pktmbuf_free(c);
		return rte_pktmbuf_copy(m, pool_, 0, UINT32_MAX);
	}
	std::memcpy(rte_pktmbuf_mtod(c, uint8_t*), rte_pktmbuf_mtod(m, const uint8_t*), len);
	c->data_len = len;
	c->pkt_len = len;
	c->port = m->port;
	return c;
}

// Two segments: a fresh one with `m`'s first `head_len` bytes, whose headroom the member's
// rewrite grows into, and an indirect one with the rest of `m`, which nothing writes to.
rte_mbuf* Pipeline::share(rte_mbuf* m, uint32_t head_len)
{
	rte_mbuf* seg[2];
	if (rte_pktmbuf_alloc_bulk(pool_, seg, 2) != 0) {
		return nullptr;
	}
	rte_mbuf* const head = seg[0];
	rte_mbuf* const body = seg[1];
	rte_pktmbuf_attach(body, m);
	body->data_off = uint16_t(body->data_off + head_len);
	body->data_len = uint16_t(body->data_len - head_len);
	body->pkt_len = body->data_len;
	std::memcpy(rte_pktmbuf_mtod(head, uint8_t*), rte_pktmbuf_mtod(m, const uint8_t*),
	            head_len);
	head->data_len = uint16_t(head_len);
	head->pkt_len = m->pkt_len;
	head->nb_segs = 2;
	head->next = body;
	head->port = m->port;
	return head;
}

}  // namespace tsunagi::dp
