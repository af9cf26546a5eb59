// The L2 pipeline of the hybrid connection (DESIGN.md §3): classify, learn, forward or
// flood, rewrite. One instance per worker; the live dataplane and tsunagi-replay run this
// same code over bursts of mbufs.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/abi/table_view.hpp"
#include "dataplane/pipeline/counters.hpp"
#include "dataplane/pipeline/mac_table.hpp"
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
	// `pool` supplies the copies a flood needs.
	Pipeline(MacTable& macs, WorkerCounters& counters, rte_mempool* pool);

	// Switches to another table generation. Learned MACs whose member no longer exists
	// (or now belongs to another tenant) are forgotten; static MACs are installed anew.
	void use_tables(const abi::TableView& tables);
	const abi::TableView& tables() const { return t_; }

	// Processes `n` packets that arrived on `in_port` at time `now` (seconds); everything
	// is either handed to `tx` or freed and counted as a drop.
	void run(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx);

	// Ages out MACs, scanning at most `budget` slots.
	void age(uint32_t now, size_t budget);

private:
	template <abi::PortRole R>
	void run_role(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx);

	Drop classify_access(rte_mbuf* m, uint16_t in_port, Ingress& in) const;
	Drop classify_trunk(rte_mbuf* m, uint16_t in_port, Ingress& in) const;
	Drop classify_underlay(rte_mbuf* m, uint16_t in_port, Ingress& in) const;
	void forward(rte_mbuf* m, const Ingress& in, uint32_t now, TxBuffers& tx);
	void flood(rte_mbuf* m, const Ingress& in, TxBuffers& tx);
	void emit(rte_mbuf* m, const Ingress& in, uint32_t member, TxBuffers& tx);
	void emit_tagged(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb, TxBuffers& tx);
	void emit_vxlan(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb, TxBuffers& tx);
	void drop(rte_mbuf* m, Drop reason);

	abi::TableView t_;
	MacTable& macs_;
	WorkerCounters& ctr_;
	rte_mempool* pool_;
};

}  // namespace tsunagi::dp
