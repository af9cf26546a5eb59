// A node for the shell to talk to without a daemon: a small configuration compiled into
// tables, a dataplane's counters, and recorded calls for what changes things. Shared by the
// shell's unit tests and its fuzz target, so it depends on neither Catch2 nor libFuzzer.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/abi/counters.hpp"
#include "common/config/loader.hpp"
#include "control/compile/compiler.hpp"
#include "control/shell/backend.hpp"

namespace tsunagi::test {

inline config::Config load(const char* yaml)
{
	auto r = config::load_string(yaml);
	if (!r.config) {
		std::fprintf(stderr, "fake_backend: %s\n",
		             r.errors.empty() ? "?" : r.errors.front().to_string().c_str());
		std::abort();
	}
	return *r.config;
}

inline const char* kNode = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1, vtep: 192.0.2.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: u0, role: underlay, device: d2, address: 192.0.2.1/24, gateway: 192.0.2.254 }
  - { name: ix0, role: interconnect, device: d4, address: 203.0.113.2/30 }
neighbors:
  - { port: u0, address: 192.0.2.254, mac: "02:bb:00:00:00:fe" }
  - { port: ix0, address: 203.0.113.1, mac: "02:cc:00:00:00:01" }
tenants:
  - name: alpha
    vni: 10
    hybrid_vlan: 100
    attachments: [ { port: a0, vlan: 5 }, { port: a0, vlan: 6, inner_vlan: 7 } ]
    vteps: [192.0.2.2]
    vrf:
      rd: "65000:1"
      route_targets: { import: ["65000:1"], export: ["65000:1"] }
      gateway: [10.1.0.1/24]
      static_routes: [ { prefix: 10.9.0.0/16, via: 10.1.0.10 } ]
  - name: beta
    vni: 20
    hybrid_vlan: 200
    attachments: [ { port: a0, vlan: 8 } ]
peers:
  - name: carrier
    option: B
    port: ix0
    address: 203.0.113.1
    asn: 64999
    tenants: [alpha]
    static_vpn_routes: [ { tenant: alpha, prefix: 172.16.0.0/12, labels: [3001] } ]
)";

class FakeBackend : public shell::Backend {
public:
	FakeBackend() : cfg(load(kNode)), img(compile::compile(cfg, 7))
	{
		dp.pid = 42;
		dp.workers = 1;
		dp.alive = true;
		dp.in_use_generation = 7;
		dp.totals.ports.resize(cfg.ports.size());
		dp.totals.punted.resize(cfg.ports.size());
		dp.totals.tenants.resize(tables().tenants.size);
		dp.totals.ports[0].rx_packets = 11;
		dp.totals.punted[1] = 3;
		dp.totals.tenants[tables().tenant_by_name("beta")].tx_packets = 5;
		dp.totals.drops[size_t(dp::Drop::unknown_vlan)] = 9;
	}

	const config::Config& config() const override { return cfg; }
	std::string running_yaml() const override { return kNode; }
	abi::TableView tables() const override { return abi::TableView(img.data()); }
	uint64_t image_bytes() const override { return img.size(); }
	uint64_t published_generation() const override { return 7; }
	std::optional<uint64_t> update_latency_us() const override { return 850; }
	std::optional<shell::DataplaneState> dataplane() const override { return dp; }
	std::vector<config::Neighbor> learned_neighbors() const override { return {}; }
	shell::ReloadResult reload(bool check_only, uint32_t confirm_within_s) override
	{
		reloads.push_back(check_only);
		confirm_within.push_back(confirm_within_s);
		return {true, {"tenant gamma: added"}};
	}
	shell::ReloadResult confirm() override { return {true, {"confirmed"}}; }
	shell::ReloadResult rollback(uint32_t n) override
	{
		rollbacks.push_back(n);
		return {true, {"applied"}};
	}
	std::vector<shell::Applied> history() const override
	{
		return {{1795000000, "reload", "a: 1\n"}, {1794990000, "startup", "a: 0\n"}};
	}
	std::optional<uint64_t> confirm_deadline_s() const override { return 42; }
	std::optional<shm::MacDump> mac_table(uint32_t tenant, std::string&) override
	{
		dumped.push_back(tenant);
		const abi::TableView t = tables();
		uint32_t member = abi::kNone;
		for (uint32_t m = 0; m < t.members.size; ++m) {
			if (t.members[m].port == 0 && t.members[m].vlan == 5) {
				member = m;
			}
		}
		const uint64_t alpha = uint64_t(t.tenant_by_name("alpha")) << 48;
		shm::MacDump d{100, 2, {}};
		// The same MAC in both workers: the newer one counts.
		d.records.push_back({alpha | 0x020000000001, member, 97, 0, 0});
		d.records.push_back({alpha | 0x020000000001, member, 99, 1, 0});
		d.records.push_back({alpha | 0x020000000002, member, abi::kStaticMac, 0, 0});
		return d;
	}
	std::optional<uint64_t> clear_mac_table(uint32_t tenant, std::string&) override
	{
		cleared.push_back(tenant);
		return 7;
	}
	std::optional<std::string> trace(uint16_t port, const std::string& frame,
	                                 std::string&) override
	{
		traced.emplace_back(port, frame);
		// Forwarded out of u0 unchanged, and one drop counted.
		std::string hex;
		for (unsigned char c : frame) {
			char b[3];
			std::snprintf(b, sizeof(b), "%02x", c);
			hex += b;
		}
		return nlohmann::json{{"port", port},
		                      {"length", frame.size()},
		                      {"generation", 7},
		                      {"macEntriesCopied", 0},
		                      {"tenant", tables().tenant_by_name("alpha")},
		                      {"mac", {{"learned", 1}, {"moved", 0}, {"tableFull", 0}}},
		                      {"drops", nlohmann::json::object()},
		                      {"outputs", {{{"port", 1}, {"punt", false}, {"frame", hex}}}}}
		    .dump();
	}
	std::optional<std::string> vtysh(const std::string& command) override
	{
		vtysh_commands.push_back(command);
		return "BGP router identifier 10.255.0.1\nNeighbor 203.0.113.1 Established\n";
	}

	config::Config cfg;
	compile::Image img;
	shell::DataplaneState dp;
	std::vector<bool> reloads;
	std::vector<uint32_t> confirm_within, rollbacks;
	std::vector<std::string> vtysh_commands;
	std::vector<uint32_t> dumped, cleared;
	std::vector<std::pair<uint16_t, std::string>> traced;
};

}  // namespace tsunagi::test
