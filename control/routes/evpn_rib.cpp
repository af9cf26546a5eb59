#include "control/routes/evpn_rib.hpp"

#include <algorithm>
#include <utility>

namespace tsunagi::routes {

namespace {

constexpr uint8_t kMacIp = 2, kMulticast = 3, kPrefix = 5;

bool vxlan(const EvpnPath& p)
{
	const auto& e = p.attrs.encaps;
	return std::find(e.begin(), e.end(), kTunnelVxlan) != e.end();
}

// Type 3's VTEP is the ingress-replication tunnel's endpoint (RFC 6514 §5), which FRR and
// GoBGP set to the next hop; a PMSI without one falls back to the next hop.
config::IpAddr vtep_of(const EvpnPath& p)
{
	if (p.key.type == kMulticast && p.attrs.pmsi && p.attrs.pmsi->tunnel_id) {
		return *p.attrs.pmsi->tunnel_id;
	}
	return p.next_hop;
}

auto address_order(const config::IpAddr& a)
{
	return std::tie(a.v6, a.bytes);
}

// RFC 7432 §15: a sticky MAC never moves; otherwise the higher sequence number is the
// newer place; at equal sequence numbers the lower VTEP address wins (§15.1), so every
// node picks the same one. True when `a` wins over `b`.
bool wins(const EvpnPath& a, const EvpnPath& b)
{
	const MacMobility ma = a.attrs.mobility.value_or(MacMobility{});
	const MacMobility mb = b.attrs.mobility.value_or(MacMobility{});
	if (ma.sticky != mb.sticky) {
		return ma.sticky;
	}
	if (ma.seq != mb.seq) {
		return ma.seq > mb.seq;
	}
	return address_order(a.next_hop) < address_order(b.next_hop);
}

}  // namespace

std::optional<EvpnRib::Slot> EvpnRib::slot_of(const EvpnPath& p)
{
	if (!vxlan(p)) {
		return std::nullopt;
	}
	Slot s;
	s.type = p.key.type;
	s.vni = p.vni;
	switch (p.key.type) {
		case kMulticast:
			if (!p.attrs.pmsi || p.attrs.pmsi->tunnel_type != kPmsiIngressReplication) {
				return std::nullopt;
			}
			s.vni = p.attrs.pmsi->vni;
			return s;
		case kMacIp:
			s.mac = p.key.mac;
			return s;
		case kPrefix:
			if (!p.attrs.router_mac || p.gateway) {
				return std::nullopt;
			}
			s.prefix = p.key.ip;
			return s;
		default:
			return std::nullopt;
	}
}

void EvpnRib::link(const PeerId& id, const EvpnPath& p, bool add)
{
	const auto slot = slot_of(p);
	if (!slot) {
		return;
	}
	const Source src{id, p.key};
	if (add) {
		used_[*slot].insert(src);
	} else if (auto it = used_.find(*slot); it != used_.end()) {
		it->second.erase(src);
		if (it->second.empty()) {
			used_.erase(it);
		}
	}
	changed_.insert(*slot);
	if (slot->type == kMacIp) {
		stale_winners_.insert({slot->vni, slot->mac.bytes});
	}
}

void EvpnRib::put(const PeerId& id, Session& s, const EvpnPath& p)
{
	if (!slot_of(p)) {
		++(vxlan(p) ? counters_.unusable : counters_.not_vxlan);
	}
	auto [it, fresh] = s.paths.try_emplace(p.key, Path{p, false});
	if (!fresh) {
		Path& old = it->second;
		old.stale = false;
		if (old.route == p) {
			return;  // sent again, unchanged: nothing to rewrite
		}
		link(id, old.route, false);
		old.route = p;
	}
	link(id, p, true);
}

void EvpnRib::drop(const PeerId& id, Session& s, const EvpnKey& k)
{
	if (auto it = s.paths.find(k); it != s.paths.end()) {
		link(id, it->second.route, false);
		s.paths.erase(it);
	}
}

// What a swept path undoes.
auto EvpnRib::gone(const PeerId& id)
{
	return [this, &id](const EvpnKey&, const Path& p) { link(id, p.route, false); };
}

size_t EvpnRib::sweep(const PeerId& id, Session& s)
{
	const size_t n = s.sweep([](const EvpnKey&) { return true; }, gone(id));
	counters_.swept += n;
	return n;
}

void EvpnRib::apply(const Event& e)
{
	using K = Event::Kind;
	const bool session_event = e.kind == K::peer_up || e.kind == K::peer_down;
	if (!session_event && e.family != Family::evpn) {
		return;
	}
	// A session that never sent EVPN has nothing to resynchronise: its clock would only
	// ask it for route refreshes of a family it does not carry.
	auto it = sessions_.find(e.peer);
	if (it == sessions_.end()) {
		if (e.kind != K::update) {
			return;
		}
		it = sessions_.try_emplace(e.peer).first;
	}
	Session& s = it->second;
	switch (e.kind) {
		case K::peer_up:
		case K::peer_down:
		case K::refresh_begin:
			s.stale_event(e.kind, now_ms_, [](const EvpnKey&) { return true; });
			break;
		case K::end_of_rib:
		case K::refresh_end:
			sweep(e.peer, s);
			s.resync.marker(now_ms_, true);
			break;
		case K::update:
			for (const auto& k : e.evpn_withdrawn) {
				drop(e.peer, s, k);
				++counters_.updates;
			}
			for (const auto& p : e.evpn_reach) {
				put(e.peer, s, p);
				++counters_.updates;
			}
			counters_.unknown_type += e.evpn_unknown;
			s.resync.heard(now_ms_);
			break;
		default:
			break;
	}
}

void EvpnRib::mark_all_stale()
{
	for (auto& [id, s] : sessions_) {
		s.feed_restarted(now_ms_);
	}
}

std::vector<EvpnAction> EvpnRib::tick(uint64_t now_ms, const ResyncTimers& timers)
{
	now_ms_ = std::max<uint64_t>(now_ms, 1);
	std::vector<EvpnAction> out;
	for (auto& [id, s] : sessions_) {
		const auto [due, swept] = s.tick(now_ms_, timers, gone(id));
		if (due == Resync::Due::nothing) {
			continue;
		}
		counters_.swept += swept;
		counters_.settled += due == Resync::Due::settled ? 1 : 0;
		counters_.refreshes += due == Resync::Due::refresh ? 1 : 0;
		out.push_back({id, due, swept});
	}
	return out;
}

EvpnChanges EvpnRib::take_changed()
{
	EvpnChanges c;
	for (const auto& slot : changed_) {
		if (slot.type == kMulticast) {
			c.flood.push_back(slot.vni);
		} else if (slot.type == kMacIp) {
			c.macs.emplace_back(slot.vni, slot.mac);
		} else {
			c.prefixes.emplace_back(slot.vni, slot.prefix);
		}
	}
	changed_.clear();
	return c;
}

const EvpnPath& EvpnRib::path_of(const Source& src) const
{
	return sessions_.at(src.first).paths.at(src.second).route;
}

std::vector<const EvpnPath*> EvpnRib::paths_of(const Slot& slot) const
{
	std::vector<const EvpnPath*> out;
	if (const auto it = used_.find(slot); it != used_.end()) {
		for (const auto& src : it->second) {
			out.push_back(&path_of(src));
		}
	}
	return out;
}

std::vector<config::IpAddr> EvpnRib::flood(uint32_t vni) const
{
	std::vector<config::IpAddr> out;
	for (const EvpnPath* p : paths_of(Slot{kMulticast, vni, {}, {}})) {
		out.push_back(vtep_of(*p));
	}
	const auto less = [](const config::IpAddr& a, const config::IpAddr& b) {
		return address_order(a) < address_order(b);
	};
	std::sort(out.begin(), out.end(), less);
	out.erase(std::unique(out.begin(), out.end()), out.end());
	return out;
}

std::optional<RemoteMac> EvpnRib::mac(uint32_t vni, const config::Mac& m) const
{
	const auto paths = paths_of(Slot{kMacIp, vni, m, {}});
	if (paths.empty()) {
		return std::nullopt;
	}
	const EvpnPath* best = paths[0];
	for (const EvpnPath* p : paths) {
		best = wins(*p, *best) ? p : best;
	}
	const MacMobility mob = best->attrs.mobility.value_or(MacMobility{});
	RemoteMac r{best->next_hop, mob.sticky, mob.seq, best->l3_vni, {}};
	for (const EvpnPath* p : paths) {
		if (p->next_hop == r.vtep && p->key.ip.length != 0 &&
		    std::find(r.ips.begin(), r.ips.end(), p->key.ip.addr) == r.ips.end()) {
			r.ips.push_back(p->key.ip.addr);
		}
		if (p->next_hop == r.vtep && !r.l3_vni) {
			r.l3_vni = p->l3_vni;
		}
	}
	return r;
}

std::vector<std::pair<config::Mac, RemoteMac>> EvpnRib::macs(uint32_t vni) const
{
	for (const auto& [v, bytes] : stale_winners_) {
		if (auto r = mac(v, config::Mac{bytes})) {
			winners_.insert_or_assign({v, bytes}, std::move(*r));
		} else {
			winners_.erase({v, bytes});
		}
	}
	stale_winners_.clear();
	std::vector<std::pair<config::Mac, RemoteMac>> out;
	for (auto it = winners_.lower_bound({vni, {}});
	     it != winners_.end() && it->first.first == vni; ++it) {
		out.emplace_back(config::Mac{it->first.second}, it->second);
	}
	return out;
}

std::vector<uint32_t> EvpnRib::l2_vnis() const
{
	std::vector<uint32_t> out;
	for (const auto& [slot, sources] : used_) {
		if (slot.type != kPrefix && (out.empty() || out.back() != slot.vni)) {
			out.push_back(slot.vni);
		}
	}
	std::sort(out.begin(), out.end());
	out.erase(std::unique(out.begin(), out.end()), out.end());
	return out;
}

std::vector<PrefixHop> EvpnRib::prefix(uint32_t l3_vni, const config::IpPrefix& pfx) const
{
	std::vector<PrefixHop> out;
	for (const EvpnPath* p : paths_of(Slot{kPrefix, l3_vni, {}, pfx})) {
		PrefixHop h{p->next_hop, *p->attrs.router_mac};
		if (std::find(out.begin(), out.end(), h) == out.end()) {
			out.push_back(h);
		}
	}
	std::sort(out.begin(), out.end(), [](const PrefixHop& a, const PrefixHop& b) {
		return std::tie(a.vtep.v6, a.vtep.bytes, a.router_mac.bytes) <
		       std::tie(b.vtep.v6, b.vtep.bytes, b.router_mac.bytes);
	});
	return out;
}

size_t EvpnRib::paths() const
{
	size_t n = 0;
	for (const auto& [id, s] : sessions_) {
		n += s.paths.size();
	}
	return n;
}

std::array<size_t, 3> EvpnRib::slots() const
{
	std::array<size_t, 3> n{0, 0, 0};
	for (const auto& [slot, sources] : used_) {
		++n[slot.type == kMulticast ? 0 : slot.type == kMacIp ? 1 : 2];
	}
	return n;
}

}  // namespace tsunagi::routes
