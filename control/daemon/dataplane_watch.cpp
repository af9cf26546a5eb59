#include "control/daemon/dataplane_watch.hpp"

#include <ctime>

#include "common/config/values.hpp"
#include "common/report/counter_totals.hpp"
#include "control/daemon/log.hpp"

namespace tsunagi::control {

void DataplaneWatch::open()
{
	if (!stats_) {
		std::string err;
		stats_ = shm::StatsReader::open(names_, err);
	}
}

void DataplaneWatch::forget_if_gone()
{
	if (stats_ && !stats_->alive()) {
		stats_.reset();
	}
}

bool DataplaneWatch::learn_port_macs(config::Config& cfg) const
{
	const auto macs =
	    stats_ && stats_->alive() ? stats_->port_macs() : std::vector<std::array<uint8_t, 6>>{};
	// A dataplane started with other ports than these says nothing about them.
	if (macs.size() != cfg.ports.size()) {
		return false;
	}
	bool changed = false;
	for (size_t i = 0; i < macs.size(); ++i) {
		auto& p = cfg.ports[i];
		if (!p.mac && (!p.device_mac || p.device_mac->bytes != macs[i])) {
			p.device_mac = config::Mac{macs[i]};
			log("port " + p.name + " (no mac: given) has its device's MAC " +
			    config::to_string(*p.device_mac));
			changed = true;
		}
	}
	return changed;
}

uint64_t DataplaneWatch::in_use_generation() const
{
	return stats_ && stats_->alive() ? stats_->in_use_generation() : 0;
}

uint64_t DataplaneWatch::in_use_ns() const
{
	return in_use_generation() != 0 ? stats_->in_use_ns() : 0;
}

std::optional<uint64_t> DataplaneWatch::update_latency_us(uint64_t generation,
                                                          uint64_t publish_ns) const
{
	if (!stats_ || stats_->in_use_generation() != generation ||
	    stats_->in_use_ns() < publish_ns) {
		return std::nullopt;
	}
	return (stats_->in_use_ns() - publish_ns) / 1000;
}

std::optional<shell::DataplaneState> DataplaneWatch::state(const abi::TableView& t,
                                                           size_t n_ports) const
{
	if (!stats_) {
		return std::nullopt;
	}
	shell::DataplaneState d;
	d.pid = stats_->pid();
	d.workers = stats_->n_workers();
	d.alive = stats_->alive();
	d.in_use_generation = stats_->in_use_generation();
	timespec now{};
	clock_gettime(CLOCK_MONOTONIC, &now);
	const uint64_t now_ns = uint64_t(now.tv_sec) * 1000000000ull + uint64_t(now.tv_nsec);
	d.heartbeat_age_ms =
	    now_ns > stats_->heartbeat_ns() ? (now_ns - stats_->heartbeat_ns()) / 1000000 : 0;
	std::vector<const dp::WorkerCounters*> workers;
	for (uint32_t w = 0; w < stats_->n_workers(); ++w) {
		workers.push_back(&stats_->worker(w));
	}
	d.totals = dp::add_up(workers.data(), workers.size(), t.valid() ? t.ports.size : n_ports,
	                      t.valid() ? t.tenants.size : 0);
	return d;
}

}  // namespace tsunagi::control
