// The counters segment: written by the dataplane (its workers' counters, which generation
// they run, a heartbeat), only read by tsunagid. See docs/shared-memory.md.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/abi/counters.hpp"
#include "common/abi/tables.hpp"
#include "common/shm/mac_log.hpp"
#include "common/shm/names.hpp"
#include "common/shm/object.hpp"

namespace tsunagi::shm {

inline constexpr uint64_t kStatsMagic = 0x3154'5453'4e55'5354ull;  // "TSUNSTT1" little-endian
// Bump on any change to StatsHeader or dp::WorkerCounters. The sizes checked beside it catch
// a forgotten bump in the common cases (a drop reason added, a table limit changed).
inline constexpr uint32_t kStatsVersion = 5;

struct StatsHeader {
	uint64_t magic;  // written last on creation (release), like ControlBlock's
	uint32_t version;
	uint32_t header_size;
	uint64_t pid;
	uint32_t n_workers;
	uint32_t worker_size;  // sizeof(dp::WorkerCounters)
	uint32_t n_drops;      // dp::kDropCount
	uint32_t pad0;
	// The generation every worker has switched to, 0 before the first. Stored with release
	// after in_use_ns; read with acquire, which then shows in_use_ns of that switch or later.
	std::atomic<uint64_t> in_use_generation;
	std::atomic<uint64_t> in_use_ns;     // CLOCK_MONOTONIC of that switch
	std::atomic<uint64_t> heartbeat_ns;  // CLOCK_MONOTONIC of the dataplane's last beat()
	uint64_t counters_offset;            // from the header's start, 64-byte aligned
	uint64_t total_size;
	// TSC cycles per second, for WorkerCounters::cycles; 0 until the dataplane sets it.
	std::atomic<uint64_t> tsc_hz;
	// The MACs of the dataplane's ports as their devices have them, by position in the
	// YAML: what a port without `mac:` is known by (tsunagid puts it in the tables).
	// Stored with release after port_macs; 0 until the ports are up.
	std::atomic<uint32_t> n_port_macs;
	uint32_t pad1;
	uint8_t port_macs[abi::kMaxPorts][8];
	// The learned-MAC log (mac_log.hpp): mac_log_events MacEvents at mac_log_offset from
	// the header's start, after the counters; mac_log_head counts the events appended.
	uint64_t mac_log_offset;
	uint32_t mac_log_events;
	uint32_t pad2;
	std::atomic<uint64_t> mac_log_head;
};

static_assert(std::is_standard_layout_v<StatsHeader>);
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<uint64_t>) == sizeof(uint64_t));
static_assert(alignof(dp::WorkerCounters) == 64);

// The dataplane's writable view.
class StatsSegment {
public:
	// Creates the segment for `n_workers` with zeroed counters. An existing one is
	// replaced when its dataplane is gone (its pid does not exist, or it stopped beating
	// `stale_ms` ago) or it is not a segment of this version; one of a running dataplane is
	// an error, since two dataplanes of one node would fight over the ports.
	static std::optional<StatsSegment> create(const Names& names, uint32_t n_workers,
	                                          mode_t mode, std::optional<gid_t> group,
	                                          std::string& error, uint64_t stale_ms = 5000);
	static std::optional<StatsSegment> create(const Names& names, uint32_t n_workers,
	                                          mode_t mode, std::string& error)
	{
		return create(names, n_workers, mode, std::nullopt, error);
	}

	dp::WorkerCounters& worker(uint32_t i) { return workers_[i]; }
	uint32_t n_workers() const { return header_->n_workers; }
	// Where the MAC table reports its learned MACs' changes.
	MacLogWriter mac_log();
	StatsHeader& header() { return *header_; }

	// Relaxed: set once before the workers start, read as a plain value.
	void set_tsc_hz(uint64_t hz) { header_->tsc_hz.store(hz, std::memory_order_relaxed); }
	// Once, when the ports are up: six bytes each, at most abi::kMaxPorts.
	void set_port_macs(const std::vector<std::array<uint8_t, 6>>& macs);

	// Every worker now runs generation `gen` (the old one may be reclaimed).
	void set_in_use(uint64_t gen);
	// Tells readers this dataplane is alive; call it from the main loop, at least once a
	// second.
	void beat();

	// Removes the name, for a clean shutdown; the mapping stays usable until destruction.
	void unlink();

private:
	StatsSegment(Object o, uint32_t n_workers);

	Object object_;
	StatsHeader* header_;
	dp::WorkerCounters* workers_;
};

// tsunagid's read-only view.
class StatsReader {
public:
	// Opens and checks the segment. nullopt with an empty `error` when there is none (no
	// dataplane has started); with `error` set when it is refused.
	static std::optional<StatsReader> open(const Names& names, std::string& error);

	uint32_t n_workers() const { return header_->n_workers; }
	const dp::WorkerCounters& worker(uint32_t i) const { return workers_[i]; }
	uint64_t pid() const { return header_->pid; }

	// Acquire: pairs with set_in_use's release, so in_use_ns() read after it is that
	// switch's time or a later one's.
	uint64_t in_use_generation() const
	{
		return header_->in_use_generation.load(std::memory_order_acquire);
	}
	uint64_t in_use_ns() const { return header_->in_use_ns.load(std::memory_order_relaxed); }
	uint64_t heartbeat_ns() const
	{
		return header_->heartbeat_ns.load(std::memory_order_relaxed);
	}

	uint64_t tsc_hz() const { return header_->tsc_hz.load(std::memory_order_relaxed); }
	MacLogReader mac_log() const;
	// The devices' MACs, by port position; empty until the dataplane's ports are up.
	std::vector<std::array<uint8_t, 6>> port_macs() const;

	// Its dataplane's process exists and beat within `max_age_ms`.
	bool alive(uint64_t max_age_ms = 2000) const;

	// The name now refers to another object (a dataplane restarted) or to none: reopen.
	bool replaced() const;

private:
	explicit StatsReader(Object o);

	Object object_;
	const StatsHeader* header_;
	const dp::WorkerCounters* workers_;
};

}  // namespace tsunagi::shm
