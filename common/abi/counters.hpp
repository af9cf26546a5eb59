// Per-worker counters. Each worker writes only its own block with plain stores; readers
// (replay summary, later the shell and Prometheus) add the blocks up when they read.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/abi/mac_entries.hpp"
#include "common/abi/tables.hpp"

namespace tsunagi::dp {

enum class Drop : uint8_t {
#define X(name, help) name,
#include "common/abi/drop_reasons.def"
#undef X
	count_
};

inline constexpr size_t kDropCount = static_cast<size_t>(Drop::count_);

inline constexpr std::array<std::string_view, kDropCount> kDropNames = {
#define X(name, help) #name,
#include "common/abi/drop_reasons.def"
#undef X
};

inline constexpr std::array<std::string_view, kDropCount> kDropHelp = {
#define X(name, help) help,
#include "common/abi/drop_reasons.def"
#undef X
};

struct TrafficCounters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
};

struct MacCounters {
	uint64_t learned;
	uint64_t moved;
	uint64_t aged;
	uint64_t table_full;  // a new MAC not learned because the table was full
};

// Where a worker's time goes, in TSC cycles (StatsHeader::tsc_hz converts): every loop
// pass, and the passes that received packets. Read once per pass, not per packet.
struct LoopCycles {
	uint64_t busy;
	uint64_t total;
};

// alignas keeps two workers' blocks off the same cache line.
struct alignas(64) WorkerCounters {
	std::array<TrafficCounters, abi::kMaxPorts> ports;
	std::array<uint64_t, kDropCount> drops;
	std::array<uint64_t, abi::kMaxPorts> punted;  // to the kernel: ARP, ND, ICMP to the node
	MacCounters mac;
	LoopCycles cycles;
	uint64_t flooded;  // frames sent to every other member of their segment
	std::array<TrafficCounters, abi::kMaxTenants + 1> tenants;
	// Learned entries in this worker's MAC table, by tenant (a gauge the table keeps).
	std::array<uint32_t, abi::kMaxTenants + 1> learned_macs;
};

}  // namespace tsunagi::dp
