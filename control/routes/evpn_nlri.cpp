// L2VPN EVPN NLRI (AFI 25, SAFI 70) and the attributes that go with them, as bgpd mirrors
// them: route types 2 (RFC 7432 §7.2), 3 (§7.3) and 5 (RFC 9136 §3.1) over VXLAN
// (RFC 8365). Types the feed has no use for (1 and 4, multihoming; 6 and on, multicast)
// are counted and stepped over: their length says where the next route begins.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "control/routes/bgp_wire.hpp"

namespace tsunagi::routes::wire {

namespace {

constexpr uint8_t kTypeMacIp = 2, kTypeMulticast = 3, kTypePrefix = 5;
constexpr uint8_t kExtOpaque = 0x03, kSubEncapsulation = 0x0c;
constexpr uint8_t kExtEvpn = 0x06, kSubMobility = 0x00, kSubRouterMac = 0x03;
constexpr uint8_t kMobilitySticky = 0x01;

uint32_t u24(const uint8_t* p)
{
	return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
}

// An address `bits` long (0, 32 or 128 where a whole address is meant); false otherwise.
bool read_address(Reader& r, unsigned bits, config::IpPrefix& out)
{
	if (bits != 0 && bits != 32 && bits != 128) {
		return false;
	}
	out = {};
	out.addr.v6 = bits == 128;
	const uint8_t* a = r.take(bits / 8);
	if (a != nullptr && bits != 0) {
		std::memcpy(out.addr.bytes.data(), a, bits / 8);
	}
	out.length = uint8_t(bits);
	return !r.bad;
}

// Each reader is given exactly the route's bytes and must use them all.
std::string read_mac_ip(Reader r, EvpnPath& p)
{
	p.key.rd = r.be(8);
	const uint8_t* esi = r.take(10);
	p.key.tag = uint32_t(r.be(4));
	const unsigned mac_bits = unsigned(r.be(1));
	const uint8_t* mac = r.take(6);
	if (r.bad) {
		return "shorter than its MAC";
	}
	if (mac_bits != 48) {
		return "MAC length " + std::to_string(mac_bits) + " bits";
	}
	std::memcpy(p.esi.data(), esi, 10);
	std::memcpy(p.key.mac.bytes.data(), mac, 6);
	const unsigned ip_bits = unsigned(r.be(1));
	if (!read_address(r, ip_bits, p.key.ip)) {
		return r.bad ? "shorter than its IP"
		             : "IP length " + std::to_string(ip_bits) + " bits";
	}
	p.vni = uint32_t(r.be(3));
	if (r.n == 3) {
		p.l3_vni = uint32_t(r.be(3));
	}
	return r.bad || r.n != 0 ? "labels do not add up" : "";
}

std::string read_multicast(Reader r, EvpnPath& p)
{
	p.key.rd = r.be(8);
	p.key.tag = uint32_t(r.be(4));
	const unsigned ip_bits = unsigned(r.be(1));
	if (r.bad) {
		return "shorter than its originating router's IP";
	}
	if (ip_bits == 0 || !read_address(r, ip_bits, p.key.ip)) {
		return "originating router's IP of " + std::to_string(ip_bits) + " bits in " +
		       std::to_string(r.n) + " bytes";
	}
	return r.n != 0 ? "bytes past the originating router's IP" : "";
}

// The route's length tells IPv4 (34 bytes) from IPv6 (58): prefix and gateway are both
// whole addresses of the family, whatever the prefix length (RFC 9136 §3.1).
std::string read_prefix_route(Reader r, EvpnPath& p)
{
	if (r.n != 34 && r.n != 58) {
		return "length not 34 or 58";
	}
	const bool v6 = r.n == 58;
	const size_t width = v6 ? 16 : 4;
	p.key.rd = r.be(8);
	std::memcpy(p.esi.data(), r.take(10), 10);
	p.key.tag = uint32_t(r.be(4));
	const unsigned bits = unsigned(r.be(1));
	if (bits > width * 8) {
		return "prefix length " + std::to_string(bits);
	}
	p.key.ip = {};
	p.key.ip.addr.v6 = v6;
	p.key.ip.length = uint8_t(bits);
	std::memcpy(p.key.ip.addr.bytes.data(), r.take(width), width);
	// Bits past the length mean nothing; a withdrawal must find its route whatever
	// they hold.
	for (size_t i = 0; i < width; ++i) {
		const unsigned keep = bits > i * 8 ? std::min(8u, bits - unsigned(i * 8)) : 0;
		p.key.ip.addr.bytes[i] &= uint8_t(0xff00 >> keep);
	}
	const uint8_t* gw = r.take(width);
	static constexpr uint8_t kZero[16] = {};
	if (std::memcmp(gw, kZero, width) != 0) {
		p.gateway.emplace();
		p.gateway->v6 = v6;
		std::memcpy(p.gateway->bytes.data(), gw, width);
	}
	p.vni = uint32_t(r.be(3));
	return "";
}

}  // namespace

void evpn_community(const uint8_t* e, EvpnAttrs& a)
{
	if (e[0] == kExtOpaque && e[1] == kSubEncapsulation) {
		a.encaps.push_back(uint16_t(e[6] << 8 | e[7]));
	} else if (e[0] == kExtEvpn && e[1] == kSubMobility) {
		a.mobility =
		    MacMobility{(e[2] & kMobilitySticky) != 0, uint32_t(e[4]) << 24 | u24(e + 5)};
	} else if (e[0] == kExtEvpn && e[1] == kSubRouterMac) {
		config::Mac m;
		std::memcpy(m.bytes.data(), e + 2, 6);
		a.router_mac = m;
	}
}

std::string read_pmsi(Reader v, EvpnAttrs& a)
{
	Pmsi p;
	p.flags = uint8_t(v.be(1));
	p.tunnel_type = uint8_t(v.be(1));
	p.vni = uint32_t(v.be(3));
	if (v.bad) {
		return "PMSI tunnel attribute shorter than 5 bytes";
	}
	if (v.n == 4 || v.n == 16) {
		p.tunnel_id.emplace();
		p.tunnel_id->v6 = v.n == 16;
		std::memcpy(p.tunnel_id->bytes.data(), v.p, v.n);
	}
	a.pmsi = p;
	return {};
}

std::string read_evpn(Reader r, bool withdraw, const config::IpAddr& hop,
                      const std::vector<std::string>& rts, const EvpnAttrs& a, Event& e)
{
	while (r.n != 0) {
		const uint8_t type = uint8_t(r.be(1));
		const size_t len = r.be(1);
		Reader route = r.sub(len);
		if (r.bad) {
			return "EVPN route of type " + std::to_string(type) + " runs past the NLRI";
		}
		EvpnPath p;
		p.key.type = type;
		std::string why;
		if (type == kTypeMacIp) {
			why = read_mac_ip(route, p);
		} else if (type == kTypeMulticast) {
			why = read_multicast(route, p);
		} else if (type == kTypePrefix) {
			why = read_prefix_route(route, p);
		} else {
			++e.evpn_unknown;
			continue;
		}
		if (!why.empty()) {
			return "EVPN type-" + std::to_string(type) + " route of " +
			       std::to_string(len) + " bytes: " + why;
		}
		if (withdraw) {
			e.evpn_withdrawn.push_back(p.key);
			continue;
		}
		p.next_hop = hop;
		p.route_targets = rts;
		p.attrs = a;
		e.evpn_reach.push_back(std::move(p));
	}
	return {};
}

}  // namespace tsunagi::routes::wire
