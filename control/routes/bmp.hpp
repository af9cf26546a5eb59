// Decodes the BGP Monitoring Protocol (RFC 7854) stream bgpd sends with `bmp mirror`: the
// carriers' own UPDATEs, byte for byte, so VPN routes keep their RD, label stack and route
// targets (FRR 8.4's `bmp monitor` sends label 0; see docs/frr.md). Only what the route
// feed needs is decoded: peer up and down, reachability and withdrawal of VPNv4/VPNv6
// (Option-B sessions), of IPv4/IPv6 unicast (Option-A sessions, one per VRF, whose bgpd
// instance mirrors to the same listener) and of L2VPN EVPN route types 2, 3 and 5 (FRR 8.4's
// `bmp monitor` is broken for EVPN, its mirror is not: docs/evpn.md), End-of-RIB and
// enhanced route refresh markers. Everything else is skipped and counted.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::routes {

// A BGP speaker as BMP names it: its address, peer distinguisher and AS. FRR 8.4 sends
// its VRF instances' peers with distinguisher 0, so two sessions to one address in
// different VRFs differ, if at all, by AS only.
struct PeerId {
	config::IpAddr address;
	uint64_t distinguisher = 0;
	uint32_t asn = 0;  // 0: not known (a message decoded without its per-peer header)
	bool operator==(const PeerId&) const = default;
	auto operator<=>(const PeerId& o) const
	{
		return std::tie(distinguisher, address.v6, address.bytes, asn) <=>
		       std::tie(o.distinguisher, o.address.v6, o.address.bytes, o.asn);
	}
};

// A VPN prefix as carried in labelled VPN NLRI (RFC 4364, RFC 8277); a unicast prefix has
// rd 0.
struct VpnKey {
	uint64_t rd = 0;  // the 8 bytes as sent, big-endian
	config::IpPrefix prefix;
	auto operator<=>(const VpnKey& o) const
	{
		return std::tie(rd, prefix.addr.v6, prefix.addr.bytes, prefix.length) <=>
		       std::tie(o.rd, o.prefix.addr.v6, o.prefix.addr.bytes, o.prefix.length);
	}
	bool operator==(const VpnKey&) const = default;
};

struct VpnPath {
	VpnKey key;
	std::vector<uint32_t> labels;  // outermost first, 20-bit values; none for unicast
	config::IpAddr next_hop;
	// "ASN:NN" or "A.B.C.D:NN", as the YAML writes them.
	std::vector<std::string> route_targets;
	std::vector<uint32_t> as_path;  // every AS of every segment, in order
};

// The VPN families first: code written before the unicast ones keeps its meaning. EVPN
// (AFI 25, SAFI 70) is last; its routes travel in Event's evpn_* fields, never in reach.
enum class Family : uint8_t { vpn4, vpn6, ipv4, ipv6, evpn };

constexpr bool is_unicast(Family f)
{
	return f == Family::ipv4 || f == Family::ipv6;
}
constexpr bool is_v6(Family f)
{
	return f == Family::vpn6 || f == Family::ipv6;
}

// An EVPN route as BGP tells it apart (RFC 7432 §7, RFC 9136 §3): type 2 by Ethernet tag,
// MAC and IP; type 3 by tag and originating router; type 5 by tag and prefix. ESI, labels
// and gateway are not part of it, so a withdrawal finds the route whatever it says there.
struct EvpnKey {
	uint64_t rd = 0;   // the 8 bytes as sent, big-endian
	uint8_t type = 0;  // 2 (MAC/IP), 3 (inclusive multicast) or 5 (IP prefix)
	uint32_t tag = 0;  // Ethernet tag
	config::Mac mac;   // type 2
	// Type 2: the host's address (length 0: a MAC-only route); type 3: the originating
	// router's; type 5: the prefix.
	config::IpPrefix ip;
	auto operator<=>(const EvpnKey& o) const
	{
		return std::tie(rd, type, tag, mac.bytes, ip.addr.v6, ip.addr.bytes, ip.length) <=>
		       std::tie(o.rd, o.type, o.tag, o.mac.bytes, o.ip.addr.v6, o.ip.addr.bytes,
		                o.ip.length);
	}
	bool operator==(const EvpnKey&) const = default;
};

// The PMSI tunnel attribute (RFC 6514 §5) a type-3 route carries: for VXLAN, ingress
// replication (tunnel type 6) to the tunnel identifier, with the VNI in the label field
// (RFC 8365 §5.1.3).
struct Pmsi {
	uint8_t flags = 0;
	uint8_t tunnel_type = 0;
	uint32_t vni = 0;
	std::optional<config::IpAddr> tunnel_id;  // when it is 4 or 16 bytes
	bool operator==(const Pmsi&) const = default;
};

// MAC mobility (RFC 7432 §7.7): the sequence number of a MAC's moves, and whether it is
// sticky (static) and must never move.
struct MacMobility {
	bool sticky = false;
	uint32_t seq = 0;
	bool operator==(const MacMobility&) const = default;
};

// The attributes EVPN's routes carry beyond route targets (RFC 7432 §7.5–7.7, RFC 8365
// §5.1.3, RFC 9135 §8.1).
struct EvpnAttrs {
	std::vector<uint16_t> encaps;  // tunnel types of the encapsulation communities; 8: VXLAN
	std::optional<MacMobility> mobility;
	std::optional<config::Mac> router_mac;
	std::optional<Pmsi> pmsi;
	bool operator==(const EvpnAttrs&) const = default;
};

constexpr uint16_t kTunnelVxlan = 8;
constexpr uint8_t kPmsiIngressReplication = 6;

struct EvpnPath {
	EvpnKey key;
	std::array<uint8_t, 10> esi{};  // types 2 and 5
	// In VXLAN's EVPN the label fields carry VNIs (RFC 8365 §5.1.3): type 2's label 1 is the
	// L2 VNI and its label 2, when sent, the L3 VNI (RFC 9135 §8.1); type 5's label the L3
	// VNI. Type 3's VNI is its PMSI's.
	uint32_t vni = 0;
	std::optional<uint32_t> l3_vni;         // type 2's label 2
	std::optional<config::IpAddr> gateway;  // type 5's gateway address, when not zero
	config::IpAddr next_hop;                // the advertising VTEP
	std::vector<std::string> route_targets;
	EvpnAttrs attrs;
	bool operator==(const EvpnPath&) const = default;
};

struct Event {
	enum class Kind : uint8_t {
		peer_up,
		peer_down,
		update,         // reach and/or withdrawn
		end_of_rib,     // family: the peer has sent its whole table
		refresh_begin,  // enhanced route refresh (RFC 7313): BoRR
		refresh_end,    // EoRR
		initiation,
		termination,
	};
	Kind kind = Kind::update;
	PeerId peer;
	Family family = Family::vpn4;
	std::vector<VpnPath> reach;
	std::vector<VpnKey> withdrawn;
	// Family evpn only.
	std::vector<EvpnPath> evpn_reach;
	std::vector<EvpnKey> evpn_withdrawn;
	uint32_t evpn_unknown = 0;  // routes of other types (1, 4, …), skipped
};

// Why a message was not used: counted by the feed, named in its log.
enum class Skip : uint8_t {
	none,
	malformed,           // a length or field that does not add up
	unsupported_family,  // NLRI of a family other than VPN, unicast or L2VPN EVPN
	other,               // a message or TLV the feed has no use for (stats, keepalives…)
	lost,                // bgpd dropped mirrored messages: the feed must resync
};

struct Decoded {
	std::vector<Event> events;
	Skip skip = Skip::none;
	std::string why;  // for malformed: what did not add up
};

// Splits a byte stream into BMP messages. A message of a version other than 3, or whose
// length cannot be, means the stream cannot be followed any further: `broken()`.
class BmpStream {
public:
	void feed(const uint8_t* data, size_t size) { buf_.insert(buf_.end(), data, data + size); }
	// The next whole message, or nothing until more bytes arrive.
	std::optional<std::vector<uint8_t>> next();
	bool broken() const { return broken_; }
	size_t buffered() const { return buf_.size() - start_; }

private:
	std::vector<uint8_t> buf_;
	size_t start_ = 0;
	bool broken_ = false;
};

// Decodes one whole BMP message (common header included).
Decoded decode_bmp(const uint8_t* msg, size_t size);

// Decodes one BGP message (marker included) received from `peer`: an UPDATE or a
// ROUTE-REFRESH. Exposed for the tests and the fuzzer.
Decoded decode_bgp(const PeerId& peer, const uint8_t* msg, size_t size);

std::string to_string(const PeerId& p);
std::string to_string(Family f);  // "VPNv4", "VPNv6", "IPv4", "IPv6", "L2VPN EVPN"
std::string rd_string(uint64_t rd);

}  // namespace tsunagi::routes
