// Follows the tables tsunagid publishes: attaches to each new generation, hands it to the
// workers under RCU and retires the old one once no worker can still be reading it; keeps
// the node's MAC table in step with the tables and ages it.
#pragma once

#include <string>

#include "common/shm/stats_segment.hpp"
#include "common/shm/subscriber.hpp"
#include "dataplane/daemon/telemetry.hpp"
#include "dataplane/daemon/worker.hpp"

namespace tsunagi::dp {

class TableFollower {
public:
	// `self_id`: the RCU thread id of a worker on this thread (single lcore), else -1.
	TableFollower(shm::Subscriber& sub, shm::StatsSegment& stats, WorkerShared& shared,
	              int self_id, TelemetryCommands& telemetry, MacTable& macs);
	~TableFollower();

	// Runs often (every millisecond): the punt path's latency is ARP's and ND's.
	void service();
	// Picks up a generation tsunagid published, and retires the one it replaced.
	void step();

private:
	// MAC aging: a slice of the table each millisecond, the whole table every second or so.
	static constexpr size_t kAgeSlots = 2048;

	void publish(const Generation* g);
	void retire();

	const Generation* retired_ = nullptr;
	const Generation* pending_ = nullptr;

	shm::Subscriber& sub_;
	shm::StatsSegment& stats_;
	WorkerShared& shared_;
	int self_id_;
	TelemetryCommands& telemetry_;
	MacTable& macs_;
	MacTable frozen_;
	std::string last_error_;
};

}  // namespace tsunagi::dp
