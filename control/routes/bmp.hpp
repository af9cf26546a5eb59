// Decodes the BGP Monitoring Protocol (RFC 7854) stream bgpd sends with `bmp mirror`: the
// carriers' own UPDATEs, byte for byte, so VPN routes keep their RD, label stack and route
// targets (FRR 8.4's `bmp monitor` sends label 0; see docs/frr.md). Only what the route
// feed needs is decoded: peer up and down, reachability and withdrawal of VPNv4/VPNv6
// (Option-B sessions) and of IPv4/IPv6 unicast (Option-A sessions, one per VRF, whose bgpd
// instance mirrors to the same listener), End-of-RIB and enhanced route refresh markers.
// Everything else is skipped and counted.
#pragma once

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

// The VPN families first: code written before the unicast ones keeps its meaning.
enum class Family : uint8_t { vpn4, vpn6, ipv4, ipv6 };

constexpr bool is_unicast(Family f)
{
	return f == Family::ipv4 || f == Family::ipv6;
}
constexpr bool is_v6(Family f)
{
	return f == Family::vpn6 || f == Family::ipv6;
}

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
};

// Why a message was not used: counted by the feed, named in its log.
enum class Skip : uint8_t {
	none,
	malformed,           // a length or field that does not add up
	unsupported_family,  // NLRI of a family other than VPNv4/VPNv6, IPv4/IPv6 unicast
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
std::string to_string(Family f);  // "VPNv4", "VPNv6", "IPv4", "IPv6"
std::string rd_string(uint64_t rd);

}  // namespace tsunagi::routes
