// `trace PORT HEX-FRAME` (docs/shell.md): a frame through the same pipeline code the
// workers run, on the control thread, with nothing sent and nothing the workers hold
// changed. It has its own MAC table, primed with the node's entries for the frame's MACs,
// the workers' neighbours (hosts found by ARP and ND) and scratch counters; what the frame
// did is read back from those.
#pragma once

#include <rte_mempool.h>

#include <memory>
#include <string>
#include <vector>

#include "dataplane/daemon/worker.hpp"

namespace tsunagi::dp {

class TraceRunner {
public:
	TraceRunner(const std::vector<std::unique_ptr<Worker>>& workers, const WorkerShared& shared,
	            const MacTable& node_macs, rte_mempool* pool);

	// The verdict as JSON (common/shm/command_channel.hpp, Command::trace); an error
	// sentence when the frame cannot be traced.
	std::string run(uint16_t port, const uint8_t* frame, uint32_t len, std::string& error);

private:
	const std::vector<std::unique_ptr<Worker>>& workers_;
	const WorkerShared& shared_;
	const MacTable& node_macs_;
	rte_mempool* pool_;
	MacTable macs_;
	std::unique_ptr<WorkerCounters> counters_;
	Pipeline pipeline_;
};

}  // namespace tsunagi::dp
