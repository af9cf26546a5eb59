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

struct Generation {
	shm::Subscriber::Mapping mapping;
	abi::TableView view;
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
	Worker(unsigned id, WorkerShared& shared, WorkerCounters& counters, rte_mempool* pool,
	       size_t mac_capacity);

	// One pass: pick up a new generation, poll every port once, age a little, report
	// quiescence. Returns the packets received.
	uint32_t iterate();

	// The loop a worker lcore runs until `stop`.
	static int lcore_main(void* worker);

	// For the command socket, on the control thread. The table is read while the worker
	// writes it: readers take each entry's fields with single loads and check its key
	// twice, so a snapshot may miss (or repeat) an entry that moves at that instant.
	const MacTable& macs() const { return macs_; }
	const Pipeline& pipeline() const { return pipeline_; }
	// Asks the worker to clear dynamic MAC entries of `tenant` (MacTable::kAllTenants: all)
	// over its next passes; returns the request's number for clear_done().
	uint64_t request_clear(uint32_t tenant);
	bool clear_done(uint64_t request) const
	{
		return clear_done_.load(std::memory_order_acquire) >= request;
	}
	// Entries removed by every clear so far.
	uint64_t cleared() const { return cleared_.load(std::memory_order_relaxed); }

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
	MacTable macs_;
	Pipeline pipeline_;
	void transmit_from_kernel();

	WorkerCounters& ctr_;
	EthSink sink_;
	TxBuffers tx_;
	const Generation* mine_ = nullptr;
	uint64_t hz_;
	uint64_t next_age_ = 0;
	uint32_t idle_ = 0;
	uint64_t last_tsc_ = 0;       // the start of the pass now running
	uint32_t last_received_ = 0;  // packets the previous pass received

	// clear mac-table: requests from the control thread, done over several passes.
	void take_clear_request();
	void clear_some();
	std::atomic<uint64_t> clear_asked_{0};
	std::atomic<uint32_t> clear_tenant_{MacTable::kAllTenants};
	std::atomic<uint64_t> clear_done_{0};
	std::atomic<uint64_t> cleared_{0};
	uint64_t clearing_ = 0;  // the request being worked on, 0: none
	uint32_t clearing_tenant_ = 0;
	size_t clear_cursor_ = 0;
};

}  // namespace tsunagi::dp
