#include "common/pkt/describe.hpp"

#include <arpa/inet.h>

#include <cstdio>

#include "common/pkt/format.hpp"

namespace tsunagi::pkt {

namespace {

std::string mac(const uint8_t* m)
{
	char b[18];
	std::snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
	              m[5]);
	return b;
}

std::string ip(int af, const uint8_t* a)
{
	char b[INET6_ADDRSTRLEN];
	inet_ntop(af, a, b, sizeof(b));
	return b;
}

struct Describer {
	std::vector<std::string> lines;

	void line(int depth, const std::string& s)
	{
		lines.push_back(std::string(depth * 2, ' ') + s);
	}

	bool need(int depth, size_t len, size_t n, const char* what)
	{
		if (len >= n) {
			return true;
		}
		line(depth, std::string(what) + " (truncated: " + std::to_string(len) + " of " +
		                std::to_string(n) + " bytes)");
		return false;
	}

	void ethernet(const uint8_t* p, size_t len, int depth)
	{
		if (!need(depth, len, kEthLen, "Ethernet")) {
			return;
		}
		line(depth, "Ethernet " + mac(p + 6) + " > " + mac(p));
		size_t off = kMacsLen;
		uint16_t type = load_be16(p + off);
		while ((type == kTpidCtag || type == kTpidStag) && len >= off + kTagLen + 2) {
			const uint16_t tci = load_be16(p + off + 2);
			line(depth, std::string(type == kTpidCtag ? "802.1Q" : "802.1ad") +
			                " vlan " + std::to_string(tci & kVidMask) + " pcp " +
			                std::to_string(tci >> 13));
			off += kTagLen;
			type = load_be16(p + off);
		}
		off += 2;
		payload(type, p + off, len - off, depth);
	}

	void payload(uint16_t type, const uint8_t* p, size_t len, int depth)
	{
		switch (type) {
			case kEtherIpv4:
				return ipv4(p, len, depth);
			case kEtherIpv6:
				return ipv6(p, len, depth);
			case kEtherArp:
				return arp(p, len, depth);
			case kEtherMpls:
				return mpls(p, len, depth);
			default: {
				char b[40];
				std::snprintf(b, sizeof(b), "ethertype 0x%04x, %zu bytes", type,
				              len);
				line(depth, b);
			}
		}
	}

	void arp(const uint8_t* p, size_t len, int depth)
	{
		if (!need(depth, len, 28, "ARP")) {
			return;
		}
		const uint16_t op = load_be16(p + 6);
		line(depth,
		     op == 1 ? "ARP who-has " + ip(AF_INET, p + 24) + " tell " + ip(AF_INET, p + 14)
		     : op == 2 ? "ARP reply " + ip(AF_INET, p + 14) + " is-at " + mac(p + 8)
		               : "ARP op " + std::to_string(op));
	}

	void mpls(const uint8_t* p, size_t len, int depth)
	{
		for (;;) {
			if (!need(depth, len, kMplsLen, "MPLS")) {
				return;
			}
			const uint32_t v = load_be32(p);
			const bool bottom = (v >> 8) & 1;
			line(depth, "MPLS label " + std::to_string(v >> 12) + " ttl " +
			                std::to_string(v & 0xff) + (bottom ? " (bottom)" : ""));
			p += kMplsLen;
			len -= kMplsLen;
			if (bottom) {
				break;
			}
		}
		if (len != 0) {
			(p[0] >> 4) == 6 ? ipv6(p, len, depth) : ipv4(p, len, depth);
		}
	}

	void ipv4(const uint8_t* p, size_t len, int depth)
	{
		if (!need(depth, len, kIpv4Len, "IPv4")) {
			return;
		}
		const size_t ihl = size_t(p[0] & 0x0f) * 4;
		line(depth, "IPv4 " + ip(AF_INET, p + 12) + " > " + ip(AF_INET, p + 16) + " ttl " +
		                std::to_string(p[8]) + " length " +
		                std::to_string(load_be16(p + 2)));
		if (ihl >= kIpv4Len && len >= ihl) {
			transport(p[9], p + ihl, len - ihl, depth, false);
		}
	}

	void ipv6(const uint8_t* p, size_t len, int depth)
	{
		if (!need(depth, len, kIpv6Len, "IPv6")) {
			return;
		}
		line(depth, "IPv6 " + ip(AF_INET6, p + 8) + " > " + ip(AF_INET6, p + 24) +
		                " hop limit " + std::to_string(p[7]));
		transport(p[6], p + kIpv6Len, len - kIpv6Len, depth, true);
	}

	void transport(uint8_t proto, const uint8_t* p, size_t len, int depth, bool v6)
	{
		if (proto == kIpProtoUdp && need(depth, len, kUdpLen, "UDP")) {
			const uint16_t dport = load_be16(p + 2);
			line(depth,
			     "UDP " + std::to_string(load_be16(p)) + " > " + std::to_string(dport));
			if (dport == kVxlanPort && need(depth, len, kUdpLen + kVxlanLen, "VXLAN")) {
				const uint8_t* v = p + kUdpLen;
				line(depth, "VXLAN vni " + std::to_string(load_be32(v + 4) >> 8));
				ethernet(v + kVxlanLen, len - kUdpLen - kVxlanLen, depth + 1);
			}
		} else if (proto == kIpProtoTcp && len >= 4) {
			line(depth, "TCP " + std::to_string(load_be16(p)) + " > " +
			                std::to_string(load_be16(p + 2)));
		} else if ((proto == 1 || proto == 58) && len >= 2) {
			line(depth, std::string(v6 ? "ICMPv6" : "ICMP") + " type " +
			                std::to_string(p[0]) + " code " + std::to_string(p[1]));
		} else if (proto != kIpProtoUdp) {
			line(depth, "protocol " + std::to_string(proto) + ", " +
			                std::to_string(len) + " bytes");
		}
	}
};

}  // namespace

std::vector<std::string> describe_frame(const uint8_t* frame, size_t len)
{
	Describer d;
	d.ethernet(frame, len, 0);
	return d.lines;
}

}  // namespace tsunagi::pkt
