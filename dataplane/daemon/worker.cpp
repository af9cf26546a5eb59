#include "dataplane/daemon/worker.hpp"

#include "dataplane/pkt/stripped_tag.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <ctime>

namespace tsunagi::dp {

namespace {

constexpr uint16_t kBurst = 32;
// Empty polls before a worker naps: an idle node gives its cores back, a busy one never
// sleeps (set idle_sleep_us to 0 for pure polling).
constexpr uint32_t kIdlePolls = 1024;

uint32_t now_seconds()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint32_t(ts.tv_sec);
}

}  // namespace

void Worker::EthSink::send(uint16_t port, rte_mbuf** pkts, uint16_t n)
{
	const uint16_t sent = rte_eth_tx_burst(ports_.dpdk_id[port], queue_, pkts, n);
	if (sent < n) {
		ctr_.drops[size_t(Drop::tx_full)] += n - sent;
		// Undo the transmit counts TxBuffers made for what did not leave.
		for (uint16_t i = sent; i < n; ++i) {
			ctr_.ports[port].tx_packets--;
			ctr_.ports[port].tx_bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		}
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

void Worker::EthSink::punt(uint16_t port, rte_mbuf** pkts, uint16_t n)
{
	const uint16_t refused = punt_ == nullptr ? n : punt_->to_kernel(port, pkts, n);
	if (refused != 0) {
		ctr_.drops[size_t(Drop::punt_full)] += refused;
		rte_pktmbuf_free_bulk(pkts + (n - refused), refused);
	}
}

void Worker::transmit_from_kernel()
{
	rte_mbuf* pkts[kBurst];
	const uint16_t n = shared_.punt->from_kernel(pkts, kBurst);
	for (uint16_t i = 0; i < n; ++i) {
		tx_.push(pkts[i]->port, pkts[i]);
	}
}

Worker::Worker(unsigned id, WorkerShared& shared, WorkerCounters& counters, rte_mempool* pool)
    : id_(id),
      shared_(shared),
      pipeline_(counters, pool),
      ctr_(counters),
      sink_(shared, uint16_t(id), counters),
      tx_(sink_, counters)
{
	pipeline_.set_chain_ports(shared.ports->chain_tx);
}

uint32_t Worker::iterate()
{
	// The pass that ended now counts as busy when it received packets: one TSC read per
	// pass.
	const uint64_t tsc = rte_rdtsc();
	const uint64_t pass = last_tsc_ == 0 ? 0 : tsc - last_tsc_;
	last_tsc_ = tsc;
	ctr_.cycles.total += pass;
	if (last_received_ != 0) {
		ctr_.cycles.busy += pass;
	}
	// Acquire pairs with the control thread's release store: the mapping's contents
	// are visible before we read through the pointer.
	const Generation* g = shared_.current.load(std::memory_order_acquire);
	if (g != mine_) {
		mine_ = g;
		if (g != nullptr) {
			pipeline_.use_tables(g->view, *g->macs);
		}
	}
	uint32_t total = 0;
	if (mine_ != nullptr) {
		const uint32_t now = now_seconds();
		const auto& ids = shared_.ports->dpdk_id;
		rte_mbuf* pkts[kBurst];
		for (uint16_t p = 0; p < ids.size(); ++p) {
			const uint16_t n = rte_eth_rx_burst(ids[p], uint16_t(id_), pkts, kBurst);
			if (n != 0) {
				if (shared_.ports->strips_tags[p]) {
					pkt::restore_stripped_tags(pkts, n);
				}
				pipeline_.run(p, pkts, n, now, tx_);
				total += n;
			}
		}
		if (id_ == 0 && shared_.punt != nullptr) {
			// Worker 0 owns a TX queue on every port: what the kernel sends leaves
			// here.
			transmit_from_kernel();
		}
		tx_.flush_all();
	}
	rte_rcu_qsbr_quiescent(shared_.qsv, id_);
	if (total == 0 && shared_.idle_sleep_us != 0 && ++idle_ >= kIdlePolls) {
		rte_delay_us_sleep(shared_.idle_sleep_us);
	} else if (total != 0) {
		idle_ = 0;
	}
	last_received_ = total;
	return total;
}

int Worker::lcore_main(void* arg)
{
	auto& w = *static_cast<Worker*>(arg);
	rte_rcu_qsbr_thread_register(w.shared_.qsv, w.id_);
	rte_rcu_qsbr_thread_online(w.shared_.qsv, w.id_);
	while (!w.shared_.stop.load(std::memory_order_relaxed)) {
		w.iterate();
	}
	rte_rcu_qsbr_thread_offline(w.shared_.qsv, w.id_);
	rte_rcu_qsbr_thread_unregister(w.shared_.qsv, w.id_);
	return 0;
}

}  // namespace tsunagi::dp
