// The pipeline of the hybrid connection (DESIGN.md §3) and the private link (§4): classify,
// learn, forward or flood, rewrite, route. One instance per worker; the live dataplane and
// tsunagi-replay run this same code over bursts of mbufs.
//
// A burst goes through three stages, each one pass over it, each in its own file:
//   classify (classify.cpp, vxlan_decap.cpp): the ingress port's role decides how a frame
//     is parsed and which table finds its tenant and member; the MAC slots the next stage
//     reads are prefetched;
//   bridge (l2_forward.cpp): learn the source, decide what happens to the frame — to a
//     member, flooded (flood.cpp), routed (routing.cpp), answered (neighbor_answers.cpp) or
//     dropped — and prefetch what acting on it reads;
//   act: each frame in arrival order, by what the bridge decided: a member's rewrite
//     (l2_forward.cpp, vxlan_encap.cpp), a flood, a route.
// Interconnect ports (interconnect.cpp) take their few frames one at a time.
#pragma once

#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <cstdint>

#include "common/abi/counters.hpp"
#include "common/abi/table_view.hpp"
#include "dataplane/pipeline/mac_table.hpp"
#include "dataplane/pipeline/neighbor_cache.hpp"
#include "dataplane/pipeline/tx_buffers.hpp"

namespace tsunagi::dp {

// What classification found out about a frame that entered a segment.
struct Ingress {
	uint32_t tenant;
	uint32_t member;
	uint16_t pcp_dei;  // top four bits of the ingress outer TCI
	uint8_t tags_len;  // bytes of VLAN tags after the MACs, as the frame is now
	bool from_vtep;
};

class Pipeline {
public:
	// A pipeline that owns `macs`: use_tables() keeps the table's static entries and id
	// epoch in step (replay, tests, traces). `pool` supplies flood copies' headers.
	Pipeline(MacTable& macs, WorkerCounters& counters, rte_mempool* pool);
	// A pipeline whose MAC table comes with its tables (use_tables with `macs`).
	Pipeline(WorkerCounters& counters, rte_mempool* pool);

	// Switches to another table generation. An owner brings its MAC table along
	// (MacTable::adopt): statics installed anew, everything forgotten on renumbering.
	void use_tables(const abi::TableView& tables);
	// The same, with `macs` shared with other workers, which whoever shares it keeps in
	// step with `tables` before handing them over.
	void use_tables(const abi::TableView& tables, MacTable& macs);
	const abi::TableView& tables() const { return t_; }
	// Where it counts; TxBuffers that take its frames count there too.
	WorkerCounters& counters() const { return ctr_; }
	// Forgets the tables without reading them, for a pipeline whose previous tables may be
	// gone (a trace between generations): the next use_tables() starts afresh.
	void forget_tables() { t_ = abi::TableView(); }

	// Processes `n` packets that arrived on `in_port` at time `now` (seconds); everything
	// is either handed to `tx` or freed and counted as a drop.
	void run(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx);

	// Ages out MACs, scanning at most `budget` slots.
	void age(uint32_t now, size_t budget);

	// The hosts `o` found by ARP and ND, for a trace that should route as `o` would.
	void copy_neighbors(const Pipeline& o) { neighbors_.copy_from(o.neighbors_); }

	// The ports (a bit each, by table index) whose devices send chained mbufs
	// (RTE_ETH_TX_OFFLOAD_MULTI_SEGS): flood copies to them share the frame's payload;
	// to the others they are whole copies. Every port until told otherwise.
	void set_chain_ports(uint64_t ports) { chain_ports_ = ports; }

private:
	// What the act stage does with a frame: `done` when the bridge dropped it.
	enum class Step : uint8_t { emit, flood, route, answer, done };
	// Verdicts of parsing beside the drop reasons: the frame goes on; or it is for the
	// node itself and goes to the kernel.
	static constexpr Drop kPass = Drop::count_;
	static constexpr Drop kPunt = static_cast<Drop>(static_cast<uint8_t>(Drop::count_) + 1);

	// A frame's state between the stages of a burst.
	struct Work {
		rte_mbuf* m;
		uint8_t* eth;  // the frame (the inner one of VXLAN)
		uint64_t src_key;
		uint64_t dst_key;  // classify: the ingress key until the tenant is known
		uint64_t hash;     // classify: the ingress key's hash
		uint32_t src_home;
		uint32_t dst_home;
		Ingress in;
		uint32_t out;  // emit: the member
		Step step;
		bool to_router;      // destination MAC is the router's
		uint8_t hint_len;    // route: the IPv4 prefix length whose slot was prefetched
		uint64_t hint_hash;  // and its key's hash
	};
	static constexpr uint8_t kNoHint = 0xff;
	static constexpr uint16_t kStage = 32;

	template <abi::PortRole R>
	void run_role(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx);

	// Classify: from `n` frames, the Work of those that go on (returned: how many).
	template <abi::PortRole R>
	uint16_t classify_tagged(uint16_t port, rte_mbuf** pkts, uint16_t n, Work* work);
	template <abi::PortRole R>
	uint64_t other_tags(uint16_t port, const uint8_t* p, uint32_t len, uint32_t& tags,
	                    Drop& why) const;
	uint16_t classify_underlay(uint16_t port, rte_mbuf** pkts, uint16_t n, Work* work,
	                           TxBuffers& tx);
	Drop parse_underlay(Work& w, uint16_t port, abi::VtepKey& key, uint32_t& decap,
	                    uint32_t& inner_len) const;
	// The tenant and member are known: the MAC keys, and the prefetches the bridge wants.
	void enter_segment(Work& w, const MacTable::Probe& macs) const;
	// Bridge: learns, decides, and sends unicast frames on at once; returns the first
	// frame left to the act stage (n: none).
	uint16_t bridge(Work* work, uint16_t n, uint32_t now, TxBuffers& tx);
	void act(Work* work, uint16_t n, uint32_t now, TxBuffers& tx);
	// A source MAC the table does not know on its member; false: dropped (mac_limit).
	bool learn(Work& w, uint32_t now);
	// Where a frame goes: Step::emit (to w.out) or Step::flood; false: dropped.
	bool decide(Work& w, uint32_t now, const MacTable::Probe& macs);
	bool beyond_l2(Work& w, uint16_t type) const;
	void answer_or_forward(Work& w, uint32_t now, TxBuffers& tx);
	void flood(rte_mbuf* m, const Ingress& in, TxBuffers& tx);
	uint16_t out_port(uint32_t member) const;
	bool can_chain(uint16_t port) const { return (chain_ports_ >> (port & 63)) & 1; }
	rte_mbuf* share(rte_mbuf* m, uint32_t head_len);
	rte_mbuf* copy_whole(rte_mbuf* m);
	// Flood copies of frames this long and longer share the frame's payload (flood.cpp).
	static constexpr uint16_t kShareFrom = 512;
	// To one member, rewritten for it: emit() for the other stages, emit_member() inlined
	// into the bridge.
	void emit(rte_mbuf* m, const Ingress& in, uint32_t member, TxBuffers& tx);
	void emit_member(rte_mbuf* m, const Ingress& in, uint32_t member, TxBuffers& tx);
	void emit_tagged(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb,
	                 TrafficCounters& tc, uint32_t len, TxBuffers& tx);
	void emit_vxlan(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb, TxBuffers& tx);
	template <bool V6>
	void encapsulate(rte_mbuf* m, const Ingress& in, const abi::VtepEntry& v, TxBuffers& tx);
	void drop(rte_mbuf* m, Drop reason);
	void punt(uint16_t port, rte_mbuf* m, TxBuffers& tx);

	// The private link (routing.cpp). route() takes a frame whose IPv4/IPv6 header
	// follows `tags_len` bytes of tags and routes it in `tenant`'s VRF.
	// `from`: the segment member it came from, where answers for the VRF's own addresses
	// go straight back; nullptr for interconnect ingress, whose answers are routed.
	// `known`: the burst's prefetch of this packet's IPv4 route (prepare_route).
	void route(rte_mbuf* m, uint32_t tenant, uint32_t tags_len, uint32_t now, TxBuffers& tx,
	           const Ingress* from = nullptr, const Work* known = nullptr);
	void to_segment(rte_mbuf* m, const abi::NexthopEntry& nh, uint32_t tags_len, uint32_t now,
	                TxBuffers& tx);
	void to_carrier(rte_mbuf* m, const abi::NexthopEntry& nh, uint64_t ref, uint32_t tenant,
	                uint32_t tags_len, uint8_t out_ttl, TxBuffers& tx);
	void prepare_route(Work& w) const;
	// `hint_len`, `hint_hash`: a length's key hash already made (prepare_route).
	uint64_t lookup4(uint32_t tenant, uint32_t dst, uint8_t hint_len = kNoHint,
	                 uint64_t hint_hash = 0) const;
	uint64_t lookup6(uint32_t tenant, const uint8_t* dst) const;
	void run_interconnect(uint16_t in_port, rte_mbuf* m, uint32_t now, TxBuffers& tx);

	// Answers for the VRF's own addresses and neighbour discovery (neighbor_answers.cpp).
	bool answer_arp(rte_mbuf* m, const Ingress& in, uint32_t now, TxBuffers& tx);
	bool answer_nd(rte_mbuf* m, const Ingress& in, uint32_t now, TxBuffers& tx);
	bool make_advert(rte_mbuf* m, uint8_t* ip, uint32_t tenant) const;
	void answer_local(rte_mbuf* m, uint32_t tenant, uint32_t tags_len, uint32_t now,
	                  TxBuffers& tx, const Ingress* from);
	void reply_to(rte_mbuf* m, uint32_t tags_len, uint32_t tenant, uint32_t member,
	              TxBuffers& tx);
	// What a host's ARP or ND message tells (neighbor_cache.hpp), and the solicitation a
	// packet to an unknown host turns into.
	void glean_nd(const uint8_t* ip, uint32_t avail, uint32_t tenant, uint32_t now);
	void solicit(rte_mbuf* m, const abi::NexthopEntry& nh, const uint8_t* dst, bool v6,
	             uint32_t tags_len, uint32_t now, TxBuffers& tx);

	abi::TableView t_;
	uint32_t aging_ = 0;       // the generation's MAC aging time, seconds
	uint32_t refresh_ = 1;     // MacTable::refresh_after(aging_)
	uint64_t router_key_ = 0;  // the router MAC as a MacTable key of tenant 0
	uint32_t min_mtu_ = 0;     // the smallest port MTU: frames within it skip the check
	bool own_macs_;
	MacTable* macs_;
	NeighborCache neighbors_{4096};
	static constexpr uint32_t kSolicitBudget = 256;  // ARP/ND solicitations a second
	uint32_t solicit_second_ = 0;
	uint32_t solicit_left_ = 0;
	WorkerCounters& ctr_;
	rte_mempool* pool_;
	uint64_t chain_ports_ = ~uint64_t{0};
};

inline void Pipeline::enter_segment(Work& w, const MacTable::Probe& macs) const
{
	w.dst_key = MacTable::key_in_frame(w.in.tenant, w.eth);
	w.src_key = MacTable::key_in_frame(w.in.tenant, w.eth + 6);  // the source MAC
	w.dst_home = uint32_t(macs.home(w.dst_key));
	w.src_home = uint32_t(macs.home(w.src_key));
	// The router MAC's key was made for tenant 0: compare the MACs only.
	w.to_router = ((w.dst_key ^ router_key_) << 16) == 0;
	macs.prefetch(w.src_home);
	// A frame to the router needs no destination MAC but its VRF's lengths, to find its
	// route slots next.
	if (w.to_router) {
		rte_prefetch0(&t_.vrfs[w.in.tenant]);
	} else {
		macs.prefetch(w.dst_home);
	}
	rte_prefetch0(&ctr_.tenants[w.in.tenant]);
}

}  // namespace tsunagi::dp
