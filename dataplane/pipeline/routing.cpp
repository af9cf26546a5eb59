// Routing in a tenant's VRF (DESIGN.md §4): longest-prefix match, TTL, and the next hops —
// a host of the segment, an Option-A neighbour, an Option-B carrier's label stack.
#include <rte_prefetch.h>

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

void Pipeline::prepare_route(Work& w) const
{
	// The slots of the VRF's two longest IPv4 lengths: most lookups end there. The first
	// one's hash is kept for the lookup.
	w.hint_len = kNoHint;
	w.hint_hash = 0;
	const uint32_t l3 = pkt::kEthLen + w.in.tags_len;
	if (rte_pktmbuf_data_len(w.m) < l3 + pkt::kIpv4Len ||
	    load_be16(w.eth + pkt::kMacsLen + w.in.tags_len) != pkt::kEtherIpv4) {
		return;
	}
	const uint32_t dst = load_be32(w.eth + l3 + 16);
	uint64_t lens = abi::load_acquire(t_.vrfs[w.in.tenant].len4);
	for (int i = 0; i < 2 && lens != 0; ++i) {
		const auto len = uint8_t(63 - __builtin_clzll(lens));
		const uint64_t hash = abi::hash_key(abi::route4_key(w.in.tenant, len, dst));
		t_.route4_map.prefetch(hash);
		if (i == 0) {
			w.hint_len = len;
			w.hint_hash = hash;
		}
		lens &= ~(uint64_t{1} << len);
	}
}

namespace {

// lookup4(), inlined into route(): the call cost a routed packet ten instructions.
[[gnu::always_inline]] inline uint64_t find_route4(const abi::TableView& t, uint32_t tenant,
                                                   uint32_t dst, uint8_t hint_len,
                                                   uint64_t hint_hash)
{
	const abi::VrfEntry& vrf = t.vrfs[tenant];
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
		    t.route4_map.find(len == hint_len ? hint_hash : abi::hash_key(key), key);
		if (abi::ref_value(ref) != kNone) {
			return ref;
		}
		lens &= ~(uint64_t{1} << len);
	}
	return abi::kEmptyRef;
}

}  // namespace

uint64_t Pipeline::lookup4(uint32_t tenant, uint32_t dst, uint8_t hint_len,
                           uint64_t hint_hash) const
{
	return find_route4(t_, tenant, dst, hint_len, hint_hash);
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

// Into a segment as the router: to the host's member if known, else flooded. Inlined, as
// route() was written in one piece: the call would cost the routed path ~5 % more.
[[gnu::always_inline]] inline void Pipeline::to_segment(rte_mbuf* m, const abi::NexthopEntry& nh,
                                                        uint32_t tags_len, uint32_t now,
                                                        TxBuffers& tx)
{
	uint8_t* p = resize_tags(m, tags_len, 0);
	if (p == nullptr) {
		return drop(m, Drop::no_mbuf);
	}
	std::memcpy(p, nh.dst_mac, 6);
	std::memcpy(p + 6, nh.src_mac, 6);
	// Into the segment as the router: no member to exclude, PCP 0.
	const Ingress in{nh.tenant, kNone, 0, 0, false};
	const uint64_t key = MacTable::key_in_frame(nh.tenant, p);
	const uint32_t out = macs_->lookup(key, now, aging_);
	if (out != kNone && out < t_.members.size && t_.tenant_of(out) == nh.tenant) {
		return emit(m, in, out, tx);
	}
	return flood(m, in, tx);
}

// To a carrier: tagged for an Option-A link, labelled for an Option-B one.
[[gnu::always_inline]] inline void Pipeline::to_carrier(rte_mbuf* m, const abi::NexthopEntry& nh,
                                                        uint64_t ref, uint32_t tenant,
                                                        uint32_t tags_len, uint8_t out_ttl,
                                                        TxBuffers& tx)
{
	const uint32_t l3_len = rte_pktmbuf_pkt_len(m) - pkt::kEthLen - tags_len;
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
	count(ctr_.tenants[tenant], false, bytes);
	tx.push(nh.port, m);
}

void Pipeline::route(rte_mbuf* m, uint32_t tenant, uint32_t tags_len, uint32_t now, TxBuffers& tx,
                     const Ingress* from, const Work* known)
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
		ref = find_route4(t_, tenant, load_be32(ip + 16),
		                  known != nullptr ? known->hint_len : kNoHint,
		                  known != nullptr ? known->hint_hash : 0);
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
	if (nh.kind == abi::NexthopKind::segment) {
		return to_segment(m, nh, tags_len, now, tx);
	}
	to_carrier(m, nh, ref, tenant, tags_len, out_ttl, tx);
}

}  // namespace tsunagi::dp
