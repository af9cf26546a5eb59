#include "control/metrics/render.hpp"

namespace tsunagi::metrics {

namespace {

using dp::TrafficCounters;

// The four traffic counters of a port or a tenant, as families `PREFIX_rx_packets_total`
// and so on, one sample per (name, counters).
struct TrafficFamily {
	const char* suffix;
	const char* help;
	uint64_t TrafficCounters::*field;
};

constexpr TrafficFamily kTraffic[] = {
    {"rx_packets_total", "Packets received", &TrafficCounters::rx_packets},
    {"rx_bytes_total", "Bytes received", &TrafficCounters::rx_bytes},
    {"tx_packets_total", "Packets sent", &TrafficCounters::tx_packets},
    {"tx_bytes_total", "Bytes sent", &TrafficCounters::tx_bytes},
};

template <class Rows>
void traffic(Exposition& e, std::string_view prefix, std::string_view label, std::string_view whose,
             const Rows& rows)
{
	for (const auto& f : kTraffic) {
		const std::string name = std::string(prefix) + f.suffix;
		e.family(name, Type::counter, std::string(f.help) + " " + std::string(whose));
		for (const auto& [key, c] : rows) {
			e.sample(name, {{label, key}}, c.*f.field);
		}
	}
}

void ports(Exposition& e, const Snapshot& s)
{
	std::vector<std::pair<std::string_view, TrafficCounters>> rows;
	if (s.counters && s.view.valid()) {
		for (size_t p = 0; p < s.counters->ports.size(); ++p) {
			rows.emplace_back(s.view.name(s.view.ports[p].name), s.counters->ports[p]);
		}
	}
	traffic(e, "tsunagi_port_", "port", "on the port, the punt path's included", rows);
	e.family("tsunagi_port_punted_packets_total", Type::counter,
	         "Packets received on the port and handed to the kernel (ARP, ND, BGP, ICMP to "
	         "the node's addresses)");
	for (size_t p = 0; p < rows.size(); ++p) {
		e.sample("tsunagi_port_punted_packets_total", {{"port", rows[p].first}},
		         s.counters->punted[p]);
	}
}

// The first max_tenants live tenants by index have series of their own; the others are
// summed into one, so sum() over tenants stays the node's total at any scale.
void tenants(Exposition& e, const Snapshot& s)
{
	std::vector<std::pair<std::string_view, TrafficCounters>> rows;
	std::vector<uint64_t> macs;  // beside rows
	if (s.counters && s.view.valid()) {
		const dp::CounterTotals& c = *s.counters;
		TrafficCounters other{};
		uint64_t other_macs = 0;
		bool any_other = false;
		for (size_t t = 0; t < c.tenants.size() && t < s.view.tenants.size; ++t) {
			const abi::TenantEntry& te = s.view.tenants[t];
			if (te.live == 0) {
				continue;
			}
			if (rows.size() < s.max_tenants) {
				rows.emplace_back(s.view.name(te.name), c.tenants[t]);
				macs.push_back(c.learned_macs[t]);
			} else {
				dp::add(other, c.tenants[t]);
				other_macs += c.learned_macs[t];
				any_other = true;
			}
		}
		if (any_other) {
			rows.emplace_back(kOtherTenants, other);
			macs.push_back(other_macs);
		}
	}
	traffic(e, "tsunagi_tenant_", "tenant", "by the tenant's segment", rows);
	e.family("tsunagi_tenant_learned_macs", Type::gauge,
	         "MAC addresses learned in the tenant's segment (static ones not included); with "
	         "several workers, the most any worker's table holds");
	for (size_t i = 0; i < rows.size(); ++i) {
		e.sample("tsunagi_tenant_learned_macs", {{"tenant", rows[i].first}}, macs[i]);
	}
}

void drops(Exposition& e, const Snapshot& s)
{
	std::string help = "Packets dropped, by reason:";
	for (size_t r = 0; r < dp::kDropCount; ++r) {
		help += std::string(r == 0 ? " " : "; ") + std::string(dp::kDropNames[r]) + ": " +
		        std::string(dp::kDropHelp[r]);
	}
	e.family("tsunagi_drops_total", Type::counter, help);
	if (s.counters) {
		for (size_t r = 0; r < dp::kDropCount; ++r) {
			e.sample("tsunagi_drops_total", {{"reason", dp::kDropNames[r]}},
			         s.counters->drops[r]);
		}
	}
}

void macs(Exposition& e, const Snapshot& s)
{
	const struct {
		const char* name;
		const char* help;
		uint64_t dp::MacCounters::*field;
	} rows[] = {
	    {"tsunagi_mac_learned_total", "MAC addresses learned", &dp::MacCounters::learned},
	    {"tsunagi_mac_moved_total", "Learned MAC addresses that moved to another member",
	     &dp::MacCounters::moved},
	    {"tsunagi_mac_aged_total", "Learned MAC addresses that aged out",
	     &dp::MacCounters::aged},
	    {"tsunagi_mac_table_full_total", "New MAC addresses not learned: the table was full",
	     &dp::MacCounters::table_full},
	};
	for (const auto& r : rows) {
		e.family(r.name, Type::counter, r.help);
		if (s.counters) {
			e.sample(r.name, {}, s.counters->mac.*r.field);
		}
	}
	e.family("tsunagi_flooded_frames_total", Type::counter,
	         "Frames flooded to every other member of their segment (unknown unicast, "
	         "broadcast, multicast)");
	if (s.counters) {
		e.sample("tsunagi_flooded_frames_total", {}, s.counters->flooded);
	}
}

void workers(Exposition& e, const Snapshot& s)
{
	e.family("tsunagi_worker_busy_seconds_total", Type::counter,
	         "Time the dataplane worker spent in loop passes that received packets; busy "
	         "ratio: rate(this) / rate(tsunagi_worker_seconds_total)");
	for (size_t w = 0; w < s.workers.size(); ++w) {
		const std::string n = std::to_string(w);
		e.sample("tsunagi_worker_busy_seconds_total", {{"worker", n}}, s.workers[w].busy_s);
	}
	e.family("tsunagi_worker_seconds_total", Type::counter,
	         "Time the dataplane worker has run its loop (busy, idle polling and naps)");
	for (size_t w = 0; w < s.workers.size(); ++w) {
		const std::string n = std::to_string(w);
		e.sample("tsunagi_worker_seconds_total", {{"worker", n}}, s.workers[w].total_s);
	}
}

void control(Exposition& e, const Snapshot& s)
{
	e.family("tsunagi_build_info", Type::gauge, "Always 1; the version of tsunagid");
	e.sample("tsunagi_build_info", {{"version", s.version}}, uint64_t{1});
	e.family("tsunagi_config_last_reload_successful", Type::gauge,
	         "1 when the last load or reload of the YAML was applied, 0 when it failed");
	e.sample("tsunagi_config_last_reload_successful", {}, uint64_t{s.reload_ok});
	e.family("tsunagi_config_last_reload_success_timestamp_seconds", Type::gauge,
	         "Unix time of the last successful load or reload of the YAML");
	e.sample("tsunagi_config_last_reload_success_timestamp_seconds", {}, s.reload_success_s);
	e.family("tsunagi_table_generation", Type::gauge,
	         "The newest table generation tsunagid published (0: none yet)");
	e.sample("tsunagi_table_generation", {}, s.published_generation);
	e.family("tsunagi_dataplane_table_generation", Type::gauge,
	         "The table generation every dataplane worker uses (0: none, or no dataplane)");
	e.sample("tsunagi_dataplane_table_generation", {}, s.in_use_generation);
	e.family("tsunagi_dataplane_up", Type::gauge,
	         "1 while the dataplane runs and its heartbeat is fresh");
	e.sample("tsunagi_dataplane_up", {}, uint64_t{s.dataplane_up});
	e.family("tsunagi_table_update_latency_seconds", Type::histogram,
	         "Time from a table generation's publication to every dataplane worker using it");
	if (s.update_latency != nullptr) {
		e.histogram("tsunagi_table_update_latency_seconds", {}, *s.update_latency);
	}
	e.family("tsunagi_vrf_routes", Type::gauge,
	         "Routes in the tenant's VRF: from the YAML (gateways, static routes) and "
	         "imported from the carriers");
	for (const auto& r : s.vrf_routes) {
		e.sample("tsunagi_vrf_routes", {{"tenant", r.tenant}}, r.routes);
	}
	if (s.bgp) {
		e.family("tsunagi_bgp_session_up", Type::gauge,
		         "1 while the BGP session with the configured peer is established");
		for (const auto& b : *s.bgp) {
			e.sample("tsunagi_bgp_session_up", {{"peer", b.peer}}, uint64_t{b.up});
		}
	}
	if (s.evpn) {
		e.family("tsunagi_evpn_remote_vteps", Type::gauge,
		         "Remote VTEPs of the EVPN tenant's VNI (type-3 routes) in the tables");
		for (const auto& c : *s.evpn) {
			e.sample("tsunagi_evpn_remote_vteps", {{"tenant", c.tenant}}, c.vteps);
		}
		e.family("tsunagi_evpn_remote_macs", Type::gauge,
		         "Remote MACs of the EVPN tenant's VNI (type-2 routes) in the tables");
		for (const auto& c : *s.evpn) {
			e.sample("tsunagi_evpn_remote_macs", {{"tenant", c.tenant}}, c.macs);
		}
		e.family("tsunagi_evpn_local_macs", Type::gauge,
		         "MACs learned on the EVPN tenant's attachments and trunks and advertised "
		         "(type-2 routes)");
		for (const auto& c : *s.evpn) {
			e.sample("tsunagi_evpn_local_macs", {{"tenant", c.tenant}}, c.local_macs);
		}
	}
}

}  // namespace

std::vector<double> update_latency_bounds()
{
	return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	        0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::string render(const Snapshot& s)
{
	Exposition e;
	control(e, s);
	ports(e, s);
	tenants(e, s);
	drops(e, s);
	macs(e, s);
	workers(e, s);
	return e.take();
}

}  // namespace tsunagi::metrics
