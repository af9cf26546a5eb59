#include "dataplane/report/counters_json.hpp"

#include <string>

namespace tsunagi::dp {

namespace {

nlohmann::ordered_json traffic(const TrafficCounters& c)
{
	return {{"rx_packets", c.rx_packets},
	        {"rx_bytes", c.rx_bytes},
	        {"tx_packets", c.tx_packets},
	        {"tx_bytes", c.tx_bytes}};
}

void add(TrafficCounters& sum, const TrafficCounters& c)
{
	sum.rx_packets += c.rx_packets;
	sum.rx_bytes += c.rx_bytes;
	sum.tx_packets += c.tx_packets;
	sum.tx_bytes += c.tx_bytes;
}

}  // namespace

nlohmann::ordered_json counters_json(const abi::TableView& t, const WorkerCounters* const* workers,
                                     size_t n_workers, const MacTable& macs)
{
	nlohmann::ordered_json out;
	auto& ports = out["ports"] = nlohmann::ordered_json::object();
	for (uint64_t p = 0; p < t.ports.size; ++p) {
		TrafficCounters sum{};
		for (size_t w = 0; w < n_workers; ++w) {
			add(sum, workers[w]->ports[p]);
		}
		ports[std::string(t.name(t.ports[p].name))] = traffic(sum);
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
	for (uint64_t i = 0; i < t.tenants.size; ++i) {
		if (!t.tenants[i].live) {
			continue;  // the index of a removed tenant
		}
		TrafficCounters sum{};
		for (size_t w = 0; w < n_workers; ++w) {
			add(sum, workers[w]->tenants[i]);
		}
		auto j = traffic(sum);
		j["mac_entries"] = entries[i];
		tenants[std::string(t.name(t.tenants[i].name))] = j;
	}
	auto& drops = out["drops"] = nlohmann::ordered_json::object();
	uint64_t total = 0;
	for (size_t r = 0; r < kDropCount; ++r) {
		uint64_t n = 0;
		for (size_t w = 0; w < n_workers; ++w) {
			n += workers[w]->drops[r];
		}
		drops[std::string(kDropNames[r])] = n;
		total += n;
	}
	out["drops_total"] = total;
	auto& punted = out["punted"] = nlohmann::ordered_json::object();
	for (uint64_t p = 0; p < t.ports.size; ++p) {
		uint64_t n = 0;
		for (size_t w = 0; w < n_workers; ++w) {
			n += workers[w]->punted[p];
		}
		punted[std::string(t.name(t.ports[p].name))] = n;
	}
	MacCounters mac{};
	for (size_t w = 0; w < n_workers; ++w) {
		mac.learned += workers[w]->mac.learned;
		mac.moved += workers[w]->mac.moved;
		mac.aged += workers[w]->mac.aged;
		mac.table_full += workers[w]->mac.table_full;
	}
	out["mac"] = {{"entries", macs.size()},
	              {"learned", mac.learned},
	              {"moved", mac.moved},
	              {"aged", mac.aged},
	              {"table_full", mac.table_full}};
	return out;
}

}  // namespace tsunagi::dp
