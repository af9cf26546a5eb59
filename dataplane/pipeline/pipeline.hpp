// The L2 pipeline of the hybrid connection (DESIGN.md §3): classify, learn, forward or
// flood, rewrite. One instance per worker; the live dataplane and tsunagi-replay run this
// same code over bursts of mbufs.
#pragma once

#include <rte_mbuf.h>

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

// Verdicts beside the drop reasons: classification succeeded and the frame goes on to
// learning and forwarding; or the frame is for the node itself and goes to the kernel.
inline constexpr Drop kPass = Drop::count_;
inline constexpr Drop kPunt = static_cast<Drop>(static_cast<uint8_t>(Drop::count_) + 1);

class Pipeline {
public:
	// `pool` supplies the copies a flood needs.
	Pipeline(MacTable& macs, WorkerCounters& counters, rte_mempool* pool);

	// Switches to another table generation. Learned MACs whose member no longer exists
	// (or now belongs to another tenant) are forgotten; static MACs are installed anew.
	void use_tables(const abi::TableView& tables);
	const abi::TableView& tables() const { return t_; }
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

private:
	// A packet's state between the stages of a burst.
	struct Work {
		rte_mbuf* m;
		uint64_t key;  // access key, VNI or VID: what the ingress map is probed with
		uint64_t hash;
		abi::VtepKey vtep;
		uint64_t vtep_hash;
		uint32_t decap;  // underlay: bytes of outer headers before the inner frame
		uint32_t inner_len;
		uint64_t src_key;
		uint64_t dst_key;
		size_t src_home;
		size_t dst_home;
		Ingress in;
		Drop verdict;
		bool to_router;      // destination MAC is the router's (then maybe routed)
		bool has_dst4;       // an IPv4 packet to the router: dst4 is its destination and,
		                     // once its next hop was fetched, route_ref its lookup
		uint8_t hint_len;    // the prefix length whose slot was prefetched first, and its
		uint64_t hint_hash;  // key's hash (kNoHint: none)
		uint32_t dst4;       // host order
		uint64_t route_ref;
	};
	static constexpr uint8_t kNoHint = 0xff;
	static constexpr uint16_t kStage = 32;

	template <abi::PortRole R>
	void run_role(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx);

	// Stage 1: parse headers, build the ingress key and prefetch its slot.
	Drop parse_access(Work& w, uint16_t in_port) const;
	Drop parse_trunk(Work& w) const;
	Drop parse_underlay(Work& w, uint16_t in_port) const;
	// Stage 2: find the tenant and member, then prefetch what forwarding reads.
	Drop resolve_access(Work& w) const;
	Drop resolve_trunk(Work& w, uint16_t in_port) const;
	Drop resolve_underlay(Work& w) const;
	void prefetch_forwarding(Work& w) const;
	void prefetch_destination(Work& w, uint32_t now) const;
	void prefetch_route(Work& w) const;
	void prefetch_nexthop(Work& w) const;
	static const uint8_t* ipv4_destination(const Work& w);
	// Stage 3 (after a pass that prefetches the destination member): learn, then
	// forward or flood.
	void forward(Work& w, uint32_t now, TxBuffers& tx);
	void flood(rte_mbuf* m, const Ingress& in, TxBuffers& tx);
	void emit(rte_mbuf* m, const Ingress& in, uint32_t member, TxBuffers& tx);
	void emit_tagged(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb, TxBuffers& tx);
	void emit_vxlan(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb, TxBuffers& tx);
	void drop(rte_mbuf* m, Drop reason);

	// The private link (router.cpp). route() takes a frame whose IPv4/IPv6 header
	// follows `tags_len` bytes of tags and routes it in `tenant`'s VRF.
	void run_interconnect(uint16_t in_port, rte_mbuf* m, uint32_t now, TxBuffers& tx);
	// `from`: the segment member it came from, where answers for the VRF's own addresses
	// go straight back; nullptr for interconnect ingress, whose answers are routed.
	// `known_ref`: the IPv4 route lookup already made for this packet in the burst's stages.
	void route(rte_mbuf* m, uint32_t tenant, uint32_t tags_len, uint32_t now, TxBuffers& tx,
	           const Ingress* from = nullptr, const uint64_t* known_ref = nullptr);
	bool answer_arp(rte_mbuf* m, const Ingress& in, uint32_t now, TxBuffers& tx);
	bool answer_nd(rte_mbuf* m, const Ingress& in, uint32_t now, TxBuffers& tx);
	bool make_advert(rte_mbuf* m, uint8_t* ip, uint32_t tenant) const;
	void answer_local(rte_mbuf* m, uint32_t tenant, uint32_t tags_len, uint32_t now,
	                  TxBuffers& tx, const Ingress* from);
	void reply_to(rte_mbuf* m, uint32_t tags_len, uint32_t tenant, uint32_t member,
	              TxBuffers& tx);
	// Neighbour discovery for hosts of the segments (neighbor_cache.hpp): what a host's ARP
	// or ND message tells, and the solicitation a packet to an unknown host turns into.
	void glean_nd(const uint8_t* ip, uint32_t avail, uint32_t tenant, uint32_t now);
	void solicit(rte_mbuf* m, const abi::NexthopEntry& nh, const uint8_t* dst, bool v6,
	             uint32_t tags_len, uint32_t now, TxBuffers& tx);
	// `hint_len`, `hint_hash`: a length's key hash already made (prefetch_route).
	uint64_t lookup4(uint32_t tenant, uint32_t dst, uint8_t hint_len = kNoHint,
	                 uint64_t hint_hash = 0) const;
	uint64_t lookup6(uint32_t tenant, const uint8_t* dst) const;
	bool routed(const Work& w) const;

	abi::TableView t_;
	uint32_t aging_ = 0;  // the generation's MAC aging time, seconds
	MacTable& macs_;
	NeighborCache neighbors_{4096};
	static constexpr uint32_t kSolicitBudget = 256;  // ARP/ND solicitations a second
	uint32_t solicit_second_ = 0;
	uint32_t solicit_left_ = 0;
	WorkerCounters& ctr_;
	rte_mempool* pool_;
};

}  // namespace tsunagi::dp
