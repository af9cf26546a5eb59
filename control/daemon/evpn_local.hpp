// The node's learned MACs out to BGP EVPN: what the dataplane learned on an EVPN tenant's
// attachments and trunks is put on the tenant's shadow port, where zebra finds it and bgpd
// advertises it as a type-2 route; what it forgot, or learned behind a VTEP since, is taken
// off (docs/evpn.md, "Local MACs").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"
#include "common/shm/stats_segment.hpp"
#include "control/dataplane_link/learned_macs.hpp"
#include "control/frr/evpn_fdb.hpp"

namespace tsunagi::control {

class EvpnLocal {
public:
	// One pass of the daemon's loop: follows the dataplane's MAC log (or reads its table
	// whole when it lost track, while the dataplane uses `t`), and brings the shadow
	// ports' entries to what it learned. Returns what it did, for the log.
	std::vector<std::string> pass(const shm::StatsReader* stats, const abi::TableView& t,
	                              const config::Config& cfg);

	const LearnedMacs& learned() const { return learned_; }
	const frr::EvpnFdb& fdb() const { return fdb_; }

private:
	LearnedMacs learned_;
	frr::EvpnFdb fdb_;
	uint64_t pid_ = 0;  // of the dataplane followed
	uint64_t done_version_ = ~uint64_t{0};
	uint64_t done_generation_ = 0;
	std::string last_error_;
};

}  // namespace tsunagi::control
