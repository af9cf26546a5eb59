// What the shell's commands read and do, as the daemon provides it. Commands see the node
// only through this interface, so they can be tested without a daemon.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"
#include "common/report/counter_totals.hpp"
#include "control/dataplane_link/command_client.hpp"

namespace tsunagi::shell {

// The dataplane as its counters segment shows it.
struct DataplaneState {
	uint64_t pid = 0;
	uint32_t workers = 0;
	bool alive = false;
	uint64_t in_use_generation = 0;
	uint64_t heartbeat_age_ms = 0;
	dp::CounterTotals totals;  // sized to the published tables' ports and tenants
};

struct ReloadResult {
	bool ok = false;
	std::vector<std::string> lines;  // the diff, or why nothing was applied
};

// A configuration applied earlier, newest first in history(): what `rollback N` returns to.
struct Applied {
	uint64_t unix_time = 0;
	std::string origin;  // "startup", "reload", "rollback 2", "not confirmed", ...
	std::string yaml;
};

// What BGP EVPN gave one EVPN tenant (docs/evpn.md): its VNI's remote VTEPs (flood list)
// and its remote MACs, each with the route that won for it.
struct EvpnMac {
	config::Mac mac;
	config::IpAddr vtep;
	bool sticky = false;
	uint32_t seq = 0;
	std::vector<config::IpAddr> ips;
};

struct EvpnTenant {
	std::string tenant;
	uint32_t vni = 0;
	uint32_t l3_vni = 0;  // 0: none
	std::vector<config::IpAddr> flood;
	std::vector<EvpnMac> macs;
	std::vector<config::Mac> local;  // learned here and advertised (type 2)
};

class Backend {
public:
	virtual ~Backend() = default;

	virtual const config::Config& config() const = 0;
	// The YAML in force, as the operator wrote it.
	virtual std::string running_yaml() const = 0;
	// The newest published generation; invalid before the first.
	virtual abi::TableView tables() const = 0;
	virtual uint64_t image_bytes() const = 0;
	virtual uint64_t published_generation() const = 0;
	// Microseconds from the newest publication to the dataplane's use of it; nullopt
	// while it is not in use yet.
	virtual std::optional<uint64_t> update_latency_us() const = 0;
	// nullopt when no dataplane runs.
	virtual std::optional<DataplaneState> dataplane() const = 0;
	virtual std::vector<config::Neighbor> learned_neighbors() const = 0;

	// Re-reads the YAML and applies it (`check_only`: reports the diff, applies nothing).
	// With `confirm_within_s`, the previous configuration comes back by itself unless
	// confirm() is called within that many seconds.
	virtual ReloadResult reload(bool check_only, uint32_t confirm_within_s = 0) = 0;
	virtual ReloadResult confirm() = 0;
	// Applies the configuration `n` applications back (1: the one before the running one).
	virtual ReloadResult rollback(uint32_t n) = 0;
	// [0] is the running configuration.
	virtual std::vector<Applied> history() const = 0;
	// Seconds until an unconfirmed reload rolls back; nullopt when none is pending.
	virtual std::optional<uint64_t> confirm_deadline_s() const = 0;
	// The dataplane's MAC entries of tenant index `tenant` (abi::kAllTenants: all),
	// and clearing the dynamic ones; nullopt with `error` when the dataplane cannot answer.
	virtual std::optional<shm::MacDump> mac_table(uint32_t tenant, std::string& error) = 0;
	virtual std::optional<uint64_t> clear_mac_table(uint32_t tenant, std::string& error) = 0;
	// The dataplane's trace of `frame` arriving on port index `port`, as JSON.
	virtual std::optional<std::string> trace(uint16_t port, const std::string& frame,
	                                         std::string& error) = 0;
	// Runs one command in FRR's vtysh; nullopt when tsunagid does not run FRR.
	virtual std::optional<std::string> vtysh(const std::string& command) = 0;
	// Every EVPN tenant's remote state; nullopt when the node does not take part in EVPN
	// (no node.evpn, or tsunagid runs no FRR).
	virtual std::optional<std::vector<EvpnTenant>> evpn() const { return std::nullopt; }
};

}  // namespace tsunagi::shell
