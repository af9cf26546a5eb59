#include "control/routes/bmp.hpp"

#include <cstring>

#include "common/config/values.hpp"
#include "control/routes/bgp_wire.hpp"

namespace tsunagi::routes {

using wire::malformed;
using wire::Reader;
using wire::skipped;

namespace {

constexpr uint8_t kBmpVersion = 3;
constexpr size_t kBmpHeader = 6;
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
	std::string s = type <= 2 ? wire::route_target(e) : std::string();
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
		case Family::evpn:
			return "L2VPN EVPN";
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
