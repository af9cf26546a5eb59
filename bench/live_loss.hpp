// What the dataplane counted between two readings of its counters segment, and how many
// frames it received but neither sent, dropped (by reason) nor gave the kernel: the loss
// tsunagi-bench-live must find to be zero while tables change under the traffic.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/report/counter_totals.hpp"
#include "common/shm/stats_segment.hpp"

namespace tsunagi::bench {

dp::CounterTotals read_counters(const shm::StatsReader& s, size_t n_ports, size_t n_tenants);

struct Loss {
	uint64_t rx = 0;
	uint64_t tx = 0;
	uint64_t punted = 0;
	std::array<uint64_t, dp::kDropCount> drops{};
	uint64_t tenant_rx = 0;  // of the traffic's tenants [0, n_tenants)
	uint64_t tenant_tx = 0;

	uint64_t dropped() const;
	// Received and unaccounted for; every frame of the traffic leaves as one frame.
	int64_t lost() const { return int64_t(rx) - int64_t(tx + dropped() + punted); }
	// " reason=count" for every reason that dropped something, or " none".
	std::string drop_list() const;
};

Loss loss_between(const dp::CounterTotals& before, const dp::CounterTotals& after,
                  size_t n_tenants);
// Since the dataplane started.
Loss loss_of(const dp::CounterTotals& totals, size_t n_tenants);

}  // namespace tsunagi::bench
