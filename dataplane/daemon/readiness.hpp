// What systemd is told of the dataplane: ready once the workers forward with tsunagid's
// tables and the links are up (or have had 10 s to come up); the watchdog is fed only while
// every worker goes round its loop, so a worker stuck in a pass gets the process restarted.
#pragma once

#include <cstdint>

#include "common/cli/service.hpp"
#include "common/config/model.hpp"
#include "common/shm/stats_segment.hpp"
#include "dataplane/daemon/ports.hpp"

struct rte_rcu_qsbr;

namespace tsunagi::dp {

class Readiness {
public:
	// `inline_worker`: the one worker runs on this thread, so this thread moving is it moving.
	Readiness(const config::Config& cfg, const PortSet& ports, shm::StatsSegment& stats,
	          rte_rcu_qsbr* qsv, bool inline_worker);

	// Runs every millisecond from the main loop.
	void tick();

private:
	const config::Config& cfg_;
	const PortSet& ports_;
	shm::StatsSegment& stats_;
	rte_rcu_qsbr* qsv_;
	bool inline_worker_;
	cli::ServiceNotifier notifier_;
	uint64_t started_;
	uint64_t token_;
};

}  // namespace tsunagi::dp
