// The dataplane's counters as DPDK telemetry commands (dpdk-telemetry.py, or any client of
// the telemetry socket): /tsunagi/ports, /tsunagi/drops and /tsunagi/tenants[,NAME], added up
// from the worker blocks like every other reader's (dp::add_up). docs/metrics.md lists them
// and the shape of their answers.
#pragma once

#include <string>
#include <vector>

#include "common/abi/counters.hpp"
#include "common/abi/table_view.hpp"

namespace tsunagi::dp {

// DPDK offers no way to remove a command, so the commands outlive this object and answer
// with an error once it is gone. One at a time per process.
class TelemetryCommands {
public:
	TelemetryCommands(std::vector<const WorkerCounters*> workers,
	                  std::vector<std::string> ports);
	~TelemetryCommands();
	TelemetryCommands(const TelemetryCommands&) = delete;
	TelemetryCommands& operator=(const TelemetryCommands&) = delete;

	// The tenants' names and indexes of a generation the workers switched to.
	void use_tables(const abi::TableView& view);
};

}  // namespace tsunagi::dp
