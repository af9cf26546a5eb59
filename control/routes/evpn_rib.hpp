// The remote state BGP EVPN gives a VXLAN node (docs/evpn.md). bgpd's mirror gives tsunagid
// its sessions' UPDATEs as sent (bmp.hpp); this keeps each session's EVPN paths (Adj-RIB-In)
// and makes of them what a dataplane needs, saying which parts changed:
//
// - per L2 VNI, the flood list: the VTEPs of type-3 routes with ingress replication;
// - per L2 VNI and MAC, the VTEP of the type-2 route that wins by RFC 7432 §15's mobility
//   rules (sticky over not, then the higher sequence number, then the lower VTEP address);
// - per L3 VNI and prefix, the VTEPs of type-5 routes with their router MACs (ECMP).
//
// Only VXLAN routes (an encapsulation community of tunnel type 8, RFC 8365 §5.1.3) are used,
// and only interface-less type-5 routes (a router MAC, no gateway address, RFC 9136 §4.4.1);
// the others are kept and counted but used for nothing. No route target is imported yet: a
// route's VNI is the one it names, and the configuration step maps VNIs to tenants.
//
// Sessions restart as in vpn_rib.hpp, with the same clock (resync.hpp): their paths turn
// stale and keep forwarding until the session says it is done (End-of-RIB or
// End-of-Route-Refresh of L2VPN EVPN), settles, or the hold runs out. Only the EVPN family's
// markers count here, and EVPN's never count for the VPN families.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "common/config/model.hpp"
#include "control/routes/bmp.hpp"
#include "control/routes/resync.hpp"

namespace tsunagi::routes {

// The VTEP a remote MAC is behind, and what its winning route says of it.
struct RemoteMac {
	config::IpAddr vtep;
	bool sticky = false;
	uint32_t seq = 0;
	std::optional<uint32_t> l3_vni;   // from a MAC+IP route with label 2
	std::vector<config::IpAddr> ips;  // the MAC+IP routes' addresses from that VTEP
	bool operator==(const RemoteMac&) const = default;
};

// One next hop of a type-5 prefix: the VTEP and the MAC the inner frame goes to.
struct PrefixHop {
	config::IpAddr vtep;
	config::Mac router_mac;
	bool operator==(const PrefixHop&) const = default;
};

// What changed since the last take_changed(): look each up again (flood(), mac(), prefix())
// and edit its table slot; an empty answer means the slot goes.
struct EvpnChanges {
	std::vector<uint32_t> flood;                                  // L2 VNIs
	std::vector<std::pair<uint32_t, config::Mac>> macs;           // (L2 VNI, MAC)
	std::vector<std::pair<uint32_t, config::IpPrefix>> prefixes;  // (L3 VNI, prefix)
	bool empty() const { return flood.empty() && macs.empty() && prefixes.empty(); }
};

struct EvpnCounters {
	uint64_t updates = 0;       // routes announced or withdrawn
	uint64_t unknown_type = 0;  // routes of types other than 2, 3 and 5, skipped
	uint64_t not_vxlan = 0;     // routes without VXLAN encapsulation: kept, not used
	// Type-3 routes without ingress replication, type-5 without router MAC or with a
	// gateway address: kept, not used.
	uint64_t unusable = 0;
	uint64_t swept = 0;
	uint64_t settled = 0;
	uint64_t refreshes = 0;
};

struct EvpnAction {
	PeerId id;
	Resync::Due due = Resync::Due::nothing;
	size_t swept = 0;
};

class EvpnRib {
public:
	// Takes L2VPN EVPN routes and markers, and every session's up and down; the other
	// families' routes and markers are left to VpnRib.
	void apply(const Event& e);
	// The feed restarted: every path is stale until its session sends it again.
	void mark_all_stale();
	// As VpnRib::tick, for every session that has sent EVPN routes.
	std::vector<EvpnAction> tick(uint64_t now_ms, const ResyncTimers& timers);

	EvpnChanges take_changed();

	std::vector<config::IpAddr> flood(uint32_t vni) const;  // sorted, distinct
	std::optional<RemoteMac> mac(uint32_t vni, const config::Mac& m) const;
	std::vector<PrefixHop> prefix(uint32_t l3_vni, const config::IpPrefix& p) const;
	// Every remote MAC of `vni` with the route that wins for it, by MAC.
	std::vector<std::pair<config::Mac, RemoteMac>> macs(uint32_t vni) const;
	// The L2 VNIs with a flood list or a remote MAC, ascending.
	std::vector<uint32_t> l2_vnis() const;

	size_t paths() const;
	// The slots in use, by kind: flood lists, MACs, prefixes.
	std::array<size_t, 3> slots() const;
	const EvpnCounters& counters() const { return counters_; }

private:
	struct Path {
		EvpnPath route;
		bool stale = false;
	};
	using Session = SessionPaths<EvpnKey, Path>;
	// Where a path is used: a flood list (type 3), a MAC (type 2), a prefix (type 5).
	struct Slot {
		uint8_t type = 0;
		uint32_t vni = 0;
		config::Mac mac;
		config::IpPrefix prefix;
		auto operator<=>(const Slot& o) const
		{
			return std::tie(type, vni, mac.bytes, prefix.addr.v6, prefix.addr.bytes,
			                prefix.length) <=>
			       std::tie(o.type, o.vni, o.mac.bytes, o.prefix.addr.v6,
			                o.prefix.addr.bytes, o.prefix.length);
		}
		bool operator==(const Slot&) const = default;
	};
	using Source = std::pair<PeerId, EvpnKey>;

	std::map<PeerId, Session> sessions_;
	std::map<Slot, std::set<Source>> used_;
	std::set<Slot> changed_;
	// Each remote MAC's winning route, brought up to date for the MACs whose routes changed
	// when macs() is asked: a VNI's MACs are then read in one pass, not decided again one
	// by one (100 000 MACs in one VNI are rewritten in every pass that changes a few).
	using MacKey = std::pair<uint32_t, std::array<uint8_t, 6>>;
	mutable std::map<MacKey, RemoteMac> winners_;
	mutable std::set<MacKey> stale_winners_;
	EvpnCounters counters_;
	uint64_t now_ms_ = 1;

	static std::optional<Slot> slot_of(const EvpnPath& p);
	void link(const PeerId& id, const EvpnPath& p, bool add);
	void put(const PeerId& id, Session& s, const EvpnPath& p);
	void drop(const PeerId& id, Session& s, const EvpnKey& k);
	size_t sweep(const PeerId& id, Session& s);
	auto gone(const PeerId& id);
	const EvpnPath& path_of(const Source& src) const;
	std::vector<const EvpnPath*> paths_of(const Slot& slot) const;
};

}  // namespace tsunagi::routes
