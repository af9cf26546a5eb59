#include "control/routes/bmp.hpp"

#include <cstring>

#include "common/config/values.hpp"

namespace tsunagi::routes {

namespace {

constexpr uint8_t kBmpVersion = 3;
constexpr size_t kBmpHeader = 6;
constexpr size_t kBgpHeader = 19;
// bgpd never sends more than an extended message (RFC 8654) plus BMP's own headers;
// anything longer is a stream out of step.
constexpr uint32_t kMaxMessage = 65535 + 1024;

enum BmpType : uint8_t {
	kPeerDown = 2,
	kPeerUp = 3,
	kInitiation = 4,
	kTermination = 5,
	kRouteMirroring = 6,
};
enum BgpType : uint8_t { kUpdate = 2, kRouteRefresh = 5 };
enum Attr : uint8_t {
	kAsPath = 2,
	kNextHop = 3,
	kMpReach = 14,
	kMpUnreach = 15,
	kExtCommunities = 16,
};
constexpr uint16_t kAfiIp = 1, kAfiIp6 = 2;
constexpr uint8_t kSafiUnicast = 1, kSafiVpn = 128;

// Bounds-checked big-endian reads over one message; a read past the end sets `bad` and
// yields zeros, so decoders check once per record instead of at every field.
struct Reader {
	const uint8_t* p;
	size_t n;
	bool bad = false;

	bool has(size_t k)
	{
		if (k > n) {
			bad = true;
			n = 0;
			return false;
		}
		return true;
	}
	const uint8_t* take(size_t k)
	{
		if (!has(k)) {
			return nullptr;
		}
		const uint8_t* at = p;
		p += k;
		n -= k;
		return at;
	}
	uint64_t be(size_t k)
	{
		const uint8_t* at = take(k);
		uint64_t v = 0;
		for (size_t i = 0; at != nullptr && i < k; ++i) {
			v = v << 8 | at[i];
		}
		return v;
	}
	Reader sub(size_t k)
	{
		const uint8_t* at = take(k);
		return Reader{at != nullptr ? at : p, at != nullptr ? k : 0, at == nullptr};
	}
};

Decoded malformed(std::string why)
{
	Decoded d;
	d.skip = Skip::malformed;
	d.why = std::move(why);
	return d;
}

Decoded skipped(Skip s)
{
	Decoded d;
	d.skip = s;
	return d;
}

std::optional<Family> family_of(uint16_t afi, uint8_t safi)
{
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

std::string route_target(const uint8_t* e)
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

Decoded decode_update(const PeerId& peer, Reader r)
{
	const size_t withdrawn_len = r.be(2);
	Reader withdrawn = r.sub(withdrawn_len);
	const size_t attrs_len = r.be(2);
	Reader attrs = r.sub(attrs_len);
	if (r.bad || withdrawn.bad || attrs.bad) {
		return malformed("UPDATE lengths exceed the message");
	}
	Reader& nlri = r;  // what follows the attributes: IPv4 unicast NLRI
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

	std::vector<std::string> rts;
	std::vector<uint32_t> as_path;
	std::optional<config::IpAddr> next_hop;
	std::optional<Reader> reach, unreach;
	while (attrs.n != 0) {
		const uint8_t flags = uint8_t(attrs.be(1));
		const uint8_t type = uint8_t(attrs.be(1));
		const size_t len = attrs.be(flags & 0x10 ? 2 : 1);
		Reader v = attrs.sub(len);
		if (attrs.bad) {
			return malformed("path attribute " + std::to_string(type) +
			                 " runs past the attributes");
		}
		if (type == kAsPath) {
			if (!read_as_path(v, as_path)) {
				return malformed("AS_PATH segments do not add up");
			}
		} else if (type == kNextHop) {
			if (len != 4) {
				return malformed("NEXT_HOP of " + std::to_string(len) + " bytes");
			}
			next_hop.emplace();
			std::memcpy(next_hop->bytes.data(), v.p, 4);
		} else if (type == kMpReach) {
			reach = v;
		} else if (type == kMpUnreach) {
			unreach = v;
		} else if (type == kExtCommunities) {
			if (len % 8 != 0) {
				return malformed("extended communities of " + std::to_string(len) +
				                 " bytes");
			}
			for (size_t i = 0; i < len; i += 8) {
				const uint8_t* e = v.p + i;
				if ((e[0] & 0x3f) <= 2 && e[1] == 0x02) {
					if (auto s = route_target(e); !s.empty()) {
						rts.push_back(std::move(s));
					}
				}
			}
		}
	}

	// IPv4 unicast in the UPDATE's own fields (RFC 4271 §4.3).
	if (withdrawn_len != 0 || nlri.n != 0) {
		Event e;
		e.peer = peer;
		e.family = Family::ipv4;
		while (withdrawn.n != 0) {
			VpnKey k;
			if (!read_nlri(withdrawn, Family::ipv4, true, k, nullptr)) {
				return malformed("withdrawn IPv4 prefix does not add up");
			}
			e.withdrawn.push_back(k);
		}
		if (nlri.n != 0 && !next_hop) {
			return malformed("IPv4 NLRI without NEXT_HOP");
		}
		while (nlri.n != 0) {
			VpnPath p;
			if (!read_nlri(nlri, Family::ipv4, false, p.key, nullptr)) {
				return malformed("IPv4 NLRI does not add up");
			}
			p.next_hop = *next_hop;
			p.route_targets = rts;
			p.as_path = as_path;
			e.reach.push_back(std::move(p));
		}
		d.events.push_back(std::move(e));
	}
	if (unreach) {
		Reader& u = *unreach;
		const uint16_t afi = uint16_t(u.be(2));
		const uint8_t safi = uint8_t(u.be(1));
		if (u.bad) {
			return malformed("MP_UNREACH_NLRI shorter than its header");
		}
		if (const auto f = family_of(afi, safi)) {
			Event e;
			e.peer = peer;
			e.family = *f;
			if (u.n == 0 && !reach && d.events.empty()) {
				// Nothing but the family: its End-of-RIB (RFC 4724 §2).
				e.kind = Event::Kind::end_of_rib;
				d.events.push_back(std::move(e));
				return d;
			}
			while (u.n != 0) {
				VpnKey k;
				if (!read_nlri(u, *f, true, k, nullptr)) {
					return malformed("withdrawn " + to_string(*f) +
					                 " NLRI does not add up");
				}
				e.withdrawn.push_back(k);
			}
			if (!e.withdrawn.empty()) {
				d.events.push_back(std::move(e));
			}
		}
	}
	if (reach) {
		Reader& m = *reach;
		const uint16_t afi = uint16_t(m.be(2));
		const uint8_t safi = uint8_t(m.be(1));
		const size_t nh_len = m.be(1);
		const uint8_t* nh = m.take(nh_len);
		m.be(1);  // reserved
		if (m.bad) {
			return malformed("MP_REACH_NLRI shorter than its header");
		}
		if (const auto f = family_of(afi, safi)) {
			if (!next_hop_fits(*f, nh_len)) {
				return malformed(to_string(*f) + " next hop of " +
				                 std::to_string(nh_len) + " bytes");
			}
			Event e;
			e.peer = peer;
			e.family = *f;
			const config::IpAddr hop = next_hop_of(nh, nh_len, !is_unicast(*f));
			while (m.n != 0) {
				VpnPath p;
				if (!read_nlri(m, *f, false, p.key, &p.labels)) {
					return malformed(to_string(*f) + " NLRI does not add up");
				}
				p.next_hop = hop;
				p.route_targets = rts;
				p.as_path = as_path;
				e.reach.push_back(std::move(p));
			}
			d.events.push_back(std::move(e));
		}
	}
	if (d.events.empty()) {
		return skipped(Skip::unsupported_family);
	}
	return d;
}

PeerId read_peer(Reader& r, bool& post_policy)
{
	PeerId p;
	r.be(1);  // peer type
	const uint8_t flags = uint8_t(r.be(1));
	p.distinguisher = r.be(8);
	const uint8_t* a = r.take(16);
	p.asn = uint32_t(r.be(4));
	r.take(12);  // BGP identifier, timestamp
	if (a != nullptr) {
		p.address.v6 = (flags & 0x80) != 0;
		std::memcpy(p.address.bytes.data(), p.address.v6 ? a : a + 12,
		            p.address.v6 ? 16 : 4);
	}
	post_policy = (flags & 0x40) != 0;
	return p;
}

}  // namespace

std::optional<std::vector<uint8_t>> BmpStream::next()
{
	if (broken_ || buffered() < kBmpHeader) {
		return std::nullopt;
	}
	const uint8_t* h = buf_.data() + start_;
	const uint32_t len =
	    uint32_t(h[1]) << 24 | uint32_t(h[2]) << 16 | uint32_t(h[3]) << 8 | h[4];
	if (h[0] != kBmpVersion || len < kBmpHeader || len > kMaxMessage) {
		broken_ = true;
		return std::nullopt;
	}
	if (buffered() < len) {
		return std::nullopt;
	}
	std::vector<uint8_t> msg(h, h + len);
	start_ += len;
	// Drop what was consumed once it outweighs what is left, to keep the copy cheap.
	if (start_ > 65536 && start_ * 2 > buf_.size()) {
		buf_.erase(buf_.begin(), buf_.begin() + ptrdiff_t(start_));
		start_ = 0;
	}
	return msg;
}

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

Decoded decode_bmp(const uint8_t* msg, size_t size)
{
	Reader r{msg, size};
	const uint8_t version = uint8_t(r.be(1));
	const size_t len = r.be(4);
	const uint8_t type = uint8_t(r.be(1));
	if (r.bad || version != kBmpVersion || len != size) {
		return malformed("BMP header: version " + std::to_string(version) + ", length " +
		                 std::to_string(len) + " in " + std::to_string(size) + " bytes");
	}
	Decoded d;
	Event e;
	switch (type) {
		case kInitiation:
		case kTermination:
			e.kind = type == kInitiation ? Event::Kind::initiation
			                             : Event::Kind::termination;
			d.events.push_back(std::move(e));
			return d;
		case kPeerUp:
		case kPeerDown: {
			bool post = false;
			e.peer = read_peer(r, post);
			if (r.bad) {
				return malformed("peer header shorter than 42 bytes");
			}
			e.kind = type == kPeerUp ? Event::Kind::peer_up : Event::Kind::peer_down;
			d.events.push_back(std::move(e));
			return d;
		}
		case kRouteMirroring: {
			bool post = false;
			const PeerId peer = read_peer(r, post);
			if (r.bad) {
				return malformed("peer header shorter than 42 bytes");
			}
			Decoded out = skipped(Skip::other);
			while (r.n != 0) {
				const uint16_t tlv = uint16_t(r.be(2));
				const size_t tlen = r.be(2);
				Reader v = r.sub(tlen);
				if (r.bad) {
					return malformed(
					    "route mirroring TLV runs past the message");
				}
				if (tlv == 1 && tlen >= 2 && v.p[1] == 1) {
					// "Messages lost": bgpd's mirror buffer overflowed. What
					// the peer sent is unknown from here on; the feed must
					// resync.
					Decoded lost = skipped(Skip::lost);
					lost.why = "bgpd reports mirrored messages lost";
					return lost;
				}
				if (tlv != 0) {
					continue;
				}
				Decoded one = decode_bgp(peer, v.p, tlen);
				if (one.skip == Skip::malformed) {
					return one;
				}
				for (auto& ev : one.events) {
					out.events.push_back(std::move(ev));
				}
				if (!out.events.empty()) {
					out.skip = Skip::none;
				} else if (one.skip == Skip::unsupported_family) {
					out.skip = one.skip;
				}
			}
			return out;
		}
		default:  // route monitoring, statistics: the feed asks only for mirroring
			return skipped(Skip::other);
	}
}

std::string rd_string(uint64_t rd)
{
	uint8_t b[8];
	for (int i = 0; i < 8; ++i) {
		b[i] = uint8_t(rd >> (56 - 8 * i));
	}
	const uint16_t type = uint16_t(b[0] << 8 | b[1]);
	uint8_t e[8] = {uint8_t(type), 0x02, b[2], b[3], b[4], b[5], b[6], b[7]};
	std::string s = type <= 2 ? route_target(e) : std::string();
	return s.empty() ? "type" + std::to_string(type) : s;
}

std::string to_string(Family f)
{
	switch (f) {
		case Family::vpn4:
			return "VPNv4";
		case Family::vpn6:
			return "VPNv6";
		case Family::ipv4:
			return "IPv4";
		case Family::ipv6:
			return "IPv6";
	}
	return "family " + std::to_string(unsigned(f));
}

std::string to_string(const PeerId& p)
{
	std::string s = config::to_string(p.address);
	if (p.distinguisher != 0) {
		s += " (distinguisher " + rd_string(p.distinguisher) + ")";
	}
	return s;
}

}  // namespace tsunagi::routes
