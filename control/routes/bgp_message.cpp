// BGP messages as bgpd mirrors them: UPDATE (IPv4/IPv6 unicast, VPNv4/VPNv6, L2VPN EVPN,
// whose NLRI evpn_nlri.cpp reads) and ROUTE-REFRESH's begin and end markers.
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/config/values.hpp"
#include "control/routes/bgp_wire.hpp"

namespace tsunagi::routes {

using wire::malformed;
using wire::Reader;
using wire::skipped;

namespace {

constexpr size_t kBgpHeader = 19;
enum BgpType : uint8_t { kUpdate = 2, kRouteRefresh = 5 };
enum Attr : uint8_t {
	kAsPath = 2,
	kNextHop = 3,
	kMpReach = 14,
	kMpUnreach = 15,
	kExtCommunities = 16,
	kPmsiTunnel = 22,
};
constexpr uint16_t kAfiIp = 1, kAfiIp6 = 2, kAfiL2vpn = 25;
constexpr uint8_t kSafiUnicast = 1, kSafiEvpn = 70, kSafiVpn = 128;

std::optional<Family> family_of(uint16_t afi, uint8_t safi)
{
	if (afi == kAfiL2vpn && safi == kSafiEvpn) {
		return Family::evpn;
	}
	if (safi != kSafiVpn && safi != kSafiUnicast) {
		return std::nullopt;
	}
	const bool vpn = safi == kSafiVpn;
	if (afi == kAfiIp) {
		return vpn ? Family::vpn4 : Family::ipv4;
	}
	if (afi == kAfiIp6) {
		return vpn ? Family::vpn6 : Family::ipv6;
	}
	return std::nullopt;
}

// The address part of an NLRI, `bits` long. The bits past the length are cleared: they
// mean nothing (RFC 4271 §4.3), and a withdrawal must find its route whatever it pads with.
bool read_prefix(Reader& r, bool v6, unsigned bits, config::IpPrefix& out)
{
	if (bits > (v6 ? 128u : 32u)) {
		return false;
	}
	const size_t n = (bits + 7) / 8;
	const uint8_t* a = r.take(n);
	if (a == nullptr || r.bad) {
		return false;
	}
	out = {};
	out.addr.v6 = v6;
	std::memcpy(out.addr.bytes.data(), a, n);
	if (bits % 8 != 0) {
		out.addr.bytes[n - 1] &= uint8_t(0xff << (8 - bits % 8));
	}
	out.length = uint8_t(bits);
	return true;
}

// One NLRI of family `f`. A unicast one is the prefix alone (RFC 4271 §4.3, RFC 4760 §5).
// A labelled VPN one: in a withdrawal a single label field whose value means nothing
// (RFC 8277 §2.4), in an announcement a stack ending at bottom-of-stack; then the RD.
bool read_nlri(Reader& r, Family f, bool withdraw, VpnKey& key, std::vector<uint32_t>* labels)
{
	unsigned bits = unsigned(r.be(1));
	if (r.bad) {
		return false;
	}
	key.rd = 0;
	if (is_unicast(f)) {
		return read_prefix(r, is_v6(f), bits, key.prefix);
	}
	for (int i = 0;; ++i) {
		if (bits < 24 || i == 8) {
			return false;
		}
		const uint32_t field = uint32_t(r.be(3));
		bits -= 24;
		if (r.bad) {
			return false;
		}
		if (withdraw) {
			break;
		}
		labels->push_back(field >> 4);
		if (field & 1) {
			break;
		}
	}
	if (bits < 64) {
		return false;
	}
	key.rd = r.be(8);
	return !r.bad && read_prefix(r, is_v6(f), bits - 64, key.prefix);
}

}  // namespace

std::string wire::route_target(const uint8_t* e)
{
	const uint8_t type = e[0] & 0x3f;  // without the IANA-authority and transitive bits
	auto u16 = [](const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; };
	auto u32 = [&](const uint8_t* p) { return u16(p) << 16 | u16(p + 2); };
	switch (type) {
		case 0:
			return std::to_string(u16(e + 2)) + ":" + std::to_string(u32(e + 4));
		case 1: {
			config::IpAddr a;
			std::memcpy(a.bytes.data(), e + 2, 4);
			return config::to_string(a) + ":" + std::to_string(u16(e + 6));
		}
		case 2:
			return std::to_string(u32(e + 2)) + ":" + std::to_string(u16(e + 6));
		default:
			return {};
	}
}

namespace {

// Whether an MP_REACH_NLRI next hop of `len` bytes can be one of family `f`.
bool next_hop_fits(Family f, size_t len)
{
	switch (f) {
		case Family::vpn4:
		case Family::vpn6:
			return len == 12 || len == 24 || len == 48;
		case Family::ipv4:  // IPv4, or IPv6 (RFC 8950) with or without link-local
			return len == 4 || len == 16 || len == 32;
		case Family::ipv6:  // global, or global and link-local (RFC 2545 §3)
			return len == 16 || len == 32;
		case Family::evpn:  // the VTEP: IPv4, or IPv6 with or without link-local
			return len == 4 || len == 16 || len == 32;
	}
	return false;
}

config::IpAddr next_hop_of(const uint8_t* nh, size_t len, bool vpn)
{
	config::IpAddr a;
	// VPN next hops carry an RD of zeros first (RFC 4364 §4.3.2, RFC 4659 §3.2.1.1).
	const size_t skip = vpn ? 8 : 0;
	if (len - skip == 4) {
		std::memcpy(a.bytes.data(), nh + skip, 4);
	} else if (len - skip >= 16) {
		const uint8_t* g = nh + skip;
		// A global and a link-local address: the global, unless the speaker has none to
		// give (all zeros) and names only the link-local.
		static constexpr uint8_t kZero[16] = {};
		if (len - skip > 16 && std::memcmp(g, kZero, 16) == 0) {
			g = nh + len / 2 + skip;
		}
		// An IPv4 session's IPv6 routes name the IPv4 next hop mapped (RFC 4659 §3.2.1.2).
		static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		const bool mapped = std::memcmp(g, kMapped, 12) == 0;
		a.v6 = !mapped;
		std::memcpy(a.bytes.data(), g + (mapped ? 12 : 0), mapped ? 4 : 16);
	}
	return a;
}

// The ASes of an AS_PATH. Mirrored messages are as the session sent them: 4-byte ASes
// when both ends have the AS4 capability (FRR always does), else 2-byte; the segment
// lengths tell which.
bool read_as_path(Reader v, std::vector<uint32_t>& out)
{
	for (const size_t width : {size_t{4}, size_t{2}}) {
		Reader r = v;
		out.clear();
		while (r.n >= 2) {
			r.be(1);  // segment type
			const size_t count = r.be(1);
			if (!r.has(count * width)) {
				break;
			}
			for (size_t i = 0; i < count; ++i) {
				out.push_back(uint32_t(r.be(width)));
			}
		}
		if (r.n == 0 && !r.bad) {
			return true;
		}
	}
	out.clear();
	return false;
}

// The path attributes the RIB keeps, and where the multiprotocol NLRI are.
struct Attributes {
	std::vector<std::string> rts;
	std::vector<uint32_t> as_path;
	std::optional<config::IpAddr> next_hop;
	std::optional<Reader> reach, unreach;
	EvpnAttrs evpn;
};

// Empty when the attributes add up, else why not.
std::string read_attributes(Reader attrs, Attributes& a)
{
	while (attrs.n != 0) {
		const uint8_t flags = uint8_t(attrs.be(1));
		const uint8_t type = uint8_t(attrs.be(1));
		const size_t len = attrs.be(flags & 0x10 ? 2 : 1);
		Reader v = attrs.sub(len);
		if (attrs.bad) {
			return "path attribute " + std::to_string(type) +
			       " runs past the attributes";
		}
		if (type == kAsPath) {
			if (!read_as_path(v, a.as_path)) {
				return "AS_PATH segments do not add up";
			}
		} else if (type == kNextHop) {
			if (len != 4) {
				return "NEXT_HOP of " + std::to_string(len) + " bytes";
			}
			a.next_hop.emplace();
			std::memcpy(a.next_hop->bytes.data(), v.p, 4);
		} else if (type == kMpReach) {
			a.reach = v;
		} else if (type == kMpUnreach) {
			a.unreach = v;
		} else if (type == kPmsiTunnel) {
			if (auto why = wire::read_pmsi(v, a.evpn); !why.empty()) {
				return why;
			}
		} else if (type == kExtCommunities) {
			if (len % 8 != 0) {
				return "extended communities of " + std::to_string(len) + " bytes";
			}
			for (size_t i = 0; i < len; i += 8) {
				const uint8_t* e = v.p + i;
				if ((e[0] & 0x3f) <= 2 && e[1] == 0x02) {
					if (auto s = wire::route_target(e); !s.empty()) {
						a.rts.push_back(std::move(s));
					}
				}
				wire::evpn_community(e, a.evpn);
			}
		}
	}
	return {};
}

// Reads announced NLRI of family `f` until `r` is used up; false if one does not add up.
bool read_reach(Reader& r, Family f, const config::IpAddr& hop, const Attributes& a, Event& e)
{
	while (r.n != 0) {
		VpnPath p;
		if (!read_nlri(r, f, false, p.key, is_unicast(f) ? nullptr : &p.labels)) {
			return false;
		}
		p.next_hop = hop;
		p.route_targets = a.rts;
		p.as_path = a.as_path;
		e.reach.push_back(std::move(p));
	}
	return true;
}

bool read_withdrawn(Reader& r, Family f, Event& e)
{
	while (r.n != 0) {
		VpnKey k;
		if (!read_nlri(r, f, true, k, nullptr)) {
			return false;
		}
		e.withdrawn.push_back(k);
	}
	return true;
}

// IPv4 unicast in the UPDATE's own fields (RFC 4271 §4.3).
std::string add_ipv4(const PeerId& peer, Reader withdrawn, Reader nlri, const Attributes& a,
                     Decoded& d)
{
	Event e;
	e.peer = peer;
	e.family = Family::ipv4;
	if (!read_withdrawn(withdrawn, Family::ipv4, e)) {
		return "withdrawn IPv4 prefix does not add up";
	}
	if (nlri.n != 0 && !a.next_hop) {
		return "IPv4 NLRI without NEXT_HOP";
	}
	if (nlri.n != 0 && !read_reach(nlri, Family::ipv4, *a.next_hop, a, e)) {
		return "IPv4 NLRI does not add up";
	}
	d.events.push_back(std::move(e));
	return {};
}

std::string add_unreach(const PeerId& peer, Reader u, const Attributes& a, Decoded& d)
{
	const uint16_t afi = uint16_t(u.be(2));
	const uint8_t safi = uint8_t(u.be(1));
	if (u.bad) {
		return "MP_UNREACH_NLRI shorter than its header";
	}
	const auto f = family_of(afi, safi);
	if (!f) {
		return {};
	}
	Event e;
	e.peer = peer;
	e.family = *f;
	if (u.n == 0 && !a.reach && d.events.empty()) {
		// Nothing but the family: its End-of-RIB (RFC 4724 §2).
		e.kind = Event::Kind::end_of_rib;
		d.events.push_back(std::move(e));
		return {};
	}
	if (*f == Family::evpn) {
		if (auto why = wire::read_evpn(u, true, {}, {}, {}, e); !why.empty()) {
			return "withdrawn " + why;
		}
	} else if (!read_withdrawn(u, *f, e)) {
		return "withdrawn " + to_string(*f) + " NLRI does not add up";
	}
	if (!e.withdrawn.empty() || !e.evpn_withdrawn.empty() || e.evpn_unknown != 0) {
		d.events.push_back(std::move(e));
	}
	return {};
}

std::string add_reach(const PeerId& peer, Reader m, const Attributes& a, Decoded& d)
{
	const uint16_t afi = uint16_t(m.be(2));
	const uint8_t safi = uint8_t(m.be(1));
	const size_t nh_len = m.be(1);
	const uint8_t* nh = m.take(nh_len);
	m.be(1);  // reserved
	if (m.bad) {
		return "MP_REACH_NLRI shorter than its header";
	}
	const auto f = family_of(afi, safi);
	if (!f) {
		return {};
	}
	if (!next_hop_fits(*f, nh_len)) {
		return to_string(*f) + " next hop of " + std::to_string(nh_len) + " bytes";
	}
	Event e;
	e.peer = peer;
	e.family = *f;
	if (*f == Family::evpn) {
		auto why =
		    wire::read_evpn(m, false, next_hop_of(nh, nh_len, false), a.rts, a.evpn, e);
		if (!why.empty()) {
			return why;
		}
		d.events.push_back(std::move(e));
		return {};
	}
	if (!read_reach(m, *f, next_hop_of(nh, nh_len, !is_unicast(*f)), a, e)) {
		return to_string(*f) + " NLRI does not add up";
	}
	d.events.push_back(std::move(e));
	return {};
}

Decoded decode_update(const PeerId& peer, Reader r)
{
	const size_t withdrawn_len = r.be(2);
	Reader withdrawn = r.sub(withdrawn_len);
	const size_t attrs_len = r.be(2);
	Reader attrs = r.sub(attrs_len);
	if (r.bad || withdrawn.bad || attrs.bad) {
		return malformed("UPDATE lengths exceed the message");
	}
	const Reader& nlri = r;  // what follows the attributes: IPv4 unicast NLRI
	Decoded d;
	if (withdrawn_len == 0 && attrs_len == 0 && nlri.n == 0) {
		// IPv4 unicast's End-of-RIB is an UPDATE with nothing in it (RFC 4724 §2).
		Event e;
		e.kind = Event::Kind::end_of_rib;
		e.peer = peer;
		e.family = Family::ipv4;
		d.events.push_back(std::move(e));
		return d;
	}
	Attributes a;
	std::string why = read_attributes(attrs, a);
	if (why.empty() && (withdrawn_len != 0 || nlri.n != 0)) {
		why = add_ipv4(peer, withdrawn, nlri, a, d);
	}
	if (why.empty() && a.unreach) {
		why = add_unreach(peer, *a.unreach, a, d);
	}
	if (why.empty() && a.reach) {
		why = add_reach(peer, *a.reach, a, d);
	}
	if (!why.empty()) {
		return malformed(std::move(why));
	}
	if (d.events.empty()) {
		return skipped(Skip::unsupported_family);
	}
	return d;
}

}  // namespace

Decoded decode_bgp(const PeerId& peer, const uint8_t* msg, size_t size)
{
	Reader r{msg, size};
	const uint8_t* marker = r.take(16);
	const size_t len = r.be(2);
	const uint8_t type = uint8_t(r.be(1));
	if (r.bad || len != size || len < kBgpHeader) {
		return malformed("BGP message length " + std::to_string(len) + " in " +
		                 std::to_string(size) + " bytes");
	}
	for (int i = 0; i < 16; ++i) {
		if (marker[i] != 0xff) {
			return malformed("BGP marker is not all ones");
		}
	}
	if (type == kUpdate) {
		return decode_update(peer, r);
	}
	if (type == kRouteRefresh) {
		const uint16_t afi = uint16_t(r.be(2));
		const uint8_t subtype = uint8_t(r.be(1));
		const uint8_t safi = uint8_t(r.be(1));
		if (r.bad) {
			return malformed("ROUTE-REFRESH shorter than 4 bytes");
		}
		const auto f = family_of(afi, safi);
		if (!f || (subtype != 1 && subtype != 2)) {
			return skipped(f ? Skip::other : Skip::unsupported_family);
		}
		Decoded d;
		Event e;
		e.kind = subtype == 1 ? Event::Kind::refresh_begin : Event::Kind::refresh_end;
		e.peer = peer;
		e.family = *f;
		d.events.push_back(std::move(e));
		return d;
	}
	return skipped(Skip::other);
}

}  // namespace tsunagi::routes
