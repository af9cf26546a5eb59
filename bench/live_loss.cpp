#include "bench/live_loss.hpp"

#include <vector>

namespace tsunagi::bench {

dp::CounterTotals read_counters(const shm::StatsReader& s, size_t n_ports, size_t n_tenants)
{
	std::vector<const dp::WorkerCounters*> workers;
	for (uint32_t w = 0; w < s.n_workers(); ++w) {
		workers.push_back(&s.worker(w));
	}
	return dp::add_up(workers.data(), workers.size(), n_ports, n_tenants);
}

uint64_t Loss::dropped() const
{
	uint64_t n = 0;
	for (uint64_t d : drops) {
		n += d;
	}
	return n;
}

std::string Loss::drop_list() const
{
	std::string s;
	for (size_t r = 0; r < dp::kDropCount; ++r) {
		if (drops[r] != 0) {
			s += " " + std::string(dp::kDropNames[r]) + "=" + std::to_string(drops[r]);
		}
	}
	return s.empty() ? " none" : s;
}

Loss loss_between(const dp::CounterTotals& before, const dp::CounterTotals& after, size_t n_tenants)
{
	Loss l;
	for (size_t p = 0; p < after.ports.size(); ++p) {
		l.rx += after.ports[p].rx_packets - before.ports[p].rx_packets;
		l.tx += after.ports[p].tx_packets - before.ports[p].tx_packets;
		l.punted += after.punted[p] - before.punted[p];
	}
	for (size_t r = 0; r < dp::kDropCount; ++r) {
		l.drops[r] = after.drops[r] - before.drops[r];
	}
	for (size_t t = 0; t < n_tenants && t < after.tenants.size(); ++t) {
		l.tenant_rx += after.tenants[t].rx_packets - before.tenants[t].rx_packets;
		l.tenant_tx += after.tenants[t].tx_packets - before.tenants[t].tx_packets;
	}
	return l;
}

Loss loss_of(const dp::CounterTotals& totals, size_t n_tenants)
{
	dp::CounterTotals zero;
	zero.ports.resize(totals.ports.size());
	zero.punted.resize(totals.punted.size());
	zero.tenants.resize(totals.tenants.size());
	return loss_between(zero, totals, n_tenants);
}

}  // namespace tsunagi::bench
