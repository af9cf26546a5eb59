// What tsunagid sees of the running dataplane through its counters segment: whether one
// runs, which generation it uses, its counters, and the MACs its ports' devices have.
#pragma once

#include <cstdint>
#include <optional>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"
#include "common/shm/names.hpp"
#include "common/shm/stats_segment.hpp"
#include "control/shell/backend.hpp"

namespace tsunagi::control {

class DataplaneWatch {
public:
	explicit DataplaneWatch(shm::Names names) : names_(std::move(names)) {}

	// Opens the segment when a dataplane has made one since the last call.
	void open();
	// Forgets a segment whose dataplane is gone: a restarted one creates a new segment.
	void forget_if_gone();

	// Puts the MACs the dataplane's devices have into `cfg`'s ports without `mac:`; true
	// when one changed (the tables must then carry it).
	bool learn_port_macs(config::Config& cfg) const;

	// The generation a live dataplane uses, and when it switched to it; 0 when none runs.
	uint64_t in_use_generation() const;
	uint64_t in_use_ns() const;
	// Microseconds from the publication of `generation` (at `publish_ns`) to the dataplane's
	// use of it; nullopt while it does not use it yet.
	std::optional<uint64_t> update_latency_us(uint64_t generation, uint64_t publish_ns) const;
	// The dataplane's state, with counters sized to `t`'s ports and tenants (to `n_ports`
	// ports before there are tables); nullopt when none has run.
	std::optional<shell::DataplaneState> state(const abi::TableView& t, size_t n_ports) const;

	const shm::StatsReader* reader() const { return stats_ ? &*stats_ : nullptr; }

private:
	shm::Names names_;
	std::optional<shm::StatsReader> stats_;
};

}  // namespace tsunagi::control
