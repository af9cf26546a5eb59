#include "control/daemon/evpn_local.hpp"

#include "control/dataplane_link/command_client.hpp"

namespace tsunagi::control {

std::vector<std::string> EvpnLocal::pass(const shm::StatsReader* stats, const abi::TableView& t,
                                         const config::Config& cfg)
{
	std::vector<std::string> log;
	if (stats == nullptr || !t.valid()) {
		return log;
	}
	if (stats->pid() != pid_) {
		// Another dataplane: its table starts empty, and its log at 0.
		learned_ = LearnedMacs{};
		pid_ = stats->pid();
	}
	const shm::MacLogReader mac_log = stats->mac_log();
	if (!learned_.follow(mac_log)) {
		// The dump's indexes are those of the tables the dataplane uses: only read it
		// while that is `t`, whose epoch then names them.
		if (stats->in_use_generation() != t.generation()) {
			return log;
		}
		const uint64_t head = mac_log.head();
		std::string error;
		const auto dump = shm::dump_macs(cfg.node.runtime_dir, abi::kAllTenants, error);
		if (!dump) {
			if (error != last_error_) {
				log.push_back(
				    "EVPN local MACs: cannot read the dataplane's MAC table: " +
				    error);
				last_error_ = error;
			}
			return log;
		}
		last_error_.clear();
		learned_.resync(*dump, head, t.header().id_epoch);
	}
	// Tables of another numbering than the entries' say nothing of them: wait until the
	// dataplane took them (and forgot its entries) rather than withdraw every MAC.
	if (learned_.epoch() != t.header().id_epoch ||
	    (learned_.version() == done_version_ && t.generation() == done_generation_)) {
		return log;
	}
	if (fdb_.sync(frr::evpn_local_macs(t, cfg, learned_.entries(), learned_.epoch()), log)) {
		done_version_ = learned_.version();
		done_generation_ = t.generation();
	}
	return log;
}

}  // namespace tsunagi::control
