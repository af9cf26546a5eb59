// The burst driver: which stages a port's role runs, and the act stage that carries out
// what the bridge decided, frame by frame in arrival order.
#include "dataplane/pipeline/pipeline.hpp"

#include <algorithm>

#include "dataplane/pipeline/frame_edit.hpp"

namespace tsunagi::dp {

using abi::PortRole;

Pipeline::Pipeline(MacTable& macs, WorkerCounters& counters, rte_mempool* pool)
    : own_macs_(true), macs_(&macs), ctr_(counters), pool_(pool)
{
}

Pipeline::Pipeline(WorkerCounters& counters, rte_mempool* pool)
    : own_macs_(false), macs_(nullptr), ctr_(counters), pool_(pool)
{
}

void Pipeline::use_tables(const abi::TableView& tables)
{
	if (own_macs_) {
		macs_->adopt(tables);
	}
	use_tables(tables, *macs_);
}

void Pipeline::use_tables(const abi::TableView& tables, MacTable& macs)
{
	if (!t_.valid() || t_.header().id_epoch != tables.header().id_epoch) {
		// Renumbered: an old index may now name another tenant's member.
		neighbors_.clear();
	}
	t_ = tables;
	macs_ = &macs;
	aging_ = t_.node().mac_aging_s;
	refresh_ = MacTable::refresh_after(aging_);
	router_key_ = MacTable::key(0, t_.node().router_mac);
	min_mtu_ = UINT32_MAX;
	for (const abi::PortEntry& p : t_.ports) {
		min_mtu_ = std::min(min_mtu_, p.mtu);
	}
}

void Pipeline::age(uint32_t now, size_t budget)
{
	if (t_.valid() && own_macs_) {
		ctr_.mac.aged += macs_->age(now, aging_, budget);
	}
}

void Pipeline::drop(rte_mbuf* m, Drop reason)
{
	ctr_.drops[static_cast<size_t>(reason)]++;
	rte_pktmbuf_free(m);
}

void Pipeline::punt(uint16_t port, rte_mbuf* m, TxBuffers& tx)
{
	ctr_.punted[port]++;
	tx.push_punt(port, m);
}

void Pipeline::run(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx)
{
	if (!t_.valid() || in_port >= t_.ports.size) {
		for (uint16_t i = 0; i < n; ++i) {
			drop(pkts[i], Drop::no_tables);
		}
		return;
	}
	switch (t_.ports[in_port].role) {
		case PortRole::access:
			return run_role<PortRole::access>(in_port, pkts, n, now, tx);
		case PortRole::trunk:
			return run_role<PortRole::trunk>(in_port, pkts, n, now, tx);
		case PortRole::underlay:
			return run_role<PortRole::underlay>(in_port, pkts, n, now, tx);
		case PortRole::interconnect:
			return run_role<PortRole::interconnect>(in_port, pkts, n, now, tx);
	}
}

template <PortRole R>
void Pipeline::run_role(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx)
{
	if constexpr (R == PortRole::interconnect) {
		// Carrier links: few packets per burst compared with the segments, one at a time.
		for (uint16_t i = 0; i < n; ++i) {
			count(ctr_.ports[in_port], true, rte_pktmbuf_pkt_len(pkts[i]));
			run_interconnect(in_port, pkts[i], now, tx);
		}
		return;
	}
	Work work[kStage];
	for (uint16_t base = 0; base < n; base += kStage) {
		const auto count = std::min<uint16_t>(kStage, uint16_t(n - base));
		uint16_t k;
		if constexpr (R == PortRole::access || R == PortRole::trunk) {
			k = classify_tagged<R>(in_port, pkts + base, count, work);
		} else {
			k = classify_underlay(in_port, pkts + base, count, work, tx);
		}
		const uint16_t deferred = bridge(work, k, now, tx);
		act(work + deferred, uint16_t(k - deferred), now, tx);
	}
}

void Pipeline::act(Work* work, uint16_t n, uint32_t now, TxBuffers& tx)
{
	for (uint16_t i = 0; i < n; ++i) {
		Work& w = work[i];
		switch (w.step) {
			case Step::emit:
				emit(w.m, w.in, w.out, tx);
				break;
			case Step::flood:
				flood(w.m, w.in, tx);
				break;
			case Step::route:
				route(w.m, w.in.tenant, w.in.tags_len, now, tx, &w.in, &w);
				break;
			case Step::answer:
				answer_or_forward(w, now, tx);
				break;
			case Step::done:
				break;
		}
	}
}

}  // namespace tsunagi::dp
