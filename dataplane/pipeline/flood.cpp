// Flooding (DESIGN.md §3): unknown unicast, broadcast and multicast go to every member of
// the segment but the ingress one, and never from a VTEP to a VTEP (split horizon).
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
	for (uint32_t i = 0; i < last; ++i) {
		if (!eligible(list[i])) {
			continue;
		}
		rte_mbuf* c = rte_pktmbuf_copy(m, pool_, 0, UINT32_MAX);
		if (c == nullptr) {
			ctr_.drops[static_cast<size_t>(Drop::no_mbuf)]++;
			continue;
		}
		emit(c, in, list[i], tx);
	}
	emit(m, in, list[last], tx);
}

}  // namespace tsunagi::dp
