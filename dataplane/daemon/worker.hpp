// A forwarding worker: polls its RX queue of every port, runs the pipeline, transmits.
//
// The RCU rule: the control thread publishes a Generation with a release store and
// frees the previous one only after rte_rcu_qsbr_synchronize() has seen every worker
// report a quiescent state after that store. A worker reports quiescence once per loop,
// outside any use of the tables, so it never holds a generation across reports.
#pragma once

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <memory>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/shm/subscriber.hpp"
#include "dataplane/daemon/ports.hpp"
#include "dataplane/daemon/punt_path.hpp"
#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::dp {

// A generation as the workers use it: the tables, and the MAC table to use with them — the
// node's, or while the node's is being emptied for renumbered tables, a frozen empty one.
struct Generation {
	shm::Subscriber::Mapping mapping;
	abi::TableView view;
	MacTable* macs;
};

struct WorkerShared {
	std::atomic<const Generation*> current{nullptr};
	std::atomic<bool> stop{false};
	rte_rcu_qsbr* qsv = nullptr;
	const PortSet* ports = nullptr;
	PuntPath* punt = nullptr;
	unsigned idle_sleep_us = 20;
};

class Worker {
public:
	// The worker learns into the MAC table each generation names; the control thread ages
	// and clears it.
	Worker(unsigned id, WorkerShared& shared, WorkerCounters& counters, rte_mempool* pool);

	// One pass: pick up a new generation, poll every port once, report quiescence.
	// Returns the packets received.
	uint32_t iterate();

	// The loop a worker lcore runs until `stop`.
	static int lcore_main(void* worker);

	const Pipeline& pipeline() const { return pipeline_; }

private:
	class EthSink final : public TxSink {
	public:
		EthSink(const WorkerShared& shared, uint16_t queue, WorkerCounters& c)
		    : ports_(*shared.ports), punt_(shared.punt), queue_(queue), ctr_(c)
		{
		}
		void send(uint16_t port, rte_mbuf** pkts, uint16_t n) override;
		void punt(uint16_t port, rte_mbuf** pkts, uint16_t n) override;

	private:
		const PortSet& ports_;
		PuntPath* punt_;
		uint16_t queue_;
		WorkerCounters& ctr_;
	};

	unsigned id_;
	WorkerShared& shared_;
	Pipeline pipeline_;
	void transmit_from_kernel();

	WorkerCounters& ctr_;
	EthSink sink_;
	TxBuffers tx_;
	const Generation* mine_ = nullptr;
	uint32_t idle_ = 0;
	uint64_t last_tsc_ = 0;       // the start of the pass now running
	uint32_t last_received_ = 0;  // packets the previous pass received
};

}  // namespace tsunagi::dp
