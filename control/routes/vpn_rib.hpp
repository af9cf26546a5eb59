// The VPN routes Option-B carriers send, and their import into tenants' VRFs. bgpd's mirror
// gives tsunagid the carriers' UPDATEs as sent (bmp.hpp); this does what a PE does with
// them: keeps each peer's paths (Adj-RIB-In), imports a path into every VRF whose import
// route targets it carries — and only into tenants the peer is configured for, so no carrier
// can inject into another's customer — and says which (tenant, prefix) changed.
//
// A path whose AS_PATH holds this node's AS is a loop (carriers reflect our own routes
// back; bgpd drops them, the mirror does not) and is never imported.
//
// Resynchronisation never flushes: when a session or the feed restarts, the peer's paths
// are marked stale and keep forwarding; paths the peer sends again are fresh, and those
// still stale when it says it is done (End-of-RIB, End-of-Route-Refresh) are withdrawn.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "control/config/model.hpp"
#include "control/routes/bmp.hpp"

namespace tsunagi::routes {

struct TenantPrefix {
	std::string tenant;
	config::IpPrefix prefix;
	auto operator<=>(const TenantPrefix& o) const
	{
		return std::tie(tenant, prefix.addr.v6, prefix.addr.bytes, prefix.length) <=>
		       std::tie(o.tenant, o.prefix.addr.v6, o.prefix.addr.bytes, o.prefix.length);
	}
	bool operator==(const TenantPrefix&) const = default;
};

// One next hop of an imported route: the configured peer it came from, the BGP next hop
// (resolved on the peer's port) and the labels to push.
struct ImportedHop {
	const config::Peer* peer = nullptr;
	config::IpAddr next_hop;
	std::vector<uint32_t> labels;
	bool operator==(const ImportedHop& o) const
	{
		return peer == o.peer && next_hop == o.next_hop && labels == o.labels;
	}
};

struct RibCounters {
	uint64_t updates = 0;       // paths announced or withdrawn
	uint64_t unknown_peer = 0;  // events from a speaker that is no Option-B peer of ours
	uint64_t not_imported = 0;  // paths whose route targets no permitted VRF imports
	uint64_t as_loop = 0;       // paths that already passed this node's AS (our own, reflected)
	uint64_t swept = 0;         // stale paths withdrawn at End-of-RIB
};

class VpnRib {
public:
	// `cfg` must outlive the RIB or the next configure().
	explicit VpnRib(const config::Config& cfg) { configure(cfg); }

	// A new configuration: imports are recomputed, and every (tenant, prefix) whose
	// next hops may differ is reported as changed.
	void configure(const config::Config& cfg);

	void apply(const Event& e);

	// The feed restarted: every path of every peer is stale until its peer sends it again.
	void mark_all_stale();

	// The time, in milliseconds of a monotonic clock. A peer whose paths have been stale
	// for `hold_ms` without End-of-RIB (a carrier that never sends it, a session that stays
	// down) loses them: the graceful-restart timer of RFC 4724, which bounds how long
	// routes through a peer that is gone keep attracting traffic.
	void tick(uint64_t now_ms, uint64_t hold_ms);

	// What changed since the last call, in order.
	std::vector<TenantPrefix> take_changed();

	// The next hops of a tenant's imported route: ECMP over the paths of every peer and RD
	// that import it, in a fixed order; empty when there is none.
	std::vector<ImportedHop> hops(const TenantPrefix& tp) const;

	// The tenants' routes whose next hop is `address` on `port`: to re-resolve when its MAC
	// changes.
	std::vector<TenantPrefix> routes_via(const std::string& port,
	                                     const config::IpAddr& address) const;

	// Every (tenant, prefix) that has imported paths.
	std::vector<TenantPrefix> all_imported() const;

	size_t paths() const;
	size_t imported() const { return imported_.size(); }
	// Imported routes by tenant, kept as they change (metrics read it every scrape).
	const std::map<std::string, size_t>& imported_by_tenant() const
	{
		return imported_by_tenant_;
	}
	const RibCounters& counters() const { return counters_; }

private:
	struct Path {
		std::vector<uint32_t> labels;
		config::IpAddr next_hop;
		std::vector<std::string> targets;  // its route targets
		std::vector<std::string> tenants;  // the VRFs they import it into
		bool stale = false;
	};
	struct PeerRib {
		const config::Peer* peer = nullptr;
		std::map<VpnKey, Path> paths;
		uint64_t stale_since = 0;  // ms; 0: nothing stale
	};
	using Source = std::pair<PeerId, uint64_t>;  // peer, RD

	const config::Config* cfg_ = nullptr;
	std::map<std::string, std::vector<std::string>> importers_;  // route target → tenants
	std::map<PeerId, PeerRib> peers_;
	std::map<TenantPrefix, std::set<Source>> imported_;
	std::map<std::string, size_t> imported_by_tenant_;
	std::set<TenantPrefix> changed_set_;
	std::vector<TenantPrefix> changed_;
	RibCounters counters_;
	uint64_t now_ms_ = 1;

	const config::Peer* find_peer(const PeerId& id) const;
	std::vector<std::string> tenants_for(const config::Peer& peer,
	                                     const std::vector<std::string>& rts) const;
	void put(const PeerId& id, PeerRib& rib, const VpnPath& p);
	void drop(const PeerId& id, PeerRib& rib, const VpnKey& k);
	void sweep(const PeerId& id, PeerRib& rib, Family f);
	void sweep_all(const PeerId& id, PeerRib& rib);
	void link(const Path& path, const PeerId& id, const VpnKey& k, bool add);
	void mark(const TenantPrefix& tp);
};

}  // namespace tsunagi::routes
