// Answers the node gives for itself in a tenant's segment (DESIGN.md §4): ARP and IPv6
// neighbour discovery for the VRF's gateway addresses, echo requests to them, and the
// solicitations that find the MACs of the segment's hosts (neighbor_cache.hpp), which the
// hosts' own ARP and ND messages fill.
#include <rte_ip.h>

#include <algorithm>
#include <cstring>

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

}  // namespace

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

}  // namespace tsunagi::dp
