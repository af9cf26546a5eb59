// The dataplane's learned MACs as tsunagid knows them: followed through the counters
// segment's MAC log (common/shm/mac_log.hpp), and read whole through the command socket
// when the log ran ahead of this reader (or at start), so nothing the dataplane learned is
// missed for longer than one pass.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "common/shm/mac_log.hpp"

namespace tsunagi::shm {
struct MacDump;
}

namespace tsunagi::control {

class LearnedMacs {
public:
	// Applies what the log holds since the last call. False when this reader lost track
	// (first call, or events overwritten before it read them): call resync().
	bool follow(const shm::MacLogReader& log);
	// The whole table, read after taking the log's head: events from there on apply over it.
	// `epoch`: the id epoch of the tables the dataplane uses.
	void resync(const shm::MacDump& dump, uint64_t head, uint32_t epoch);

	// tenant << 48 | MAC → member, of the dataplane's dynamic entries.
	const std::unordered_map<uint64_t, uint32_t>& entries() const { return entries_; }
	// The id epoch the entries' indexes belong to.
	uint32_t epoch() const { return epoch_; }
	bool synced() const { return synced_; }
	// Events applied and whole reads taken, for the log and metrics.
	uint64_t events() const { return events_; }
	uint64_t resyncs() const { return resyncs_; }
	// Bumped on every change of entries(), so a user can skip unchanged passes.
	uint64_t version() const { return version_; }

private:
	void apply(const shm::MacEvent& e);

	std::unordered_map<uint64_t, uint32_t> entries_;
	uint64_t next_ = 0;
	uint32_t epoch_ = 0;
	bool synced_ = false;
	uint64_t events_ = 0;
	uint64_t resyncs_ = 0;
	uint64_t version_ = 0;
	std::vector<shm::MacEvent> batch_;
};

}  // namespace tsunagi::control
