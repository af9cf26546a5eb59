#include "dataplane/pipeline/pipeline.hpp"

#include <rte_prefetch.h>

#include <algorithm>
#include <cstring>

#include "common/pkt/format.hpp"
#include "dataplane/pipeline/frame_edit.hpp"
#include "dataplane/pkt/flow_hash.hpp"

namespace tsunagi::dp {

using abi::kNone;
using abi::MemberKind;
using abi::PortRole;
using pkt::load_be16;
using pkt::store_be16;

Pipeline::Pipeline(MacTable& macs, WorkerCounters& counters, rte_mempool* pool)
    : macs_(macs), ctr_(counters), pool_(pool)
{
}

void Pipeline::use_tables(const abi::TableView& tables)
{
	const bool same_ids = t_.valid() && t_.header().id_epoch == tables.header().id_epoch;
	// Consecutive generations of a live image share the static MAC list unless it changed.
	const bool same_statics = same_ids && t_.static_macs.data == tables.static_macs.data &&
	                          t_.static_macs.size == tables.static_macs.size;
	if (same_ids && !same_statics) {
		// Indexes kept their meaning: learned MACs stay. An entry whose member went away
		// is a miss at lookup (its member's tenant no longer matches) and ages out.
		for (const abi::StaticMacEntry& s : t_.static_macs) {
			macs_.erase(MacTable::key(s.tenant, s.mac));
		}
	}
	t_ = tables;
	aging_ = t_.node().mac_aging_s;
	if (!same_ids) {
		// Renumbered: an old index may now name another tenant's member. Forget
		// everything; flooding relearns it.
		macs_.remove_if([](const MacTable::Entry&) { return true; });
		neighbors_.clear();
	}
	if (same_statics) {
		return;
	}
	for (const abi::StaticMacEntry& s : t_.static_macs) {
		if (s.member < t_.members.size && s.tenant < t_.tenants.size) {
			macs_.add_static(MacTable::key(s.tenant, s.mac), s.member);
		}
	}
}

void Pipeline::age(uint32_t now, size_t budget)
{
	if (t_.valid()) {
		ctr_.mac.aged += macs_.age(now, aging_, budget);
	}
}

void Pipeline::drop(rte_mbuf* m, Drop reason)
{
	ctr_.drops[static_cast<size_t>(reason)]++;
	rte_pktmbuf_free(m);
}

void Pipeline::run(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx)
{
	if (!t_.valid() || in_port >= t_.ports.size) {
		for (uint16_t i = 0; i < n; ++i) {
			drop(pkts[i], Drop::no_tables);
		}
		return;
	}
	TrafficCounters& pc = ctr_.ports[in_port];
	for (uint16_t i = 0; i < n; ++i) {
		count(pc, true, rte_pktmbuf_pkt_len(pkts[i]));
	}
	switch (t_.ports[in_port].role) {
		case PortRole::access:
			return run_role<PortRole::access>(in_port, pkts, n, now, tx);
		case PortRole::trunk:
			return run_role<PortRole::trunk>(in_port, pkts, n, now, tx);
		case PortRole::underlay:
			return run_role<PortRole::underlay>(in_port, pkts, n, now, tx);
		case PortRole::interconnect:
			return run_role<PortRole::interconnect>(in_port, pkts, n, now, tx);
	}
}

template <PortRole R>
void Pipeline::run_role(uint16_t in_port, rte_mbuf** pkts, uint16_t n, uint32_t now, TxBuffers& tx)
{
	if constexpr (R == PortRole::interconnect) {
		// Carrier links: few packets per burst compared with the segments, one at a time.
		for (uint16_t i = 0; i < n; ++i) {
			run_interconnect(in_port, pkts[i], now, tx);
		}
		return;
	}
	Work work[kStage];
	for (uint16_t base = 0; base < n; base += kStage) {
		const uint16_t count = std::min<uint16_t>(kStage, uint16_t(n - base));
		for (uint16_t i = 0; i < count; ++i) {
			rte_prefetch0(rte_pktmbuf_mtod(pkts[base + i], void*));
		}
		for (uint16_t i = 0; i < count; ++i) {
			Work& w = work[i];
			w.m = pkts[base + i];
			if constexpr (R == PortRole::access) {
				w.verdict = parse_access(w, in_port);
			} else if constexpr (R == PortRole::trunk) {
				w.verdict = parse_trunk(w);
			} else {
				w.verdict = parse_underlay(w, in_port);
			}
		}
		for (uint16_t i = 0; i < count; ++i) {
			Work& w = work[i];
			if (w.verdict != kPass) {
				continue;
			}
			if constexpr (R == PortRole::access) {
				w.verdict = resolve_access(w);
			} else if constexpr (R == PortRole::trunk) {
				w.verdict = resolve_trunk(w, in_port);
			} else {
				w.verdict = resolve_underlay(w);
			}
			if (w.verdict == kPass) {
				prefetch_forwarding(w);
			}
		}
		for (uint16_t i = 0; i < count; ++i) {
			if (work[i].verdict == kPass) {
				prefetch_destination(work[i], now);
			}
		}
		// Frames to the router: their route slots are in cache now; fetch the next hop.
		for (uint16_t i = 0; i < count; ++i) {
			if (work[i].verdict == kPass && work[i].to_router) {
				prefetch_nexthop(work[i]);
			}
		}
		for (uint16_t i = 0; i < count; ++i) {
			Work& w = work[i];
			if (w.verdict == kPass) {
				forward(w, now, tx);
			} else if (w.verdict == kPunt) {
				ctr_.punted[in_port]++;
				tx.push_punt(in_port, w.m);
			} else {
				drop(w.m, w.verdict);
			}
		}
	}
}

Drop Pipeline::parse_access(Work& w, uint16_t in_port) const
{
	const uint8_t* p = rte_pktmbuf_mtod(w.m, const uint8_t*);
	const uint32_t len = rte_pktmbuf_data_len(w.m);
	if (len < pkt::kEthLen) {
		return Drop::malformed;
	}
	const uint16_t tpid = load_be16(p + 12);
	if (tpid == pkt::kTpidCtag) {
		if (len < pkt::kEthLen + pkt::kTagLen) {
			return Drop::malformed;
		}
		const uint16_t tci = load_be16(p + 14);
		w.key = abi::access_key(in_port, false, tci & pkt::kVidMask, 0);
		w.in.pcp_dei = tci & pkt::kPcpDeiMask;
		w.in.tags_len = pkt::kTagLen;
	} else if (tpid == pkt::kTpidStag) {
		if (len < pkt::kEthLen + 2 * pkt::kTagLen) {
			return Drop::malformed;
		}
		if (load_be16(p + 16) != pkt::kTpidCtag) {
			return Drop::unknown_vlan;
		}
		const uint16_t tci = load_be16(p + 14);
		w.key = abi::access_key(in_port, true, tci & pkt::kVidMask,
		                        load_be16(p + 18) & pkt::kVidMask);
		w.in.pcp_dei = tci & pkt::kPcpDeiMask;
		w.in.tags_len = 2 * pkt::kTagLen;
	} else {
		return Drop::unknown_vlan;
	}
	w.hash = abi::hash_key(w.key);
	t_.access_map.prefetch(w.hash);
	w.in.from_vtep = false;
	return kPass;
}

Drop Pipeline::resolve_access(Work& w) const
{
	const uint64_t ref = t_.access_map.find(w.hash, w.key);
	if (abi::ref_value(ref) == kNone) {
		return Drop::unknown_vlan;
	}
	w.in.member = abi::ref_value(ref);
	w.in.tenant = abi::ref_aux(ref);
	return kPass;
}

Drop Pipeline::parse_trunk(Work& w) const
{
	const uint8_t* p = rte_pktmbuf_mtod(w.m, const uint8_t*);
	const uint32_t len = rte_pktmbuf_data_len(w.m);
	if (len < pkt::kEthLen) {
		return Drop::malformed;
	}
	if (load_be16(p + 12) != pkt::kTpidCtag) {
		return Drop::unknown_vlan;
	}
	if (len < pkt::kEthLen + pkt::kTagLen) {
		return Drop::malformed;
	}
	const uint16_t tci = load_be16(p + 14);
	w.key = tci & pkt::kVidMask;
	rte_prefetch0(t_.trunk_slot(uint16_t(w.key)));
	w.in.pcp_dei = tci & pkt::kPcpDeiMask;
	w.in.tags_len = pkt::kTagLen;
	w.in.from_vtep = false;
	return kPass;
}

Drop Pipeline::resolve_trunk(Work& w, uint16_t in_port) const
{
	w.in.tenant = t_.trunk_tenant(uint16_t(w.key));
	if (w.in.tenant == kNone) {
		return Drop::unknown_vlan;
	}
	const uint64_t flood = t_.flood_of(w.in.tenant);
	w.in.member = t_.flood[abi::flood_begin(flood) + t_.ports[in_port].trunk_ordinal];
	return kPass;
}

Drop Pipeline::parse_underlay(Work& w, uint16_t in_port) const
{
	rte_mbuf* m = w.m;
	const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
	const uint32_t len = rte_pktmbuf_data_len(m);
	const abi::NodeEntry& node = t_.node();
	if (len < pkt::kEthLen) {
		return Drop::malformed;
	}
	const abi::PortEntry& port = t_.ports[in_port];
	// Unicast to the port's MAC, or multicast the kernel may want (ARP, neighbour
	// discovery); VXLAN itself must come to the port's MAC.
	const bool mac_ours = pkt::same_mac(p, port.mac);
	if (!mac_ours && !pkt::is_multicast(p)) {
		return Drop::not_vxlan;
	}
	const uint16_t type = load_be16(p + 12);
	const uint8_t* l3 = p + pkt::kEthLen;
	const uint8_t* udp;
	abi::VtepKey& key = w.vtep;
	key = abi::VtepKey{};
	uint32_t udp_avail;  // bytes from the UDP header to the end of the IP packet
	if (type == pkt::kEtherArp) {
		return kPunt;  // the kernel answers for the port's addresses and learns neighbours
	}
	if (type == pkt::kEtherIpv4) {
		if (len < pkt::kEthLen + pkt::kIpv4Len) {
			return Drop::malformed;
		}
		const uint32_t ihl = (l3[0] & 0xfu) * 4u;
		const uint32_t total = load_be16(l3 + 2);
		if ((l3[0] >> 4) != 4 || ihl < pkt::kIpv4Len || total < ihl ||
		    pkt::kEthLen + total > rte_pktmbuf_pkt_len(m) || pkt::kEthLen + ihl > len ||
		    !pkt::ipv4_header_intact(l3, ihl)) {
			return Drop::malformed;
		}
		const bool to_vtep = node.has_vtep4 && std::memcmp(l3 + 16, &node.vtep4, 4) == 0;
		const bool to_port = port.has_ip4 && std::memcmp(l3 + 16, &port.ip4, 4) == 0;
		if (!to_vtep && !to_port) {
			return Drop::not_vxlan;
		}
		const bool fragment = (load_be16(l3 + 6) & 0x3fff) != 0;
		const bool udp_4789 = l3[9] == pkt::kIpProtoUdp && len >= pkt::kEthLen + ihl + 4 &&
		                      load_be16(l3 + ihl + 2) == pkt::kVxlanPort;
		if (to_vtep && fragment && (udp_4789 || (load_be16(l3 + 6) & 0x1fff) != 0)) {
			// VXLAN is never fragmented (DF): a fragment for the VTEP is broken.
			return Drop::malformed;
		}
		if (!to_vtep || !udp_4789 || fragment) {
			return kPunt;  // ICMP, BGP, anything else for the node's own address
		}
		if (!mac_ours) {
			return Drop::not_vxlan;
		}
		std::memcpy(key.ip, l3 + 12, 4);
		udp = l3 + ihl;
		udp_avail = total - ihl;
	} else if (type == pkt::kEtherIpv6) {
		if (len < pkt::kEthLen + pkt::kIpv6Len || (l3[0] >> 4) != 6) {
			return Drop::malformed;
		}
		const uint32_t payload = load_be16(l3 + 4);
		if (pkt::kEthLen + pkt::kIpv6Len + payload > rte_pktmbuf_pkt_len(m)) {
			return Drop::malformed;
		}
		const uint8_t* dst = l3 + 24;
		const bool to_vtep = node.has_vtep6 && std::memcmp(dst, node.vtep6, 16) == 0;
		const bool to_node = to_vtep ||
		                     (port.has_ip6 && std::memcmp(dst, port.ip6, 16) == 0) ||
		                     dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80);
		if (!to_node) {
			return Drop::not_vxlan;
		}
		const bool udp_4789 = l3[6] == pkt::kIpProtoUdp &&
		                      len >= pkt::kEthLen + pkt::kIpv6Len + 4 &&
		                      load_be16(l3 + pkt::kIpv6Len + 2) == pkt::kVxlanPort;
		if (!to_vtep || !udp_4789) {
			return kPunt;  // neighbour discovery, ICMPv6, anything else for the node
		}
		if (!mac_ours) {
			return Drop::not_vxlan;
		}
		std::memcpy(key.ip, l3 + 8, 16);
		key.v6 = 1;
		udp = l3 + pkt::kIpv6Len;
		udp_avail = payload;
	} else {
		return Drop::not_vxlan;
	}
	const auto hdrs = static_cast<uint32_t>(udp - p);
	if (udp_avail < pkt::kUdpLen || len < hdrs + pkt::kUdpLen) {
		return Drop::malformed;
	}
	const uint32_t udp_len = load_be16(udp + 4);
	if (udp_len > udp_avail || udp_len < pkt::kUdpLen + pkt::kVxlanLen + pkt::kEthLen ||
	    len < hdrs + pkt::kUdpLen + pkt::kVxlanLen + pkt::kEthLen) {
		return Drop::malformed;
	}
	const uint8_t* vx = udp + pkt::kUdpLen;
	if ((vx[0] & pkt::kVxlanFlagI) == 0) {
		return Drop::malformed;
	}
	w.key = (uint32_t{vx[4]} << 16) | (uint32_t{vx[5]} << 8) | vx[6];
	w.hash = abi::hash_key(w.key);
	key.vni = uint32_t(w.key);
	w.vtep_hash = abi::hash_key(key);
	t_.vni_map.prefetch(w.hash);
	t_.vtep_map.prefetch(w.vtep_hash);
	w.decap = hdrs + pkt::kUdpLen + pkt::kVxlanLen;
	w.inner_len = udp_len - pkt::kUdpLen - pkt::kVxlanLen;
	w.in.pcp_dei = 0;
	w.in.tags_len = 0;
	w.in.from_vtep = true;
	return kPass;
}

Drop Pipeline::resolve_underlay(Work& w) const
{
	if (abi::ref_value(t_.vni_map.find(w.hash, w.key)) == kNone) {
		return Drop::unknown_vni;
	}
	const uint64_t ref = t_.vtep_map.find(w.vtep_hash, w.vtep);
	if (abi::ref_value(ref) == kNone) {
		return Drop::unknown_vtep;
	}
	w.in.member = abi::ref_value(ref);
	w.in.tenant = abi::ref_aux(ref);
	// Decapsulate: the inner frame is what the UDP length says, padding or not.
	rte_pktmbuf_adj(w.m, uint16_t(w.decap));
	rte_pktmbuf_trim(w.m, uint16_t(rte_pktmbuf_pkt_len(w.m) - w.inner_len));
	return kPass;
}

void Pipeline::prefetch_forwarding(Work& w) const
{
	const uint8_t* eth = rte_pktmbuf_mtod(w.m, const uint8_t*);
	w.dst_key = MacTable::key_in_frame(w.in.tenant, eth);
	w.src_key = MacTable::key_in_frame(w.in.tenant, eth + RTE_ETHER_ADDR_LEN);
	w.dst_home = macs_.home(w.dst_key);
	w.src_home = macs_.home(w.src_key);
	// Only two lines: the line-fill buffers are few, and the tenant's entry and counters
	// are wanted later or only written. A frame to the router needs no destination MAC
	// but its VRF's lengths, to find its route slots next.
	w.to_router = pkt::same_mac(eth, t_.node().router_mac);
	macs_.prefetch(w.src_home);
	if (w.to_router) {
		rte_prefetch0(&t_.vrfs[w.in.tenant]);
	} else {
		macs_.prefetch(w.dst_home);
	}
}

void Pipeline::prefetch_destination(Work& w, uint32_t now) const
{
	// Forwarded or routed, the tenant's counters are written.
	rte_prefetch0(&ctr_.tenants[w.in.tenant]);
	if (w.to_router) {
		return prefetch_route(w);
	}
	// A hint only: forward() looks again, after the burst's earlier frames have been
	// learned, so semantics stay those of one frame at a time.
	const uint32_t out = macs_.lookup(w.dst_home, w.dst_key, now, aging_);
	if (out < t_.members.size) {
		rte_prefetch0(&t_.members[out]);
	}
}

void Pipeline::forward(Work& w, uint32_t now, TxBuffers& tx)
{
	rte_mbuf* m = w.m;
	const Ingress& in = w.in;
	const uint8_t* eth = rte_pktmbuf_mtod(m, const uint8_t*);
	if (pkt::is_multicast(eth + RTE_ETHER_ADDR_LEN)) {
		return drop(m, Drop::bad_src_mac);
	}
	const uint32_t aging = aging_;
	switch (macs_.learn(w.src_home, w.src_key, in.member, now, &t_.tenants[in.tenant].mac_limit,
	                    aging)) {
		case MacTable::Learn::refreshed:
		case MacTable::Learn::pinned:
			break;
		case MacTable::Learn::learned:
			ctr_.mac.learned++;
			break;
		case MacTable::Learn::moved:
			ctr_.mac.moved++;
			break;
		case MacTable::Learn::full:
			ctr_.mac.table_full++;
			break;
		case MacTable::Learn::limit:
			return drop(m, Drop::mac_limit);
	}
	count(ctr_.tenants[in.tenant], true, rte_pktmbuf_pkt_len(m));
	if (routed(w)) {
		return route(m, in.tenant, in.tags_len, now, tx, &in,
		             w.has_dst4 ? &w.route_ref : nullptr);
	}
	// The VRF's gateways answer for themselves: ARP, and IPv6 neighbour solicitations
	// (multicast, so they would otherwise be flooded).
	const uint16_t type = load_be16(eth + pkt::kMacsLen + in.tags_len);
	if ((type == pkt::kEtherArp && answer_arp(m, in, now, tx)) ||
	    (type == pkt::kEtherIpv6 && eth[0] == 0x33 && answer_nd(m, in, now, tx))) {
		return;
	}

	if (!pkt::is_multicast(eth)) {
		const uint32_t out = macs_.lookup(w.dst_home, w.dst_key, now, aging);
		// The tenant check makes a stale entry a miss rather than a leak to another tenant.
		if (out != kNone && out < t_.members.size && t_.tenant_of(out) == in.tenant) {
			if (out == in.member ||
			    (in.from_vtep && t_.members[out].kind == MemberKind::vtep)) {
				return drop(m, Drop::filtered);
			}
			return emit(m, in, out, tx);
		}
	}
	flood(m, in, tx);
}

void Pipeline::flood(rte_mbuf* m, const Ingress& in, TxBuffers& tx)
{
	const uint64_t flood = t_.flood_of(in.tenant);
	const uint32_t* list = &t_.flood[abi::flood_begin(flood)];
	auto eligible = [&](uint32_t member) {
		return member != in.member &&
		       !(in.from_vtep && t_.members[member].kind == MemberKind::vtep);
	};
	uint32_t last = kNone;
	for (uint32_t i = abi::flood_count(flood); i-- > 0;) {
		if (eligible(list[i])) {
			last = i;
			break;
		}
	}
	if (last == kNone) {
		return drop(m, Drop::flood_empty);
	}
	for (uint32_t i = 0; i < last; ++i) {
		if (!eligible(list[i])) {
			continue;
		}
		rte_mbuf* c = rte_pktmbuf_copy(m, pool_, 0, UINT32_MAX);
		if (c == nullptr) {
			ctr_.drops[static_cast<size_t>(Drop::no_mbuf)]++;
			continue;
		}
		emit(c, in, list[i], tx);
	}
	emit(m, in, list[last], tx);
}

void Pipeline::emit(rte_mbuf* m, const Ingress& in, uint32_t member, TxBuffers& tx)
{
	const abi::MemberEntry& mb = t_.members[member];
	if (mb.kind == MemberKind::vtep) {
		emit_vxlan(m, in, mb, tx);
	} else {
		emit_tagged(m, in, mb, tx);
	}
}

void Pipeline::emit_tagged(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb,
                           TxBuffers& tx)
{
	const uint32_t want = mb.qinq ? 2 * pkt::kTagLen : pkt::kTagLen;
	const uint32_t l3_len = rte_pktmbuf_pkt_len(m) - in.tags_len - pkt::kEthLen;
	if (l3_len > t_.ports[mb.port].mtu) {
		return drop(m, Drop::mtu_exceeded);
	}
	uint8_t* p = resize_tags(m, in.tags_len, want);
	if (p == nullptr) {
		return drop(m, Drop::no_mbuf);
	}
	uint8_t* tag = p + pkt::kMacsLen;
	if (mb.qinq) {
		store_be16(tag, pkt::kTpidStag);
		store_be16(tag + 2, uint16_t(in.pcp_dei | mb.vlan));
		store_be16(tag + 4, pkt::kTpidCtag);
		store_be16(tag + 6, uint16_t(in.pcp_dei | mb.inner_vlan));
	} else {
		store_be16(tag, pkt::kTpidCtag);
		store_be16(tag + 2, uint16_t(in.pcp_dei | mb.vlan));
	}
	const uint32_t bytes = rte_pktmbuf_pkt_len(m);
	count(ctr_.ports[mb.port], false, bytes);
	count(ctr_.tenants[in.tenant], false, bytes);
	tx.push(mb.port, m);
}

void Pipeline::emit_vxlan(rte_mbuf* m, const Ingress& in, const abi::MemberEntry& mb, TxBuffers& tx)
{
	const abi::VtepEntry& v = t_.vteps[abi::load_acquire(mb.vtep)];
	if (!v.resolved) {
		return drop(m, Drop::no_neighbor);
	}
	const uint32_t inner = rte_pktmbuf_pkt_len(m) - in.tags_len;
	const uint32_t ip_len = v.v6 ? pkt::kIpv6Len : pkt::kIpv4Len;
	const uint32_t udp_len = pkt::kUdpLen + pkt::kVxlanLen + inner;
	if (ip_len + udp_len > t_.ports[v.out_port].mtu) {
		return drop(m, Drop::mtu_exceeded);
	}
	uint8_t* frame = resize_tags(m, in.tags_len, 0);
	const uint32_t hash = pkt::flow_hash(frame, rte_pktmbuf_data_len(m));
	const uint32_t overhead = pkt::kEthLen + ip_len + pkt::kUdpLen + pkt::kVxlanLen;
	auto* o = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, uint16_t(overhead)));
	if (o == nullptr) {
		return drop(m, Drop::no_mbuf);
	}
	std::memcpy(o, v.dst_mac, 6);
	std::memcpy(o + 6, v.src_mac, 6);
	store_be16(o + 12, v.v6 ? pkt::kEtherIpv6 : pkt::kEtherIpv4);
	uint8_t* ip = o + pkt::kEthLen;
	uint8_t* udp = ip + ip_len;
	if (v.v6) {
		auto* h = reinterpret_cast<rte_ipv6_hdr*>(ip);
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(uint16_t(udp_len));
		h->proto = pkt::kIpProtoUdp;
		h->hop_limits = pkt::kTunnelTtl;
		std::memcpy(h->src_addr, v.src_ip, 16);
		std::memcpy(h->dst_addr, v.dst_ip, 16);
	} else {
		auto* h = reinterpret_cast<rte_ipv4_hdr*>(ip);
		h->version_ihl = 0x45;
		h->type_of_service = 0;
		h->total_length = rte_cpu_to_be_16(uint16_t(pkt::kIpv4Len + udp_len));
		h->packet_id = 0;
		h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->time_to_live = pkt::kTunnelTtl;
		h->next_proto_id = pkt::kIpProtoUdp;
		std::memcpy(&h->src_addr, v.src_ip, 4);
		std::memcpy(&h->dst_addr, v.dst_ip, 4);
		uint32_t sum = v.ip4_sum + pkt::kIpv4Len + udp_len;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		store_be16(reinterpret_cast<uint8_t*>(&h->hdr_checksum), uint16_t(~sum));
	}
	store_be16(udp, pkt::vxlan_src_port(hash));
	store_be16(udp + 2, pkt::kVxlanPort);
	store_be16(udp + 4, uint16_t(udp_len));
	store_be16(udp + 6, 0);
	auto* vx = reinterpret_cast<rte_vxlan_hdr*>(udp + pkt::kUdpLen);
	vx->vx_flags = rte_cpu_to_be_32(uint32_t{pkt::kVxlanFlagI} << 24);
	vx->vx_vni = rte_cpu_to_be_32(abi::load_acquire(t_.tenants[in.tenant].vni) << 8);
	if (v.v6) {
		// IPv6 forbids a zero UDP checksum unless both ends agree to it (RFC 6935);
		// computing it keeps every receiver, the Linux vxlan driver included, happy.
		const auto* h = reinterpret_cast<const rte_ipv6_hdr*>(ip);
		const uint16_t ck = rte_ipv6_udptcp_cksum_mbuf(m, h, pkt::kEthLen + ip_len);
		std::memcpy(udp + 6, &ck, 2);
	}
	const uint32_t bytes = rte_pktmbuf_pkt_len(m);
	count(ctr_.ports[v.out_port], false, bytes);
	count(ctr_.tenants[in.tenant], false, bytes);
	tx.push(v.out_port, m);
}

}  // namespace tsunagi::dp
