#include "dataplane/report/counters_json.hpp"

#include <string>

#include "common/report/counter_totals.hpp"

namespace tsunagi::dp {

namespace {

nlohmann::ordered_json traffic(const TrafficCounters& c)
{
	return {{"rx_packets", c.rx_packets},
	        {"rx_bytes", c.rx_bytes},
	        {"tx_packets", c.tx_packets},
	        {"tx_bytes", c.tx_bytes}};
}

}  // namespace

nlohmann::ordered_json counters_json(const abi::TableView& t, const WorkerCounters* const* workers,
                                     size_t n_workers, const MacTable& macs)
{
	const CounterTotals sum = add_up(workers, n_workers, t.ports.size, t.tenants.size);
	nlohmann::ordered_json out;
	auto& ports = out["ports"] = nlohmann::ordered_json::object();
	for (uint64_t p = 0; p < sum.ports.size(); ++p) {
		ports[std::string(t.name(t.ports[p].name))] = traffic(sum.ports[p]);
	}
	std::vector<uint32_t> entries(t.tenants.size, 0);
	const MacTable::Entry* slots = macs.slots();
	for (size_t i = 0; i < macs.capacity(); ++i) {
		const auto tenant = static_cast<uint32_t>(slots[i].key >> 48);
		if (slots[i].member != abi::kNone && tenant < entries.size()) {
			entries[tenant]++;
		}
	}
	auto& tenants = out["tenants"] = nlohmann::ordered_json::object();
	for (uint64_t i = 0; i < sum.tenants.size(); ++i) {
		if (!t.tenants[i].live) {
			continue;  // the index of a removed tenant
		}
		auto j = traffic(sum.tenants[i]);
		j["mac_entries"] = entries[i];
		tenants[std::string(t.name(t.tenants[i].name))] = j;
	}
	auto& drops = out["drops"] = nlohmann::ordered_json::object();
	for (size_t r = 0; r < kDropCount; ++r) {
		drops[std::string(kDropNames[r])] = sum.drops[r];
	}
	out["drops_total"] = sum.drops_total();
	out["flooded"] = sum.flooded;
	auto& punted = out["punted"] = nlohmann::ordered_json::object();
	for (uint64_t p = 0; p < sum.punted.size(); ++p) {
		punted[std::string(t.name(t.ports[p].name))] = sum.punted[p];
	}
	out["mac"] = {{"entries", macs.size()},
	              {"learned", sum.mac.learned},
	              {"moved", sum.mac.moved},
	              {"aged", sum.mac.aged},
	              {"table_full", sum.mac.table_full}};
	return out;
}

}  // namespace tsunagi::dp
