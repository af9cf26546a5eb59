// The workers' counter blocks added up: what every reader of counters shows (replay's
// counters.json, the shell, Prometheus). Adding up at read time keeps the fast path free
// of shared writes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/abi/counters.hpp"

namespace tsunagi::dp {

struct CounterTotals {
	std::vector<TrafficCounters> ports;    // by port index
	std::vector<uint64_t> punted;          // by port index
	std::vector<TrafficCounters> tenants;  // by tenant index
	// By tenant index: the most any worker's MAC table holds. Each worker learns the MACs
	// it sees, so one MAC may be in several tables: a sum would count it more than once.
	std::vector<uint32_t> learned_macs;
	std::array<uint64_t, kDropCount> drops{};
	MacCounters mac{};
	uint64_t flooded = 0;

	uint64_t drops_total() const
	{
		uint64_t n = 0;
		for (uint64_t d : drops) {
			n += d;
		}
		return n;
	}
};

void add(TrafficCounters& sum, const TrafficCounters& c);

// `n_ports` and `n_tenants` bound what is read (a table view's section sizes).
CounterTotals add_up(const WorkerCounters* const* workers, size_t n_workers, size_t n_ports,
                     size_t n_tenants);

}  // namespace tsunagi::dp
