#include "common/shm/stats_segment.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <new>

namespace tsunagi::shm {

namespace {

uint64_t counters_offset()
{
	return (sizeof(StatsHeader) + alignof(dp::WorkerCounters) - 1) &
	       ~uint64_t{alignof(dp::WorkerCounters) - 1};
}

uint64_t mac_log_offset(uint32_t n_workers)
{
	return counters_offset() + uint64_t{n_workers} * sizeof(dp::WorkerCounters);
}

uint64_t magic_of(const StatsHeader& h)
{
	// Acquire: pairs with the release store that completes creation, so the fields
	// checked after it are the creator's.
	return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(h.magic))
	    .load(std::memory_order_acquire);
}

bool process_exists(uint64_t pid)
{
	if (pid == 0 || pid > static_cast<uint64_t>(INT32_MAX)) {
		return false;
	}
	// EPERM: it exists, under another user.
	return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// Why a mapped segment cannot be read; "" when it can.
std::string judge(const Object& o)
{
	if (o.size() < sizeof(StatsHeader)) {
		return "it is smaller than its header";
	}
	const auto& h = *static_cast<const StatsHeader*>(o.data());
	const uint64_t magic = magic_of(h);
	if (magic == 0) {
		return "it was never completed";
	}
	if (magic != kStatsMagic) {
		return "it is not a Tsunagi counters segment";
	}
	if (h.version != kStatsVersion || h.header_size != sizeof(StatsHeader) ||
	    h.worker_size != sizeof(dp::WorkerCounters) || h.n_drops != dp::kDropCount) {
		return "its layout (version " + std::to_string(h.version) + ", " +
		       std::to_string(h.n_drops) + " drop reasons) is not this build's (version " +
		       std::to_string(kStatsVersion) + ", " + std::to_string(dp::kDropCount) +
		       "); run a tsunagid and tsunagi-dataplane of the same release";
	}
	if (h.counters_offset % alignof(dp::WorkerCounters) != 0 ||
	    h.counters_offset < sizeof(StatsHeader) || h.total_size > o.size() ||
	    h.n_workers > (o.size() - h.counters_offset) / sizeof(dp::WorkerCounters)) {
		return "its header is inconsistent with its size";
	}
	const uint64_t log_end = h.mac_log_offset + uint64_t{h.mac_log_events} * sizeof(MacEvent);
	if (h.mac_log_events == 0 || (h.mac_log_events & (h.mac_log_events - 1)) != 0 ||
	    h.mac_log_offset % alignof(MacEvent) != 0 ||
	    h.mac_log_offset <
	        h.counters_offset + uint64_t{h.n_workers} * sizeof(dp::WorkerCounters) ||
	    log_end > o.size()) {
		return "its MAC log lies outside it";
	}
	return {};
}

}  // namespace

std::optional<StatsSegment> StatsSegment::create(const Names& names, uint32_t n_workers,
                                                 mode_t mode, std::optional<gid_t> group,
                                                 std::string& error, uint64_t stale_ms)
{
	const uint64_t size =
	    mac_log_offset(n_workers) + uint64_t{kMacLogEvents} * sizeof(MacEvent);
	for (int round = 0; round < 3; ++round) {
		int err = 0;
		auto o = Object::create(names.stats, size, mode, group, error, &err);
		if (o) {
			error.clear();
			return StatsSegment(std::move(*o), n_workers);
		}
		if (err != EEXIST) {
			return std::nullopt;
		}
		std::string why;
		auto old = Object::open(names.stats, Object::Access::read_only, why, &err);
		if (old && judge(*old).empty()) {
			const auto& h = *static_cast<const StatsHeader*>(old->data());
			const uint64_t beat = h.heartbeat_ns.load(std::memory_order_relaxed);
			const uint64_t now = monotonic_ns();
			const bool beating = beat > now || now - beat < stale_ms * 1'000'000;
			if (process_exists(h.pid) && beating) {
				error = "counters segment " + names.stats +
				        " belongs to a running dataplane (pid " +
				        std::to_string(h.pid) + ") of this node";
				return std::nullopt;
			}
		} else if (!old && err != ENOENT && err != ENODATA) {
			error = why;  // e.g. another user's: not ours to replace
			return std::nullopt;
		}
		// A dead dataplane's, or unreadable: its readers keep their mapping.
		if (!Object::unlink(names.stats, error, &err) && err != ENOENT) {
			return std::nullopt;
		}
	}
	error = "cannot create counters segment " + names.stats + ": it keeps reappearing";
	return std::nullopt;
}

StatsSegment::StatsSegment(Object o, uint32_t n_workers) : object_(std::move(o))
{
	auto* base = static_cast<char*>(object_.data());
	// The atomics need constructing; the counters are plain integers that ftruncate's
	// zero fill already made 0.
	header_ = new (base) StatsHeader{};
	const uint64_t off = counters_offset();
	header_->version = kStatsVersion;
	header_->header_size = sizeof(StatsHeader);
	header_->pid = static_cast<uint64_t>(getpid());
	header_->worker_size = sizeof(dp::WorkerCounters);
	header_->n_drops = dp::kDropCount;
	header_->n_workers = n_workers;
	header_->counters_offset = off;
	header_->mac_log_offset = mac_log_offset(n_workers);
	header_->mac_log_events = kMacLogEvents;
	header_->total_size = object_.size();
	header_->heartbeat_ns.store(monotonic_ns(), std::memory_order_relaxed);
	workers_ = reinterpret_cast<dp::WorkerCounters*>(base + off);
	// Release: a reader that sees the magic sees the fields above.
	std::atomic_ref<uint64_t>(header_->magic).store(kStatsMagic, std::memory_order_release);
}

MacLogWriter StatsSegment::mac_log()
{
	auto* ring = reinterpret_cast<MacEvent*>(static_cast<char*>(object_.data()) +
	                                         header_->mac_log_offset);
	return MacLogWriter(ring, header_->mac_log_events, &header_->mac_log_head);
}

void StatsSegment::set_in_use(uint64_t gen)
{
	// in_use_ns first and relaxed; the release store publishes both together, so a reader
	// acquiring `gen` cannot pair it with an earlier switch's time.
	header_->in_use_ns.store(monotonic_ns(), std::memory_order_relaxed);
	header_->in_use_generation.store(gen, std::memory_order_release);
}

void StatsSegment::beat()
{
	// Relaxed: a freshness signal that orders nothing else.
	header_->heartbeat_ns.store(monotonic_ns(), std::memory_order_relaxed);
}

void StatsSegment::unlink()
{
	std::string error;
	Object::unlink(object_.name(), error);
}

std::optional<StatsReader> StatsReader::open(const Names& names, std::string& error)
{
	int err = 0;
	std::string why;
	auto o = Object::open(names.stats, Object::Access::read_only, why, &err);
	if (!o) {
		// No dataplane yet, or one still creating it: nothing to read, not an error.
		error = err == ENOENT || err == ENODATA ? std::string{} : why;
		return std::nullopt;
	}
	why = judge(*o);
	if (why == "it was never completed") {
		error.clear();
		return std::nullopt;
	}
	if (!why.empty()) {
		error = "refusing counters segment " + names.stats + ": " + why;
		return std::nullopt;
	}
	error.clear();
	return StatsReader(std::move(*o));
}

StatsReader::StatsReader(Object o) : object_(std::move(o))
{
	const auto* base = static_cast<const char*>(object_.data());
	header_ = reinterpret_cast<const StatsHeader*>(base);
	workers_ = reinterpret_cast<const dp::WorkerCounters*>(base + header_->counters_offset);
}

MacLogReader StatsReader::mac_log() const
{
	const auto* ring = reinterpret_cast<const MacEvent*>(
	    static_cast<const char*>(object_.data()) + header_->mac_log_offset);
	return MacLogReader(ring, header_->mac_log_events, &header_->mac_log_head);
}

bool StatsReader::alive(uint64_t max_age_ms) const
{
	const uint64_t beat = heartbeat_ns();
	const uint64_t now = monotonic_ns();
	const bool recent = beat <= now ? now - beat <= max_age_ms * 1'000'000 : true;
	return recent && process_exists(header_->pid);
}

bool StatsReader::replaced() const
{
	return Object::identify(object_.name()) != object_.identity();
}

void StatsSegment::set_port_macs(const std::vector<std::array<uint8_t, 6>>& macs)
{
	const size_t n = std::min<size_t>(macs.size(), abi::kMaxPorts);
	for (size_t i = 0; i < n; ++i) {
		std::copy(macs[i].begin(), macs[i].end(), header_->port_macs[i]);
	}
	// Release: a reader that sees the count sees the MACs.
	header_->n_port_macs.store(uint32_t(n), std::memory_order_release);
}

std::vector<std::array<uint8_t, 6>> StatsReader::port_macs() const
{
	const uint32_t n = std::min<uint32_t>(header_->n_port_macs.load(std::memory_order_acquire),
	                                      abi::kMaxPorts);
	std::vector<std::array<uint8_t, 6>> out(n);
	for (uint32_t i = 0; i < n; ++i) {
		std::copy_n(header_->port_macs[i], 6, out[i].begin());
	}
	return out;
}

}  // namespace tsunagi::shm
