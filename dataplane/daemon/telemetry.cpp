#include "dataplane/daemon/telemetry.hpp"

#include <rte_telemetry.h>

#include <mutex>
#include <utility>

#include "common/report/counter_totals.hpp"

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

// DPDK takes only letters, digits, '_' and '/' in dict keys, and port and tenant names may
// hold '-' and '.': the names go in a string array, each counter in an array beside it.
struct Rows {
	std::vector<const char*> names;
	std::vector<TrafficCounters> traffic;
	std::vector<uint64_t> punted;
};

int add_array(rte_tel_data* d, const char* key, const std::vector<uint64_t>& values)
{
	rte_tel_data* a = rte_tel_data_alloc();
	if (a == nullptr) {
		return -ENOMEM;
	}
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (uint64_t v : values) {
		rte_tel_data_add_array_u64(a, v);
	}
	return rte_tel_data_add_dict_container(d, key, a, 0);
}

int columns(rte_tel_data* d, const char* key, const Rows& rows)
{
	rte_tel_data* names = rte_tel_data_alloc();
	if (names == nullptr) {
		return -ENOMEM;
	}
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	for (const char* n : rows.names) {
		rte_tel_data_add_array_string(names, n);
	}
	int rc = rte_tel_data_add_dict_container(d, key, names, 0);
	const struct {
		const char* key;
		uint64_t TrafficCounters::*field;
	} fields[] = {{"rx_packets", &TrafficCounters::rx_packets},
	              {"rx_bytes", &TrafficCounters::rx_bytes},
	              {"tx_packets", &TrafficCounters::tx_packets},
	              {"tx_bytes", &TrafficCounters::tx_bytes}};
	for (const auto& f : fields) {
		std::vector<uint64_t> v;
		for (const auto& c : rows.traffic) {
			v.push_back(c.*f.field);
		}
		rc = rc != 0 ? rc : add_array(d, f.key, v);
	}
	if (!rows.punted.empty()) {
		rc = rc != 0 ? rc : add_array(d, "punted_packets", rows.punted);
	}
	return rc;
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
		Rows rows;
		for (size_t p = 0; p < t.ports.size(); ++p) {
			rows.names.push_back(s.ports[p].c_str());
		}
		rows.traffic = t.ports;
		rows.punted = t.punted;
		return columns(out, "port", rows);
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
		Rows rows;
		for (const auto& [index, name] : s.tenants) {
			if (only.empty() ? rows.names.size() < kListedTenants : name == only) {
				rows.names.push_back(name.c_str());
				rows.traffic.push_back(t.tenants[index]);
			}
		}
		if (!only.empty() && rows.names.empty()) {
			return -EINVAL;
		}
		return columns(out, "tenant", rows);
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
