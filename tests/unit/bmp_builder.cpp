#include "tests/unit/bmp_builder.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace tsunagi::test {

namespace {

void put(Bytes& b, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; --i) {
		b.push_back(uint8_t(v >> (8 * i)));
	}
}

Bytes address(const std::string& a);

// "ASN:NN" (type 0: 2-byte ASN, 4-byte number) or "A.B.C.D:NN" (type 1, as FRR's EVPN
// RDs are).
void put_rd(Bytes& b, const std::string& rd)
{
	const size_t c = rd.find(':');
	if (rd.substr(0, c).find('.') != std::string::npos) {
		put(b, 1, 2);
		const Bytes a = address(rd.substr(0, c));
		b.insert(b.end(), a.begin(), a.end());
		put(b, std::stoul(rd.substr(c + 1)), 2);
		return;
	}
	put(b, 0, 2);
	put(b, std::stoul(rd.substr(0, c)), 2);
	put(b, std::stoul(rd.substr(c + 1)), 4);
}

bool is_v6(const std::string& a)
{
	return a.find(':') != std::string::npos;
}

Bytes address(const std::string& a)
{
	Bytes out(is_v6(a) ? 16 : 4);
	if (inet_pton(is_v6(a) ? AF_INET6 : AF_INET, a.c_str(), out.data()) != 1) {
		throw std::runtime_error("bad address " + a);
	}
	return out;
}

void put_nlri(Bytes& b, const VpnNlri& n, bool withdraw)
{
	const size_t slash = n.prefix.find('/');
	const Bytes a = address(n.prefix.substr(0, slash));
	const unsigned len = std::stoul(n.prefix.substr(slash + 1));
	const std::vector<uint32_t> labels = withdraw ? std::vector<uint32_t>{0x80000} : n.labels;
	put(b, 24 * labels.size() + 64 + len, 1);
	for (size_t i = 0; i < labels.size(); ++i) {
		put(b, labels[i] << 4 | (i + 1 == labels.size() && !withdraw ? 1 : 0), 3);
	}
	put_rd(b, n.rd);
	b.insert(b.end(), a.begin(), a.begin() + (len + 7) / 8);
}

// A prefix as unicast NLRI and withdrawn routes carry it: length, then the bytes it covers.
void put_prefix(Bytes& b, const std::string& prefix)
{
	const size_t slash = prefix.find('/');
	const Bytes a = address(prefix.substr(0, slash));
	const unsigned len = std::stoul(prefix.substr(slash + 1));
	b.push_back(uint8_t(len));
	b.insert(b.end(), a.begin(), a.begin() + (len + 7) / 8);
}

Bytes bgp(uint8_t type, const Bytes& body)
{
	Bytes b(16, 0xff);
	put(b, 19 + body.size(), 2);
	b.push_back(type);
	b.insert(b.end(), body.begin(), body.end());
	return b;
}

void put_attr(Bytes& b, uint8_t flags, uint8_t type, const Bytes& v)
{
	const bool ext = v.size() > 255;
	b.push_back(uint8_t(flags | (ext ? 0x10 : 0)));
	b.push_back(type);
	put(b, v.size(), ext ? 2 : 1);
	b.insert(b.end(), v.begin(), v.end());
}

Bytes update_with(const Bytes& attrs)
{
	Bytes body;
	put(body, 0, 2);
	put(body, attrs.size(), 2);
	body.insert(body.end(), attrs.begin(), attrs.end());
	return bgp(2, body);
}

// An UPDATE with MP_UNREACH_NLRI `mp` (AFI, SAFI, withdrawn NLRI) alone; with no NLRI, the
// family's End-of-RIB.
Bytes unreach(const Bytes& mp)
{
	Bytes attrs;
	put_attr(attrs, 0x80, 15, mp);
	return update_with(attrs);
}

Bytes bmp(uint8_t type, const Bytes& body)
{
	Bytes b{3};
	put(b, 6 + body.size(), 4);
	b.push_back(type);
	b.insert(b.end(), body.begin(), body.end());
	return b;
}

Bytes peer_header(const std::string& peer, uint32_t peer_as = 2516)
{
	Bytes b{0, uint8_t(is_v6(peer) ? 0x80 : 0)};
	put(b, 0, 8);
	const Bytes a = address(peer);
	b.insert(b.end(), 16 - a.size(), 0);
	b.insert(b.end(), a.begin(), a.end());
	put(b, peer_as, 4);
	put(b, 0x0a000001, 4);
	put(b, 0, 8);
	return b;
}

}  // namespace

Bytes vpn_update(const std::vector<VpnNlri>& nlri, const std::string& next_hop,
                 const std::vector<std::string>& rts)
{
	const bool v6 = is_v6(nlri.at(0).prefix);
	Bytes attrs;
	put_attr(attrs, 0x40, 1, {0});                       // ORIGIN IGP
	put_attr(attrs, 0x40, 2, {2, 1, 0, 0, 0x09, 0xd4});  // AS_PATH 2516
	Bytes ext;
	for (const auto& rt : rts) {
		const size_t c = rt.find(':');
		put(ext, 0x0002, 2);
		put(ext, std::stoul(rt.substr(0, c)), 2);
		put(ext, std::stoul(rt.substr(c + 1)), 4);
	}
	put_attr(attrs, 0xc0, 16, ext);
	Bytes mp;
	put(mp, v6 ? 2 : 1, 2);
	mp.push_back(128);
	const Bytes nh = address(next_hop);
	mp.push_back(uint8_t(8 + nh.size()));
	put(mp, 0, 8);
	mp.insert(mp.end(), nh.begin(), nh.end());
	mp.push_back(0);
	for (const auto& n : nlri) {
		put_nlri(mp, n, false);
	}
	put_attr(attrs, 0x80, 14, mp);
	return update_with(attrs);
}

Bytes vpn_withdraw(const std::vector<VpnNlri>& nlri)
{
	Bytes mp;
	put(mp, is_v6(nlri.at(0).prefix) ? 2 : 1, 2);
	mp.push_back(128);
	for (const auto& n : nlri) {
		put_nlri(mp, n, true);
	}
	return unreach(mp);
}

Bytes vpn_end_of_rib(bool v6)
{
	return unreach({0, uint8_t(v6 ? 2 : 1), 128});
}

Bytes route_refresh(bool v6, uint8_t subtype, uint8_t safi)
{
	return bgp(5, {0, uint8_t(v6 ? 2 : 1), subtype, safi});
}

Bytes ipv4_update(const std::vector<std::string>& nlri, const std::string& next_hop,
                  const std::vector<std::string>& withdrawn, const std::vector<uint32_t>& as_path)
{
	Bytes w;
	for (const auto& p : withdrawn) {
		put_prefix(w, p);
	}
	Bytes attrs;
	if (!nlri.empty()) {
		put_attr(attrs, 0x40, 1, {0});  // ORIGIN IGP
		Bytes path{2, uint8_t(as_path.size())};
		for (uint32_t as : as_path) {
			put(path, as, 4);
		}
		put_attr(attrs, 0x40, 2, path);
		if (!next_hop.empty()) {
			put_attr(attrs, 0x40, 3, address(next_hop));
		}
	}
	Bytes body;
	put(body, w.size(), 2);
	body.insert(body.end(), w.begin(), w.end());
	put(body, attrs.size(), 2);
	body.insert(body.end(), attrs.begin(), attrs.end());
	for (const auto& p : nlri) {
		put_prefix(body, p);
	}
	return bgp(2, body);
}

Bytes ipv6_update(const std::vector<std::string>& nlri, const std::string& next_hop,
                  const std::string& link_local)
{
	Bytes attrs;
	put_attr(attrs, 0x40, 1, {0});
	put_attr(attrs, 0x40, 2, {2, 1, 0, 0, 0x09, 0xd4});
	Bytes mp{0, 2, 1};
	Bytes nh = address(next_hop);
	if (!link_local.empty()) {
		const Bytes ll = address(link_local);
		nh.insert(nh.end(), ll.begin(), ll.end());
	}
	mp.push_back(uint8_t(nh.size()));
	mp.insert(mp.end(), nh.begin(), nh.end());
	mp.push_back(0);
	for (const auto& p : nlri) {
		put_prefix(mp, p);
	}
	put_attr(attrs, 0x80, 14, mp);
	return update_with(attrs);
}

Bytes ipv6_withdraw(const std::vector<std::string>& nlri)
{
	Bytes mp{0, 2, 1};
	for (const auto& p : nlri) {
		put_prefix(mp, p);
	}
	return unreach(mp);
}

Bytes unicast_end_of_rib(bool v6)
{
	if (!v6) {
		return update_with({});
	}
	return unreach({0, 2, 1});
}

namespace {

Bytes mac_bytes(const std::string& mac)
{
	Bytes out;
	for (size_t i = 0; i < mac.size(); i += 3) {
		out.push_back(uint8_t(std::stoul(mac.substr(i, 2), nullptr, 16)));
	}
	return out;
}

Bytes evpn_route(uint8_t type, const Bytes& body)
{
	Bytes b{type, uint8_t(body.size())};
	b.insert(b.end(), body.begin(), body.end());
	return b;
}

void append(Bytes& b, const Bytes& more)
{
	b.insert(b.end(), more.begin(), more.end());
}

}  // namespace

Bytes evpn_mac_ip(const std::string& rd, const std::string& mac, const std::string& ip,
                  uint32_t vni, int64_t l3_vni, uint32_t tag, uint8_t esi0)
{
	Bytes b;
	put_rd(b, rd);
	b.push_back(esi0);
	b.insert(b.end(), 9, 0);
	put(b, tag, 4);
	b.push_back(48);
	append(b, mac_bytes(mac));
	const Bytes a = ip.empty() ? Bytes{} : address(ip);
	b.push_back(uint8_t(a.size() * 8));
	append(b, a);
	put(b, vni, 3);
	if (l3_vni >= 0) {
		put(b, uint64_t(l3_vni), 3);
	}
	return evpn_route(2, b);
}

Bytes evpn_multicast(const std::string& rd, const std::string& originator, uint32_t tag)
{
	Bytes b;
	put_rd(b, rd);
	put(b, tag, 4);
	const Bytes a = address(originator);
	b.push_back(uint8_t(a.size() * 8));
	append(b, a);
	return evpn_route(3, b);
}

Bytes evpn_prefix(const std::string& rd, const std::string& prefix, const std::string& gateway,
                  uint32_t vni, uint32_t tag)
{
	const size_t slash = prefix.find('/');
	Bytes b;
	put_rd(b, rd);
	b.insert(b.end(), 10, 0);
	put(b, tag, 4);
	b.push_back(uint8_t(std::stoul(prefix.substr(slash + 1))));
	append(b, address(prefix.substr(0, slash)));
	append(b, address(gateway));
	put(b, vni, 3);
	return evpn_route(5, b);
}

Bytes ext_rt(const std::string& rt)
{
	const size_t c = rt.find(':');
	Bytes b;
	put(b, 0x0002, 2);
	put(b, std::stoul(rt.substr(0, c)), 2);
	put(b, std::stoul(rt.substr(c + 1)), 4);
	return b;
}

Bytes ext_encap(uint16_t tunnel_type)
{
	Bytes b{0x03, 0x0c, 0, 0, 0, 0};
	put(b, tunnel_type, 2);
	return b;
}

Bytes ext_mobility(bool sticky, uint32_t seq)
{
	Bytes b{0x06, 0x00, uint8_t(sticky ? 1 : 0), 0};
	put(b, seq, 4);
	return b;
}

Bytes ext_router_mac(const std::string& mac)
{
	Bytes b{0x06, 0x03};
	append(b, mac_bytes(mac));
	return b;
}

Bytes pmsi(uint8_t tunnel_type, uint32_t vni, const std::string& tunnel)
{
	Bytes b{0, tunnel_type};
	put(b, vni, 3);
	append(b, address(tunnel));
	return b;
}

Bytes evpn_update(const std::vector<Bytes>& routes, const std::string& next_hop, const Bytes& ext,
                  const Bytes& pmsi_value)
{
	Bytes attrs;
	put_attr(attrs, 0x40, 1, {0});  // ORIGIN IGP
	put_attr(attrs, 0x40, 2, {});   // AS_PATH empty: iBGP
	if (!ext.empty()) {
		put_attr(attrs, 0xc0, 16, ext);
	}
	if (!pmsi_value.empty()) {
		put_attr(attrs, 0xc0, 22, pmsi_value);
	}
	Bytes mp{0, 25, 70};
	const Bytes nh = address(next_hop);
	mp.push_back(uint8_t(nh.size()));
	append(mp, nh);
	mp.push_back(0);
	for (const auto& r : routes) {
		append(mp, r);
	}
	put_attr(attrs, 0x80, 14, mp);
	return update_with(attrs);
}

Bytes evpn_withdraw(const std::vector<Bytes>& routes)
{
	Bytes mp{0, 25, 70};
	for (const auto& r : routes) {
		append(mp, r);
	}
	return unreach(mp);
}

Bytes evpn_end_of_rib()
{
	return unreach({0, 25, 70});
}

Bytes bmp_mirror(const std::string& peer, const Bytes& msg, uint32_t peer_as)
{
	Bytes body = peer_header(peer, peer_as);
	put(body, 0, 2);
	put(body, msg.size(), 2);
	body.insert(body.end(), msg.begin(), msg.end());
	return bmp(6, body);
}

Bytes bmp_peer(uint8_t type, const std::string& peer)
{
	Bytes body = peer_header(peer);
	if (type == 2) {
		body.push_back(4);  // remote system closed, no notification
	}
	return bmp(type, body);
}

Bytes bmp_initiation()
{
	Bytes body;
	put(body, 2, 2);  // sysName
	put(body, 4, 2);
	body.insert(body.end(), {'n', 'o', 'd', 'e'});
	return bmp(4, body);
}

}  // namespace tsunagi::test
