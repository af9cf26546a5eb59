// The routes carriers send, and their import into tenants' VRFs. bgpd's mirror gives
// tsunagid the carriers' UPDATEs as sent (bmp.hpp); this does what a PE does with them:
// keeps each session's paths (Adj-RIB-In) and says which (tenant, prefix) changed.
//
// An Option-B peer sends VPNv4/VPNv6: a path is imported into every VRF whose import route
// targets it carries — and only into tenants the peer is configured for, so no carrier can
// inject into another's customer. An Option-A link (one VLAN of an Option-A peer, one eBGP
// session in one tenant's VRF) sends IPv4/IPv6 unicast: its paths are imported into that
// link's tenant alone, whatever their route targets, as the session is the VRF's own.
// BMP names both by the peer's address (FRR 8.4 gives VRF peers no distinguisher), and the
// peer's AS where several links share an address; a session that matches none, or more
// than one, is imported nowhere. A family a session should not carry (unicast from an
// Option-B peer, VPN from an Option-A link) is kept but imported nowhere.
//
// A path whose AS_PATH holds this node's AS is a loop (carriers reflect our own routes
// back; bgpd drops them, the mirror does not) and is never imported.
//
// Resynchronisation never flushes: when a session or the feed restarts, the peer's paths
// are marked stale and keep forwarding; paths the peer sends again are fresh, and those
// still stale when it says it is done (End-of-RIB, End-of-Route-Refresh) are withdrawn, or,
// for a peer that says neither, when it has been quiet for a settle time after sending them
// (resync.hpp).
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/config/model.hpp"
#include "control/routes/bmp.hpp"
#include "control/routes/resync.hpp"

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
// (resolved on the peer's port, or for an Option-A route on its link's VLAN of that port)
// and the labels to push (none for Option A).
struct ImportedHop {
	const config::Peer* peer = nullptr;
	config::IpAddr next_hop;
	std::vector<uint32_t> labels;
	const config::OptionAVrf* link = nullptr;  // set for an Option-A route: one of peer->vrfs
	bool operator==(const ImportedHop& o) const
	{
		return peer == o.peer && next_hop == o.next_hop && labels == o.labels &&
		       link == o.link;
	}
};

struct RibCounters {
	uint64_t updates = 0;  // paths announced or withdrawn
	// Events from a speaker that is neither an Option-B peer nor an Option-A link of ours
	// (or that could be more than one link).
	uint64_t unknown_peer = 0;
	// Paths imported nowhere: route targets no permitted VRF imports, a family the session
	// should not carry, or an unknown speaker.
	uint64_t not_imported = 0;
	uint64_t as_loop = 0;    // paths that already passed this node's AS (our own, reflected)
	uint64_t swept = 0;      // stale paths withdrawn (End-of-RIB, settled, or the hold)
	uint64_t settled = 0;    // resynchronisations ended by quiet, without a marker
	uint64_t refreshes = 0;  // route refreshes asked of a session that sent nothing
};

// A session the configuration knows, as a timer found it: what it is due (resync.hpp), and
// how many stale paths that swept.
struct ResyncAction {
	PeerId id;
	const config::Peer* peer = nullptr;
	const config::OptionAVrf* link = nullptr;  // set for an Option-A link's session
	Resync::Due due = Resync::Due::nothing;
	size_t swept = 0;
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
	// for the hold since the last session event without End-of-RIB (a session that stays
	// down) loses them: the graceful-restart timer of RFC 4724, which bounds how long
	// routes through a peer that is gone keep attracting traffic. A peer that sent its
	// routes again and went quiet for the settle time loses the ones it did not send; one
	// that sent nothing is to be asked for a route refresh (resync.hpp). Returns what was
	// done or is to be done, for the configured sessions.
	std::vector<ResyncAction> tick(uint64_t now_ms, const ResyncTimers& timers);

	// What changed since the last call, in order.
	std::vector<TenantPrefix> take_changed();

	// The next hops of a tenant's imported route: ECMP over the paths of every peer and RD
	// that import it, in a fixed order; empty when there is none.
	std::vector<ImportedHop> hops(const TenantPrefix& tp) const;

	// The tenants' routes whose next hop is `address` on `port` (on any of its VLANs, for
	// Option-A links): to re-resolve when its MAC changes.
	std::vector<TenantPrefix> routes_via(const std::string& port,
	                                     const config::IpAddr& address) const;
	// The routes with a next hop through Option-A link `link` (of the current
	// configuration).
	std::vector<TenantPrefix> routes_via_link(const config::OptionAVrf* link) const;

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
		bool loop = false;  // its AS_PATH holds our AS: imported nowhere
	};
	// A session's paths of all families: an RD of 0 in VPN NLRI must not meet unicast.
	struct PathKey {
		Family family = Family::vpn4;
		VpnKey key;
		auto operator<=>(const PathKey& o) const
		{
			return std::tie(family, key) <=> std::tie(o.family, o.key);
		}
		bool operator==(const PathKey&) const = default;
	};
	// What the session is in the configuration: an Option-B peer (link null), an Option-A
	// link and its peer, or nothing.
	struct Session {
		const config::Peer* peer = nullptr;
		const config::OptionAVrf* link = nullptr;
	};
	struct PeerRib : Session, SessionPaths<PathKey, Path> {};
	using Source = std::tuple<PeerId, Family, uint64_t>;  // session, family, RD

	const config::Config* cfg_ = nullptr;
	std::map<std::string, std::vector<std::string>> importers_;  // route target → tenants
	std::map<PeerId, PeerRib> peers_;
	std::map<TenantPrefix, std::set<Source>> imported_;
	std::map<std::string, size_t> imported_by_tenant_;
	std::set<TenantPrefix> changed_set_;
	std::vector<TenantPrefix> changed_;
	RibCounters counters_;
	uint64_t now_ms_ = 1;

	Session find_session(const PeerId& id) const;
	std::vector<std::string> tenants_for(const config::Peer& peer,
	                                     const std::vector<std::string>& rts) const;
	std::vector<std::string> tenants_of(const Session& s, Family f, const Path& path) const;
	void put(const PeerId& id, PeerRib& rib, Family f, const VpnPath& p);
	void drop(const PeerId& id, PeerRib& rib, const PathKey& k);
	size_t sweep(const PeerId& id, PeerRib& rib, Family f);
	void link(const Path& path, const PeerId& id, const PathKey& k, bool add);
	void mark(const TenantPrefix& tp);
	const Path& path_of(const Source& s, const config::IpPrefix& prefix) const;
};

}  // namespace tsunagi::routes
