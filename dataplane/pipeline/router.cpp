// The private link (DESIGN.md §4): routing in a tenant's VRF, the three kinds of next hop,
// and what arrives on interconnect ports (Option-A sub-interfaces, MPLS with this node's
// VRF labels, and the node's own traffic for the punt path).
#include <rte_ip.h>

#include <cstring>
#include <type_traits>

#include "common/pkt/format.hpp"
#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::dp {

using abi::kNone;
using pkt::load_be16;
using pkt::load_be32;
using pkt::store_be16;
using pkt::store_be32;

namespace {

constexpr uint32_t kArpLen = 28;  // Ethernet/IPv4 ARP
constexpr uint8_t kIpProtoIcmp = 1;
constexpr uint8_t kIpProtoIcmp6 = 58;

bool is_ip(uint16_t type)
{
	return type == pkt::kEtherIpv4 || type == pkt::kEtherIpv6;
}

// Only the word holding the TTL is summed again: a sum over the whole header would read
// back the bytes just stored (a store-forwarding stall on every routed packet).
void set_ipv4_ttl(uint8_t* ip, uint8_t ttl)
{
	const uint16_t old_word = load_be16(ip + 8);
	ip[8] = ttl;
	store_be16(ip + 10, pkt::checksum_adjust(load_be16(ip + 10), old_word, load_be16(ip + 8)));
}

// Whether a frame (its L3 header `tags_len` bytes after the MACs and EtherType) is the
// neighbour discovery of whoever speaks on the link: ARP, IPv6 to a multicast or
// link-local address.
bool for_link(const uint8_t* p, uint32_t len, uint32_t tags_len)
{
	const uint16_t type = load_be16(p + pkt::kMacsLen + tags_len);
	if (type == pkt::kEtherArp) {
		return true;
	}
	const uint8_t* dst = p + pkt::kEthLen + tags_len + 24;
	return type == pkt::kEtherIpv6 && len >= pkt::kEthLen + tags_len + pkt::kIpv6Len &&
	       (dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80));
}

// Whether an untagged frame on an L3 port is the node's own traffic: the link's neighbour
// discovery, and IP to the port's address.
bool for_node(const abi::PortEntry& port, const uint8_t* p, uint32_t len)
{
	const uint16_t type = load_be16(p + 12);
	const uint8_t* l3 = p + pkt::kEthLen;
	if (for_link(p, len, 0)) {
		return true;
	}
	if (type == pkt::kEtherIpv4 && len >= pkt::kEthLen + pkt::kIpv4Len) {
		return port.has_ip4 && std::memcmp(l3 + 16, &port.ip4, 4) == 0;
	}
	return type == pkt::kEtherIpv6 && len >= pkt::kEthLen + pkt::kIpv6Len && port.has_ip6 &&
	       std::memcmp(l3 + 24, port.ip6, 16) == 0;
}

}  // namespace

bool Pipeline::routed(const Work& w) const
{
	// w.to_router first: the MAC compare made when the burst was staged.
	const uint8_t* eth = rte_pktmbuf_mtod(w.m, const uint8_t*);
	return w.to_router && abi::load_acquire(t_.vrfs[w.in.tenant].live) != 0 &&
	       is_ip(load_be16(eth + pkt::kMacsLen + w.in.tags_len));
}

// The IPv4 destination of a frame to the router, nullptr when it carries no IPv4.
const uint8_t* Pipeline::ipv4_destination(const Work& w)
{
	const uint8_t* eth = rte_pktmbuf_mtod(w.m, const uint8_t*);
	const uint32_t l3 = pkt::kEthLen + w.in.tags_len;
	if (rte_pktmbuf_data_len(w.m) < l3 + pkt::kIpv4Len ||
	    load_be16(eth + pkt::kMacsLen + w.in.tags_len) != pkt::kEtherIpv4) {
		return nullptr;
	}
	return eth + l3 + 16;
}

void Pipeline::prefetch_route(Work& w) const
{
	const uint8_t* dst = ipv4_destination(w);
	w.has_dst4 = dst != nullptr;
	w.hint_len = kNoHint;
	if (dst == nullptr) {
		return;
	}
	w.dst4 = load_be32(dst);
	// The slots of the VRF's two longest IPv4 lengths: most lookups end there. The first
	// one's hash is kept for the lookup.
	uint64_t lens = abi::load_acquire(t_.vrfs[w.in.tenant].len4);
	for (int i = 0; i < 2 && lens != 0; ++i) {
		const auto len = uint8_t(63 - __builtin_clzll(lens));
		const uint64_t hash = abi::hash_key(abi::route4_key(w.in.tenant, len, w.dst4));
		t_.route4_map.prefetch(hash);
		if (i == 0) {
			w.hint_len = len;
			w.hint_hash = hash;
		}
		lens &= ~(uint64_t{1} << len);
	}
}

void Pipeline::prefetch_nexthop(Work& w) const
{
	// The route slots came in during the last pass: look the route up, fetch its next hop,
	// and keep the answer for route().
	if (!w.has_dst4) {
		return;
	}
	w.route_ref = lookup4(w.in.tenant, w.dst4, w.hint_len, w.hint_hash);
	if (abi::ref_value(w.route_ref) != kNone) {
		rte_prefetch0(&t_.nexthop(abi::ref_value(w.route_ref)));
	}
}

uint64_t Pipeline::lookup4(uint32_t tenant, uint32_t dst, uint8_t hint_len,
                           uint64_t hint_hash) const
{
	const abi::VrfEntry& vrf = t_.vrfs[tenant];
	uint64_t lens = abi::load_acquire(vrf.len4);
	// The VRF's own addresses are host routes its length bits leave out (tables.hpp).
	static_assert(std::extent_v<decltype(abi::VrfEntry::local4)> == 4);
	const bool own =
	    (abi::load_acquire(vrf.local4[0]) == dst) | (abi::load_acquire(vrf.local4[1]) == dst) |
	    (abi::load_acquire(vrf.local4[2]) == dst) | (abi::load_acquire(vrf.local4[3]) == dst);
	lens |= uint64_t{own} << 32;
	// Longest first, over the lengths the VRF has.
	while (lens != 0) {
		const auto len = uint8_t(63 - __builtin_clzll(lens));
		const uint64_t key = abi::route4_key(tenant, len, dst);
		const uint64_t ref =
		    t_.route4_map.find(len == hint_len ? hint_hash : abi::hash_key(key), key);
		if (abi::ref_value(ref) != kNone) {
			return ref;
		}
		lens &= ~(uint64_t{1} << len);
	}
	return abi::kEmptyRef;
}

uint64_t Pipeline::lookup6(uint32_t tenant, const uint8_t* dst) const
{
	abi::Route6Key key{};
	key.tenant = tenant;
	for (int word = 2; word >= 0; --word) {
		for (uint64_t lens = abi::load_acquire(t_.vrfs[tenant].len6[word]); lens != 0;) {
			const int bit = 63 - __builtin_clzll(lens);
			lens &= ~(uint64_t{1} << bit);
			const unsigned len = unsigned(word * 64 + bit);
			if (len > 128) {
				continue;
			}
			std::memset(key.addr, 0, 16);
			std::memcpy(key.addr, dst, len / 8);
			if (len % 8 != 0) {
				key.addr[len / 8] = uint8_t(dst[len / 8] & (0xff00u >> (len % 8)));
			}
			key.len = len;
			const uint64_t ref = t_.route6_map.find(key);
			if (abi::ref_value(ref) != kNone) {
				return ref;
			}
		}
	}
	return abi::kEmptyRef;
}

bool Pipeline::answer_arp(rte_mbuf* m, const Ingress& in, uint32_t now, TxBuffers& tx)
{
	uint8_t* eth = rte_pktmbuf_mtod(m, uint8_t*);
	const uint32_t off = pkt::kEthLen + in.tags_len;
	if (rte_pktmbuf_data_len(m) < off + kArpLen ||
	    !abi::load_acquire(t_.vrfs[in.tenant].live)) {
		return false;
	}
	const uint8_t* arp = eth + off;
	if (load_be16(arp) != 1 || load_be16(arp + 2) != pkt::kEtherIpv4 || arp[4] != 6 ||
	    arp[5] != 4) {
		return false;
	}
	// Whoever asks or answers tells its own address and MAC.
	if (load_be32(arp + 14) != 0 && !pkt::is_multicast(arp + 8)) {
		uint8_t addr[16];
		NeighborCache::mapped4(arp + 14, addr);
		neighbors_.learn(in.tenant, addr, arp + 8, now);
	}
	// An answer to the router's own request ends here.
	if (load_be16(arp + 6) == 2 && pkt::same_mac(eth, t_.node().router_mac)) {
		rte_pktmbuf_free(m);
		return true;
	}
	// A request for one of the VRF's own addresses is answered.
	if (load_be16(arp + 6) != 1) {
		return false;
	}
	const uint32_t target = load_be32(arp + 24);
	const uint64_t ref = lookup4(in.tenant, target);
	if (abi::ref_value(ref) == kNone ||
	    t_.nexthop(abi::ref_value(ref)).kind != abi::NexthopKind::local) {
		return false;
	}
	uint8_t* a = eth + off;
	store_be16(a + 6, 2);
	std::memcpy(a + 18, a + 8, 10);  // the asker's MAC and address become the target's
	std::memcpy(a + 8, t_.node().router_mac, 6);
	store_be32(a + 14, target);
	reply_to(m, in.tags_len, in.tenant, in.member, tx);
	return true;
}

// Turns an ICMPv6 neighbour solicitation for one of the VRF's own addresses at `ip` into
// the advertisement that answers it (router, solicited, override; the router MAC as the
// target's link-layer address), in place. False when it is no such solicitation.
bool Pipeline::make_advert(rte_mbuf* m, uint8_t* ip, uint32_t tenant) const
{
	const uint32_t avail =
	    rte_pktmbuf_data_len(m) - uint32_t(ip - rte_pktmbuf_mtod(m, uint8_t*));
	uint8_t* icmp = ip + pkt::kIpv6Len;
	if (avail < pkt::kIpv6Len + 24 || ip[6] != kIpProtoIcmp6 || icmp[0] != 135 ||
	    icmp[1] != 0) {
		return false;
	}
	const uint64_t ref = lookup6(tenant, icmp + 8);
	if (abi::ref_value(ref) == kNone ||
	    t_.nexthop(abi::ref_value(ref)).kind != abi::NexthopKind::local) {
		return false;
	}
	static const uint8_t unspecified[16] = {};
	const bool dad = std::memcmp(ip + 8, unspecified, 16) == 0;
	// To the asker, or to all nodes when it has no address yet (duplicate detection).
	if (dad) {
		static const uint8_t all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0,
		                                      0,    0,    0, 0, 0, 0, 0, 1};
		std::memcpy(ip + 24, all_nodes, 16);
	} else {
		std::memcpy(ip + 24, ip + 8, 16);
	}
	std::memcpy(ip + 8, icmp + 8, 16);
	constexpr uint32_t kAdvertLen = 32;  // header, flags, target, one option
	const uint32_t want =
	    uint32_t(ip - rte_pktmbuf_mtod(m, uint8_t*)) + pkt::kIpv6Len + kAdvertLen;
	if (rte_pktmbuf_pkt_len(m) > want) {
		rte_pktmbuf_trim(m, uint16_t(rte_pktmbuf_pkt_len(m) - want));
	} else if (rte_pktmbuf_pkt_len(m) < want &&
	           rte_pktmbuf_append(m, uint16_t(want - rte_pktmbuf_pkt_len(m))) == nullptr) {
		return false;
	}
	store_be16(ip + 4, uint16_t(kAdvertLen));
	ip[7] = 255;
	icmp[0] = 136;
	icmp[1] = 0;
	store_be16(icmp + 2, 0);
	store_be32(icmp + 4, dad ? 0xa0000000u : 0xe0000000u);  // R, S unless to all, O
	icmp[24] = 2;                                           // target link-layer address
	icmp[25] = 1;
	std::memcpy(icmp + 26, t_.node().router_mac, 6);
	const uint16_t ck = rte_ipv6_udptcp_cksum(reinterpret_cast<const rte_ipv6_hdr*>(ip), icmp);
	std::memcpy(icmp + 2, &ck, 2);
	return true;
}

// What a neighbour solicitation (its source link-layer address) or advertisement (its
// target's) says about the host that sent it.
void Pipeline::glean_nd(const uint8_t* ip, uint32_t avail, uint32_t tenant, uint32_t now)
{
	const uint8_t* icmp = ip + pkt::kIpv6Len;
	if (avail < pkt::kIpv6Len + 24 || ip[6] != kIpProtoIcmp6 || ip[7] != 255 ||
	    (icmp[0] != 135 && icmp[0] != 136) || icmp[1] != 0) {
		return;
	}
	static const uint8_t unspecified[16] = {};
	// A solicitation names its sender by its source address, an advertisement by its target.
	const uint8_t* who = icmp[0] == 135 ? ip + 8 : icmp + 8;
	const uint8_t want = icmp[0] == 135 ? 1 : 2;  // source / target link-layer address
	if (std::memcmp(who, unspecified, 16) == 0 || who[0] == 0xff) {
		return;
	}
	const uint32_t end = std::min<uint32_t>(avail, pkt::kIpv6Len + load_be16(ip + 4));
	for (uint32_t o = pkt::kIpv6Len + 24; o + 8 <= end && ip[o + 1] != 0; o += 8u * ip[o + 1]) {
		const uint8_t* opt = ip + o;
		if (opt[0] == want && opt[1] == 1 && !pkt::is_multicast(opt + 2)) {
			neighbors_.learn(tenant, who, opt + 2, now);
			return;
		}
	}
}

// A packet to a host of the segment whose MAC is unknown: lost (no_neighbor), its buffer
// turned into the question, from the subnet's gateway address and the router MAC, flooded
// in the segment: an ARP request, or a neighbour solicitation to the target's
// solicited-node group. At most one a second per address; the answer is gleaned.
void Pipeline::solicit(rte_mbuf* m, const abi::NexthopEntry& nh, const uint8_t* dst, bool v6,
                       uint32_t tags_len, uint32_t now, TxBuffers& tx)
{
	// Per address at most once a second, and per worker at most kSolicitBudget a second:
	// a scan of a large subnet must not turn into a flood of broadcasts.
	if (now != solicit_second_) {
		solicit_second_ = now;
		solicit_left_ = kSolicitBudget;
	}
	if (solicit_left_ == 0 || !neighbors_.may_ask(nh.tenant, dst, now)) {
		return drop(m, Drop::no_neighbor);
	}
	--solicit_left_;
	constexpr uint32_t kArpFrame = 60;                                // padded to the minimum
	constexpr uint32_t kNsFrame = pkt::kEthLen + pkt::kIpv6Len + 32;  // one option
	const uint32_t want = v6 ? kNsFrame : kArpFrame;
	uint8_t* p = resize_tags(m, tags_len, 0);
	if (p == nullptr ||
	    (rte_pktmbuf_pkt_len(m) < want &&
	     rte_pktmbuf_append(m, uint16_t(want - rte_pktmbuf_pkt_len(m))) == nullptr)) {
		return drop(m, Drop::no_mbuf);
	}
	rte_pktmbuf_trim(m, uint16_t(rte_pktmbuf_pkt_len(m) - want));
	ctr_.drops[size_t(Drop::no_neighbor)]++;  // the packet that asked
	const uint8_t* rmac = t_.node().router_mac;
	const auto* gateway = reinterpret_cast<const uint8_t*>(nh.labels);
	std::memcpy(p + 6, rmac, 6);
	if (!v6) {
		std::memset(p, 0xff, 6);
		store_be16(p + pkt::kMacsLen, pkt::kEtherArp);
		uint8_t* a = p + pkt::kEthLen;
		store_be16(a, 1);
		store_be16(a + 2, pkt::kEtherIpv4);
		a[4] = 6;
		a[5] = 4;
		store_be16(a + 6, 1);
		std::memcpy(a + 8, rmac, 6);
		std::memcpy(a + 14, gateway, 4);
		std::memset(a + 18, 0, 6);
		std::memcpy(a + 24, dst + 12, 4);
		std::memset(a + kArpLen, 0, kArpFrame - pkt::kEthLen - kArpLen);
	} else {
		static constexpr uint8_t kSolicited[13] = {0xff, 0x02, 0, 0, 0, 0,   0,
		                                           0,    0,    0, 0, 1, 0xff};
		p[0] = 0x33;
		p[1] = 0x33;
		p[2] = 0xff;
		std::memcpy(p + 3, dst + 13, 3);
		store_be16(p + pkt::kMacsLen, pkt::kEtherIpv6);
		uint8_t* ip = p + pkt::kEthLen;
		store_be32(ip, 0x60000000u);
		store_be16(ip + 4, 32);
		ip[6] = kIpProtoIcmp6;
		ip[7] = 255;
		std::memcpy(ip + 8, gateway, 16);
		std::memcpy(ip + 24, kSolicited, 13);
		std::memcpy(ip + 37, dst + 13, 3);
		uint8_t* icmp = ip + pkt::kIpv6Len;
		icmp[0] = 135;
		icmp[1] = 0;
		store_be16(icmp + 2, 0);
		store_be32(icmp + 4, 0);
		std::memcpy(icmp + 8, dst, 16);
		icmp[24] = 1;  // source link-layer address
		icmp[25] = 1;
		std::memcpy(icmp + 26, rmac, 6);
		const uint16_t ck =
		    rte_ipv6_udptcp_cksum(reinterpret_cast<const rte_ipv6_hdr*>(ip), icmp);
		std::memcpy(icmp + 2, &ck, 2);
	}
	const Ingress in{nh.tenant, kNone, 0, 0, false};
	flood(m, in, tx);
}

bool Pipeline::answer_nd(rte_mbuf* m, const Ingress& in, uint32_t now, TxBuffers& tx)
{
	uint8_t* eth = rte_pktmbuf_mtod(m, uint8_t*);
	if (!abi::load_acquire(t_.vrfs[in.tenant].live) ||
	    rte_pktmbuf_data_len(m) < pkt::kEthLen + in.tags_len + pkt::kIpv6Len) {
		return false;
	}
	uint8_t* ip = eth + pkt::kEthLen + in.tags_len;
	glean_nd(ip, rte_pktmbuf_data_len(m) - pkt::kEthLen - in.tags_len, in.tenant, now);
	if (!make_advert(m, ip, in.tenant)) {
		return false;
	}
	reply_to(m, in.tags_len, in.tenant, in.member, tx);
	return true;
}

// Sends a frame answered in place back to the member it came from: tags off, to its
// sender, from the router MAC.
void Pipeline::reply_to(rte_mbuf* m, uint32_t tags_len, uint32_t tenant, uint32_t member,
                        TxBuffers& tx)
{
	uint8_t* p = resize_tags(m, tags_len, 0);
	if (p == nullptr) {
		return drop(m, Drop::no_mbuf);
	}
	std::memcpy(p, p + 6, 6);
	std::memcpy(p + 6, t_.node().router_mac, 6);
	const Ingress back{tenant, kNone, 0, 0, false};
	emit(m, back, member, tx);
}

void Pipeline::answer_local(rte_mbuf* m, uint32_t tenant, uint32_t tags_len, uint32_t now,
                            TxBuffers& tx, const Ingress* from)
{
	uint8_t* eth = rte_pktmbuf_mtod(m, uint8_t*);
	uint8_t* ip = eth + pkt::kEthLen + tags_len;
	const uint32_t len = rte_pktmbuf_data_len(m);
	const uint32_t avail = len - pkt::kEthLen - tags_len;
	// Echo requests, and IPv6 neighbour solicitations, are answered; anything else for
	// the VRF's own addresses waits for a punt path per VRF.
	if (load_be16(eth + pkt::kMacsLen + tags_len) == pkt::kEtherIpv6) {
		uint8_t* icmp = ip + pkt::kIpv6Len;
		// Only hosts of the segment speak for the segment's addresses: what comes in from
		// a carrier (from == nullptr) is never learned.
		if (from != nullptr) {
			glean_nd(ip, avail, tenant, now);
		}
		if (avail >= pkt::kIpv6Len + 24 && ip[6] == kIpProtoIcmp6 && icmp[0] == 136) {
			rte_pktmbuf_free(m);  // an answer to the router's own solicitation
			return;
		}
		if (make_advert(m, ip, tenant)) {
			// fall through to the reply below
		} else if (avail >= pkt::kIpv6Len + 8 && ip[6] == kIpProtoIcmp6 && icmp[0] == 128) {
			icmp[0] = 129;
			uint8_t addr[16];
			std::memcpy(addr, ip + 8, 16);
			std::memcpy(ip + 8, ip + 24, 16);
			std::memcpy(ip + 24, addr, 16);
			ip[7] = 64;
			store_be16(icmp + 2, 0);
			const uint16_t ck =
			    rte_ipv6_udptcp_cksum(reinterpret_cast<const rte_ipv6_hdr*>(ip), icmp);
			std::memcpy(icmp + 2, &ck, 2);
		} else {
			return drop(m, Drop::unsupported);
		}
	} else {
		const uint32_t ihl = (ip[0] & 0xfu) * 4u;
		if (ip[9] != kIpProtoIcmp || avail < ihl + 8 || ip[ihl] != 8 ||
		    (load_be16(ip + 6) & 0x3fff) != 0) {
			return drop(m, Drop::unsupported);
		}
		uint8_t* icmp = ip + ihl;
		// Echo reply: type 8 → 0, code 0.
		icmp[0] = 0;
		store_be16(icmp + 2, pkt::checksum_adjust(load_be16(icmp + 2), 0x0800, 0x0000));
		uint8_t addr[4];
		std::memcpy(addr, ip + 12, 4);
		std::memcpy(ip + 12, ip + 16, 4);
		std::memcpy(ip + 16, addr, 4);
		set_ipv4_ttl(ip, 64);
	}
	if (from == nullptr) {
		// Back the way routing says: the asker may sit behind a carrier.
		return route(m, tenant, tags_len, now, tx);
	}
	reply_to(m, tags_len, tenant, from->member, tx);
}

void Pipeline::route(rte_mbuf* m, uint32_t tenant, uint32_t tags_len, uint32_t now, TxBuffers& tx,
                     const Ingress* from, const uint64_t* known_ref)
{
	uint8_t* eth = rte_pktmbuf_mtod(m, uint8_t*);
	const uint32_t l3_off = pkt::kEthLen + tags_len;
	const uint32_t len = rte_pktmbuf_data_len(m);
	const bool v6 = load_be16(eth + pkt::kMacsLen + tags_len) == pkt::kEtherIpv6;
	uint8_t* ip = eth + l3_off;
	uint64_t ref;
	uint8_t ttl;
	uint64_t flow;
	uint32_t ip_len;  // what the IP header says: the rest of the frame is padding
	if (!v6) {
		const uint32_t ihl = (ip[0] & 0xfu) * 4u;
		// A router discards a header that fails its checksum (RFC 1812 5.2.2) rather than
		// pass it on with a checksum made good by the TTL's update.
		if (len < l3_off + pkt::kIpv4Len || (ip[0] >> 4) != 4 || ihl < pkt::kIpv4Len ||
		    len < l3_off + ihl || load_be16(ip + 2) < ihl ||
		    !pkt::ipv4_header_intact(ip, ihl)) {
			return drop(m, Drop::malformed);
		}
		ip_len = load_be16(ip + 2);
		ttl = ip[8];
		ref = known_ref != nullptr ? *known_ref : lookup4(tenant, load_be32(ip + 16));
		uint64_t addrs;
		std::memcpy(&addrs, ip + 12, 8);
		flow = addrs;
	} else {
		if (len < l3_off + pkt::kIpv6Len || (ip[0] >> 4) != 6) {
			return drop(m, Drop::malformed);
		}
		ip_len = pkt::kIpv6Len + load_be16(ip + 4);
		ttl = ip[7];
		ref = lookup6(tenant, ip + 24);
		uint64_t a, b;
		std::memcpy(&a, ip + 8, 8);
		std::memcpy(&b, ip + 24, 8);
		flow = a ^ (b << 1);
	}
	if (abi::ref_value(ref) == kNone) {
		return drop(m, Drop::no_route);
	}
	const uint32_t group = abi::route_count(ref);
	const uint32_t pick = group > 1 ? uint32_t(abi::mix64(flow) % group) : 0;
	const abi::NexthopEntry& picked =
	    t_.nexthop(abi::ref_value(ref) + pick * abi::kNexthopWords);
	if (picked.kind == abi::NexthopKind::local ||
	    (picked.kind == abi::NexthopKind::subif && from != nullptr)) {
		return answer_local(m, tenant, tags_len, now, tx, from);
	}
	if (picked.kind == abi::NexthopKind::subif) {
		// For the BGP speaker on the sub-interface (from the carrier, or another VRF's
		// way in): to its TAP, tagged as the sub-interface is, however it arrived.
		uint8_t* p = resize_tags(m, tags_len, pkt::kTagLen);
		if (p == nullptr) {
			return drop(m, Drop::no_mbuf);
		}
		store_be16(p + pkt::kMacsLen, pkt::kTpidCtag);
		store_be16(p + pkt::kMacsLen + 2, picked.vlan);
		ctr_.punted[picked.port]++;
		return tx.push_punt(picked.port, m);
	}
	if (ttl <= 1) {
		return drop(m, Drop::ttl_expired);
	}
	const abi::NexthopEntry* hop = &picked;
	abi::NexthopEntry host;
	if (picked.kind == abi::NexthopKind::connected) {
		// A host of the segment's subnet: delivered to the MAC its ARP/ND told, or asked.
		uint8_t dst[16];
		if (v6) {
			std::memcpy(dst, ip + 24, 16);
		} else {
			NeighborCache::mapped4(ip + 16, dst);
		}
		const uint8_t* mac =
		    neighbors_.find(picked.tenant, dst, now, aging_ ? aging_ : 300);
		if (mac == nullptr) {
			return solicit(m, picked, dst, v6, tags_len, now, tx);
		}
		host = picked;
		host.kind = abi::NexthopKind::segment;
		std::memcpy(host.dst_mac, mac, 6);
		host.resolved = 1;
		hop = &host;
	} else if (picked.kind == abi::NexthopKind::unresolved || !picked.resolved) {
		return drop(m, Drop::no_neighbor);
	}
	const abi::NexthopEntry& nh = *hop;
	if (l3_off + ip_len > rte_pktmbuf_pkt_len(m)) {
		return drop(m, Drop::malformed);
	}
	// Routing re-frames the IP packet: Ethernet padding does not travel on.
	if (rte_pktmbuf_pkt_len(m) != l3_off + ip_len) {
		rte_pktmbuf_trim(m, uint16_t(rte_pktmbuf_pkt_len(m) - l3_off - ip_len));
	}
	const auto out_ttl = uint8_t(ttl - 1);
	if (v6) {
		ip[7] = out_ttl;
	} else {
		set_ipv4_ttl(ip, out_ttl);
	}
	const uint32_t l3_len = rte_pktmbuf_pkt_len(m) - l3_off;

	if (nh.kind == abi::NexthopKind::segment) {
		uint8_t* p = resize_tags(m, tags_len, 0);
		if (p == nullptr) {
			return drop(m, Drop::no_mbuf);
		}
		std::memcpy(p, nh.dst_mac, 6);
		std::memcpy(p + 6, nh.src_mac, 6);
		// Into the segment as the router: no member to exclude, PCP 0.
		const Ingress in{nh.tenant, kNone, 0, 0, false};
		const uint64_t key = MacTable::key_in_frame(nh.tenant, p);
		const uint32_t out = macs_.lookup(key, now, aging_);
		if (out != kNone && out < t_.members.size && t_.tenant_of(out) == nh.tenant) {
			return emit(m, in, out, tx);
		}
		return flood(m, in, tx);
	}

	// A route of a shared Option-B next hop carries its own label (abi::route_aux).
	const uint32_t own_label = abi::route_label_plus_one(ref);
	const uint32_t n_labels = own_label != 0 ? 1 : nh.n_labels;
	const uint32_t push =
	    nh.kind == abi::NexthopKind::option_a ? pkt::kTagLen : pkt::kMplsLen * n_labels;
	if (l3_len + (nh.kind == abi::NexthopKind::option_b ? push : 0) > t_.ports[nh.port].mtu) {
		return drop(m, Drop::mtu_exceeded);
	}
	uint8_t* p = resize_tags(m, tags_len, push);
	if (p == nullptr) {
		return drop(m, Drop::no_mbuf);
	}
	std::memcpy(p, nh.dst_mac, 6);
	std::memcpy(p + 6, nh.src_mac, 6);
	if (nh.kind == abi::NexthopKind::option_a) {
		store_be16(p + pkt::kMacsLen, pkt::kTpidCtag);
		store_be16(p + pkt::kMacsLen + 2, nh.vlan);
	} else {
		// The labels take the place of the EtherType and the bytes made before it.
		store_be16(p + pkt::kMacsLen, pkt::kEtherMpls);
		for (uint32_t i = 0; i < n_labels; ++i) {
			const uint32_t bos = i + 1 == n_labels ? 1u : 0u;
			const uint32_t label = own_label != 0 ? own_label - 1 : nh.labels[i];
			store_be32(p + pkt::kEthLen + pkt::kMplsLen * i,
			           (label << 12) | (bos << 8) | out_ttl);
		}
	}
	const uint32_t bytes = rte_pktmbuf_pkt_len(m);
	count(ctr_.ports[nh.port], false, bytes);
	count(ctr_.tenants[tenant], false, bytes);
	tx.push(nh.port, m);
}

void Pipeline::run_interconnect(uint16_t in_port, rte_mbuf* m, uint32_t now, TxBuffers& tx)
{
	uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
	const uint32_t len = rte_pktmbuf_data_len(m);
	if (len < pkt::kEthLen) {
		return drop(m, Drop::malformed);
	}
	const abi::PortEntry& port = t_.ports[in_port];
	const bool mac_ours = pkt::same_mac(p, port.mac);
	const uint16_t type = load_be16(p + pkt::kMacsLen);
	if (type == pkt::kTpidCtag) {
		// An Option-A sub-interface: its VLAN selects the VRF.
		if (len < pkt::kEthLen + pkt::kTagLen) {
			return drop(m, Drop::malformed);
		}
		const uint16_t vid = load_be16(p + pkt::kEthLen) & pkt::kVidMask;
		const uint64_t ref = t_.vlan_vrf_map.find(abi::access_key(in_port, false, vid, 0));
		if (abi::ref_value(ref) == kNone) {
			return drop(m, Drop::unknown_vlan);
		}
		// Neighbour discovery is the sub-interface's kernel side's (tsunagid learns the
		// carrier's MAC from it); IP to our own address there is routed to it (subif).
		if ((mac_ours || pkt::is_multicast(p)) && for_link(p, len, pkt::kTagLen)) {
			ctr_.punted[in_port]++;
			return tx.push_punt(in_port, m);
		}
		if (!mac_ours || !is_ip(load_be16(p + pkt::kEthLen + 2))) {
			return drop(m, Drop::unsupported);
		}
		count(ctr_.tenants[abi::ref_value(ref)], true, rte_pktmbuf_pkt_len(m));
		return route(m, abi::ref_value(ref), pkt::kTagLen, now, tx);
	}
	if (type == pkt::kEtherMpls && mac_ours) {
		if (len < pkt::kEthLen + pkt::kMplsLen + 1) {
			return drop(m, Drop::malformed);
		}
		const uint32_t word = load_be32(p + pkt::kEthLen);
		const uint64_t ref = t_.label_map.find(word >> 12);
		if ((word & 0x100) == 0 || abi::ref_value(ref) == kNone) {
			return drop(m, Drop::unknown_label);
		}
		// Pop; uniform model: the IP TTL becomes the label's.
		uint8_t* ip = p + pkt::kEthLen + pkt::kMplsLen;
		const auto ttl = uint8_t(word);
		const uint32_t ip_len = len - pkt::kEthLen - pkt::kMplsLen;
		if ((ip[0] >> 4) == 4 && ip_len >= pkt::kIpv4Len && (ip[0] & 0xf) >= 5 &&
		    ip_len >= (ip[0] & 0xfu) * 4u) {
			set_ipv4_ttl(ip, ttl);
			store_be16(ip - 2, pkt::kEtherIpv4);
		} else if ((ip[0] >> 4) == 6 && ip_len >= pkt::kIpv6Len) {
			ip[7] = ttl;
			store_be16(ip - 2, pkt::kEtherIpv6);
		} else {
			return drop(m, Drop::malformed);
		}
		resize_tags(m, pkt::kMplsLen, 0);
		count(ctr_.tenants[abi::ref_value(ref)], true, rte_pktmbuf_pkt_len(m));
		return route(m, abi::ref_value(ref), 0, now, tx);
	}
	if (type == pkt::kEtherMpls) {
		return drop(m, Drop::unknown_label);
	}
	if ((mac_ours || pkt::is_multicast(p)) && for_node(port, p, len)) {
		ctr_.punted[in_port]++;
		return tx.push_punt(in_port, m);
	}
	drop(m, Drop::unsupported);
}

}  // namespace tsunagi::dp
