#include "common/report/counter_totals.hpp"

#include <algorithm>

namespace tsunagi::dp {

void add(TrafficCounters& sum, const TrafficCounters& c)
{
	sum.rx_packets += c.rx_packets;
	sum.rx_bytes += c.rx_bytes;
	sum.tx_packets += c.tx_packets;
	sum.tx_bytes += c.tx_bytes;
}

CounterTotals add_up(const WorkerCounters* const* workers, size_t n_workers, size_t n_ports,
                     size_t n_tenants)
{
	n_ports = std::min<size_t>(n_ports, abi::kMaxPorts);
	n_tenants = std::min<size_t>(n_tenants, abi::kMaxTenants + 1);
	CounterTotals t;
	t.ports.resize(n_ports);
	t.punted.resize(n_ports);
	t.tenants.resize(n_tenants);
	t.learned_macs.resize(n_tenants);
	for (size_t w = 0; w < n_workers; ++w) {
		const WorkerCounters& c = *workers[w];
		for (size_t p = 0; p < n_ports; ++p) {
			add(t.ports[p], c.ports[p]);
			t.punted[p] += c.punted[p];
		}
		for (size_t i = 0; i < n_tenants; ++i) {
			add(t.tenants[i], c.tenants[i]);
			t.learned_macs[i] = std::max(t.learned_macs[i], c.learned_macs[i]);
		}
		for (size_t r = 0; r < kDropCount; ++r) {
			t.drops[r] += c.drops[r];
		}
		t.mac.learned += c.mac.learned;
		t.mac.moved += c.mac.moved;
		t.mac.aged += c.mac.aged;
		t.mac.table_full += c.mac.table_full;
		t.flooded += c.flooded;
	}
	return t;
}

}  // namespace tsunagi::dp
