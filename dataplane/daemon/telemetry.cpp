#include "dataplane/daemon/telemetry.hpp"

#include <rte_telemetry.h>

#include <mutex>
#include <utility>

#include "dataplane/report/counter_totals.hpp"

namespace tsunagi::dp {

namespace {

// Without a tenant name, /tsunagi/tenants lists this many: the reply must fit the telemetry
// socket's 16 KiB.
constexpr size_t kListedTenants = 100;

// The callbacks take no argument of ours, and run on DPDK's telemetry thread while the
// control thread changes the tenants: one lock, never taken by a worker.
struct State {
	std::mutex mu;
	bool live = false;
	std::vector<const WorkerCounters*> workers;
	std::vector<std::string> ports;
	std::vector<std::pair<uint32_t, std::string>> tenants;  // index, name
	size_t tenant_slots = 0;

	CounterTotals totals() const
	{
		return add_up(workers.data(), workers.size(), ports.size(), tenant_slots);
	}
};

State& state()
{
	static State s;
	return s;
}

rte_tel_data* traffic(const TrafficCounters& c)
{
	rte_tel_data* d = rte_tel_data_alloc();
	if (d == nullptr) {
		return nullptr;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "rx_packets", c.rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", c.rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", c.tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", c.tx_bytes);
	return d;
}

// Answers with a dict `fill(state, totals, d)` fills, under the lock; an error once the
// counters are gone.
template <class Fill>
int answer(rte_tel_data* d, Fill fill)
{
	State& s = state();
	std::lock_guard lock(s.mu);
	if (!s.live) {
		return -1;
	}
	rte_tel_data_start_dict(d);
	return fill(s, s.totals(), d);
}

int ports(const char*, const char*, rte_tel_data* d)
{
	return answer(d, [](const State& s, const CounterTotals& t, rte_tel_data* out) {
		for (size_t p = 0; p < t.ports.size(); ++p) {
			rte_tel_data* c = traffic(t.ports[p]);
			if (c == nullptr) {
				return -1;
			}
			rte_tel_data_add_dict_u64(c, "punted_packets", t.punted[p]);
			rte_tel_data_add_dict_container(out, s.ports[p].c_str(), c, 0);
		}
		return 0;
	});
}

int drops(const char*, const char*, rte_tel_data* d)
{
	return answer(d, [](const State&, const CounterTotals& t, rte_tel_data* out) {
		for (size_t r = 0; r < kDropCount; ++r) {
			rte_tel_data_add_dict_u64(out, std::string(kDropNames[r]).c_str(),
			                          t.drops[r]);
		}
		return 0;
	});
}

int tenants(const char*, const char* params, rte_tel_data* d)
{
	const std::string_view only = params != nullptr ? params : "";
	return answer(d, [only](const State& s, const CounterTotals& t, rte_tel_data* out) {
		size_t listed = 0;
		for (const auto& [index, name] : s.tenants) {
			if (only.empty() ? listed == kListedTenants : name != only) {
				continue;
			}
			rte_tel_data* c = traffic(t.tenants[index]);
			if (c == nullptr) {
				return -1;
			}
			rte_tel_data_add_dict_container(out, name.c_str(), c, 0);
			++listed;
		}
		return only.empty() || listed != 0 ? 0 : -EINVAL;
	});
}

}  // namespace

TelemetryCommands::TelemetryCommands(std::vector<const WorkerCounters*> workers,
                                     std::vector<std::string> ports_)
{
	State& s = state();
	{
		std::lock_guard lock(s.mu);
		s.workers = std::move(workers);
		s.ports = std::move(ports_);
		s.tenants.clear();
		s.tenant_slots = 0;
		s.live = true;
	}
	// A second object in one process finds the commands registered (DPDK refuses them
	// again); the callbacks read the same state.
	rte_telemetry_register_cmd("/tsunagi/ports", ports,
	                           "Per port: packets and bytes received and sent, packets punted "
	                           "to the kernel. Takes no parameters");
	rte_telemetry_register_cmd("/tsunagi/drops", drops,
	                           "Packets dropped, by reason. Takes no parameters");
	rte_telemetry_register_cmd("/tsunagi/tenants", tenants,
	                           "Per tenant: packets and bytes received and sent. Parameter: a "
	                           "tenant name (without one, the first 100 tenants)");
}

TelemetryCommands::~TelemetryCommands()
{
	State& s = state();
	std::lock_guard lock(s.mu);
	s.live = false;
	s.workers.clear();
}

void TelemetryCommands::use_tables(const abi::TableView& view)
{
	std::vector<std::pair<uint32_t, std::string>> names;
	for (uint32_t i = 0; i < view.tenants.size; ++i) {
		if (view.tenants[i].live != 0) {
			names.emplace_back(i, std::string(view.name(view.tenants[i].name)));
		}
	}
	State& s = state();
	std::lock_guard lock(s.mu);
	s.tenants = std::move(names);
	s.tenant_slots = view.tenants.size;
}

}  // namespace tsunagi::dp
