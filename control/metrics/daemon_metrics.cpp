#include "control/metrics/daemon_metrics.hpp"

#include <algorithm>
#include <chrono>

#include "common/config/values.hpp"
#include "common/report/counter_totals.hpp"
#include "common/shm/object.hpp"
#include "control/compile/vrf_plan.hpp"
#include "control/routes/evpn_tenants.hpp"

#ifndef TSUNAGI_VERSION
#define TSUNAGI_VERSION "unknown"
#endif

namespace tsunagi::metrics {

namespace {

constexpr uint64_t kRetryNs = 5'000'000'000;

double unix_now()
{
	return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

// Routes each VRF of `cfg` holds before any carrier sends one: what plan_vrf makes of the
// YAML (gateways, static routes, hosts, Option-A links).
std::map<std::string, uint64_t> configured_routes(const config::Config& cfg)
{
	std::map<std::string, uint16_t> port_index;
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		port_index[cfg.ports[i].name] = uint16_t(i);
	}
	const compile::VrfSources sources(cfg);
	std::map<std::string, uint64_t> out;
	for (size_t i = 0; i < cfg.tenants.size(); ++i) {
		const config::Tenant& t = cfg.tenants[i];
		if (t.vrf) {
			out[t.name] = compile::plan_vrf(cfg, sources, t, uint32_t(i), port_index)
			                  .routes.size();
		}
	}
	return out;
}

}  // namespace

DaemonMetrics::DaemonMetrics()
    : latency_(update_latency_bounds()),
      started_ns_(shm::monotonic_ns()),
      reload_success_s_(unix_now())
{
}

bool DaemonMetrics::listen(const ListenAddress& where, size_t max_tenants, GetSources sources,
                           std::string& error)
{
	sources_ = std::move(sources);
	max_tenants_ = max_tenants;
	where_ = where;
	if (!try_listen(error)) {
		error += "; trying again every 5 s";
		return false;
	}
	return true;
}

bool DaemonMetrics::try_listen(std::string& error)
{
	http_ = HttpEndpoint::open(
	    *where_, [this] { return render(snapshot(sources_())); }, error);
	if (http_ == nullptr) {
		retry_ns_ = shm::monotonic_ns() + kRetryNs;
		return false;
	}
	return true;
}

void DaemonMetrics::add_fds(std::vector<pollfd>& fds) const
{
	if (http_) {
		http_->add_fds(fds);
	}
}

std::string DaemonMetrics::serve()
{
	if (http_) {
		http_->serve();
		return {};
	}
	if (!where_ || shm::monotonic_ns() < retry_ns_) {
		return {};
	}
	std::string error;
	if (!try_listen(error)) {
		return {};
	}
	return "metrics: listening on " + where_->text + " now";
}

void DaemonMetrics::reloaded(bool ok, const config::Config* cfg)
{
	reload_ok_ = ok;
	if (ok) {
		reload_success_s_ = unix_now();
		if (cfg != nullptr) {
			configured_routes_ = configured_routes(*cfg);
		}
	}
}

void DaemonMetrics::dataplane_seen(uint64_t published, uint64_t publish_ns, uint64_t in_use,
                                   uint64_t in_use_ns)
{
	// Timed: a publication the running dataplane switched to. Not the first generation a
	// dataplane takes (that measures its start, not an update), nor one published before
	// this daemon started (adopted after a restart). Only the newest publication has its
	// time in the control block, so only it is timed.
	const uint64_t before = in_use_;
	in_use_ = in_use;
	if (before == 0 || in_use == before || in_use != published) {
		return;
	}
	if (publish_ns >= started_ns_ && in_use_ns >= publish_ns) {
		latency_.observe(double(in_use_ns - publish_ns) / 1e9);
	}
}

Snapshot DaemonMetrics::snapshot(const Sources& src) const
{
	Snapshot s;
	s.version = TSUNAGI_VERSION;
	s.view = src.view;
	s.published_generation = src.published_generation;
	s.update_latency = &latency_;
	s.reload_ok = reload_ok_;
	s.reload_success_s = reload_success_s_;
	s.max_tenants = max_tenants_;
	if (src.stats != nullptr && src.stats->alive()) {
		const shm::StatsReader& st = *src.stats;
		s.dataplane_up = true;
		s.in_use_generation = st.in_use_generation();
		std::vector<const dp::WorkerCounters*> workers;
		for (uint32_t w = 0; w < st.n_workers(); ++w) {
			workers.push_back(&st.worker(w));
		}
		if (src.view.valid()) {
			s.counters = dp::add_up(workers.data(), workers.size(), src.view.ports.size,
			                        src.view.tenants.size);
		}
		if (const double hz = double(st.tsc_hz()); hz > 0) {
			for (const dp::WorkerCounters* w : workers) {
				s.workers.push_back(
				    {double(w->cycles.busy) / hz, double(w->cycles.total) / hz});
			}
		}
	}
	std::map<std::string, uint64_t> routes = configured_routes_;
	if (src.rib != nullptr) {
		for (const auto& [tenant, n] : src.rib->imported_by_tenant()) {
			routes[tenant] += n;
		}
	}
	for (const auto& [tenant, n] : routes) {
		s.vrf_routes.push_back({tenant, n});
	}
	if (src.rib != nullptr && src.cfg != nullptr) {
		s.bgp.emplace();
		for (const auto& p : src.cfg->peers) {
			// Option B sessions are the ones bgpd mirrors to the route feed.
			if (p.option != config::PeerOption::B || !p.address) {
				continue;
			}
			bool up = false;
			for (const auto& a : src.bgp_up) {
				up = up || a == *p.address;
			}
			s.bgp->push_back({p.name, up});
		}
	}
	if (src.evpn != nullptr && src.cfg != nullptr && src.cfg->node.evpn) {
		// EVPN sessions have no name in the YAML: their address is the label.
		for (const auto& p : src.cfg->node.evpn->peers) {
			const bool up = std::find(src.bgp_up.begin(), src.bgp_up.end(),
			                          p.address) != src.bgp_up.end();
			if (!s.bgp) {
				s.bgp.emplace();
			}
			s.bgp->push_back({config::to_string(p.address), up});
		}
		s.evpn.emplace();
		for (const auto& t : src.cfg->tenants) {
			if (t.evpn) {
				const auto use = routes::evpn_use(t, src.cfg->node, *src.evpn);
				const auto local = src.evpn_local.find(t.vni);
				s.evpn->push_back(
				    {t.name, use.flood.size(), use.macs.size(),
				     local != src.evpn_local.end() ? local->second : 0});
			}
		}
	}
	return s;
}

}  // namespace tsunagi::metrics
