#include "control/routes/vpn_rib.hpp"

#include <algorithm>
#include <utility>

namespace tsunagi::routes {

namespace {

// The family a path of an event of family `f` is kept under. The prefix decides between
// IPv4 and IPv6: one UPDATE's classic fields and its MP attributes differ in family.
Family family_of(Family f, const config::IpPrefix& p)
{
	if (is_unicast(f)) {
		return p.addr.v6 ? Family::ipv6 : Family::ipv4;
	}
	return p.addr.v6 ? Family::vpn6 : Family::vpn4;
}

}  // namespace

void VpnRib::configure(const config::Config& cfg)
{
	cfg_ = &cfg;
	importers_.clear();
	for (const auto& t : cfg.tenants) {
		if (t.vrf) {
			for (const auto& rt : t.vrf->import_rts) {
				importers_[rt].push_back(t.name);
			}
		}
	}
	// Re-import every path under the new rules; a peer no longer configured keeps its
	// paths (its session may come back) but they import nowhere.
	for (auto& [id, rib] : peers_) {
		static_cast<Session&>(rib) = find_session(id);
		for (auto& [k, path] : rib.paths) {
			auto tenants = tenants_of(rib, k.family, path);
			if (tenants == path.tenants && rib.peer != nullptr) {
				continue;  // the same VRFs: the routes stand (their peer may be a
				           // new object; the caller rewrites through-peer hops if
				           // it must)
			}
			link(path, id, k, false);
			path.tenants = std::move(tenants);
			link(path, id, k, true);
		}
	}
}

VpnRib::Session VpnRib::find_session(const PeerId& id) const
{
	std::vector<Session> found;
	for (const auto& p : cfg_->peers) {
		if (p.option == config::PeerOption::B) {
			if (p.address && *p.address == id.address) {
				found.push_back({&p, nullptr});
			}
			continue;
		}
		for (const auto& v : p.vrfs) {
			if (v.neighbor == id.address) {
				found.push_back({&p, &v});
			}
		}
	}
	// Option-A links in different VRFs may share a neighbour address (carriers reuse
	// their /30s); the AS may still tell them apart. Routes of a session that could be
	// either must go to neither: importing them into the wrong tenant would leak them.
	if (found.size() > 1 && id.asn != 0) {
		std::erase_if(found, [&](const Session& s) { return s.peer->asn != id.asn; });
	}
	return found.size() == 1 ? found[0] : Session{};
}

std::vector<std::string> VpnRib::tenants_for(const config::Peer& peer,
                                             const std::vector<std::string>& rts) const
{
	std::vector<std::string> out;
	for (const auto& rt : rts) {
		const auto it = importers_.find(rt);
		if (it == importers_.end()) {
			continue;
		}
		for (const auto& t : it->second) {
			if (std::find(peer.tenants.begin(), peer.tenants.end(), t) !=
			        peer.tenants.end() &&
			    std::find(out.begin(), out.end(), t) == out.end()) {
				out.push_back(t);
			}
		}
	}
	return out;
}

std::vector<std::string> VpnRib::tenants_of(const Session& s, Family f, const Path& path) const
{
	if (s.peer == nullptr || path.loop) {
		return {};
	}
	if (s.link != nullptr) {
		return is_unicast(f) ? std::vector<std::string>{s.link->tenant}
		                     : std::vector<std::string>{};
	}
	return is_unicast(f) ? std::vector<std::string>{} : tenants_for(*s.peer, path.targets);
}

void VpnRib::mark(const TenantPrefix& tp)
{
	if (changed_set_.insert(tp).second) {
		changed_.push_back(tp);
	}
}

void VpnRib::link(const Path& path, const PeerId& id, const PathKey& k, bool add)
{
	const Source source{id, k.family, k.key.rd};
	for (const auto& t : path.tenants) {
		const TenantPrefix tp{t, k.key.prefix};
		if (add) {
			auto [it, fresh] = imported_.try_emplace(tp);
			it->second.insert(source);
			imported_by_tenant_[t] += fresh ? 1 : 0;
		} else if (auto it = imported_.find(tp); it != imported_.end()) {
			it->second.erase(source);
			if (it->second.empty()) {
				imported_.erase(it);
				if (--imported_by_tenant_[t] == 0) {
					imported_by_tenant_.erase(t);
				}
			}
		}
		mark(tp);
	}
}

void VpnRib::put(const PeerId& id, PeerRib& rib, Family f, const VpnPath& p)
{
	const PathKey key{family_of(f, p.key.prefix), p.key};
	Path next{p.labels, p.next_hop, p.route_targets, {}, false, false};
	if (std::find(p.as_path.begin(), p.as_path.end(), cfg_->node.asn) != p.as_path.end()) {
		++counters_.as_loop;
		next.loop = true;  // imported nowhere, whatever the configuration
	} else {
		next.tenants = tenants_of(rib, key.family, next);
		if (next.tenants.empty()) {
			++counters_.not_imported;
		}
	}
	// A link-local next hop (FRR's IPv6 over a link without global IPv6) is the peer
	// itself on the link: its MAC is the session address's.
	const auto& b = next.next_hop.bytes;
	if (next.next_hop.v6 && b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
		if (rib.link != nullptr) {
			next.next_hop = rib.link->neighbor;
		} else if (rib.peer != nullptr && rib.peer->address) {
			next.next_hop = *rib.peer->address;
		}
	}
	auto [it, fresh] = rib.paths.try_emplace(key, next);
	if (!fresh) {
		Path& old = it->second;
		if (old.labels == next.labels && old.next_hop == next.next_hop &&
		    old.tenants == next.tenants) {
			old.stale = false;  // sent again, unchanged: nothing to rewrite
			old.targets = next.targets;
			old.loop = next.loop;
			return;
		}
		link(old, id, key, false);
		old = next;
	}
	link(it->second, id, key, true);
}

void VpnRib::drop(const PeerId& id, PeerRib& rib, const PathKey& k)
{
	if (auto it = rib.paths.find(k); it != rib.paths.end()) {
		link(it->second, id, k, false);
		rib.paths.erase(it);
	}
}

size_t VpnRib::sweep(const PeerId& id, PeerRib& rib, Family f)
{
	const size_t n = rib.sweep([f](const PathKey& k) { return k.family == f; },
	                           [&](const PathKey& k, const Path& p) { link(p, id, k, false); });
	counters_.swept += n;
	return n;
}

std::vector<ResyncAction> VpnRib::tick(uint64_t now_ms, const ResyncTimers& timers)
{
	now_ms_ = std::max<uint64_t>(now_ms, 1);
	std::vector<ResyncAction> out;
	for (auto& [id, rib] : peers_) {
		const auto [due, swept] = rib.tick(
		    now_ms_, timers,
		    [&, &id = id](const PathKey& k, const Path& p) { link(p, id, k, false); });
		if (due == Resync::Due::nothing) {
			continue;
		}
		const ResyncAction a{id, rib.peer, rib.link, due, swept};
		counters_.swept += swept;
		counters_.settled += due == Resync::Due::settled ? 1 : 0;
		// A speaker the configuration does not know has nothing to refresh through.
		if (rib.peer != nullptr) {
			counters_.refreshes += due == Resync::Due::refresh ? 1 : 0;
			out.push_back(a);
		}
	}
	return out;
}

void VpnRib::apply(const Event& e)
{
	using K = Event::Kind;
	// EVPN's routes and markers are EvpnRib's: its End-of-RIB must not end a VPN
	// family's resynchronisation, nor its routes count as the session's VPN table.
	if (e.kind == K::initiation || e.kind == K::termination ||
	    (e.family == Family::evpn && e.kind != K::peer_up && e.kind != K::peer_down)) {
		return;
	}
	auto [it, fresh] = peers_.try_emplace(e.peer);
	PeerRib& rib = it->second;
	if (fresh) {
		static_cast<Session&>(rib) = find_session(e.peer);
	}
	if (rib.peer == nullptr) {
		++counters_.unknown_peer;
	}
	switch (e.kind) {
		case K::peer_up:
		case K::peer_down:
		case K::refresh_begin:
			// The peer will send its table again: until it says it is done, what it
			// sent before keeps forwarding.
			rib.stale_event(e.kind, now_ms_, [&](const PathKey& k) {
				return e.kind != K::refresh_begin || k.family == e.family;
			});
			break;
		case K::end_of_rib:
		case K::refresh_end:
			sweep(e.peer, rib, e.family);
			rib.resync.marker(now_ms_, !rib.any_stale());
			break;
		case K::update:
			for (const auto& k : e.withdrawn) {
				drop(e.peer, rib, {family_of(e.family, k.prefix), k});
				++counters_.updates;
			}
			for (const auto& p : e.reach) {
				put(e.peer, rib, e.family, p);
				++counters_.updates;
			}
			rib.resync.heard(now_ms_);
			break;
		default:
			break;
	}
}

void VpnRib::mark_all_stale()
{
	for (auto& [id, rib] : peers_) {
		rib.feed_restarted(now_ms_);
	}
}

std::vector<TenantPrefix> VpnRib::take_changed()
{
	changed_set_.clear();
	return std::exchange(changed_, {});
}

std::vector<ImportedHop> VpnRib::hops(const TenantPrefix& tp) const
{
	std::vector<ImportedHop> out;
	const auto it = imported_.find(tp);
	if (it == imported_.end()) {
		return out;
	}
	for (const auto& source : it->second) {
		const PeerRib& rib = peers_.at(std::get<PeerId>(source));
		const Path& path = path_of(source, tp.prefix);
		ImportedHop h{rib.peer, path.next_hop, path.labels, rib.link};
		if (std::find(out.begin(), out.end(), h) == out.end()) {
			out.push_back(std::move(h));
		}
	}
	return out;
}

std::vector<TenantPrefix> VpnRib::routes_via(const std::string& port,
                                             const config::IpAddr& address) const
{
	std::vector<TenantPrefix> out;
	for (const auto& [tp, sources] : imported_) {
		for (const auto& source : sources) {
			const PeerRib& rib = peers_.at(std::get<PeerId>(source));
			if (rib.peer != nullptr && rib.peer->port == port &&
			    path_of(source, tp.prefix).next_hop == address) {
				out.push_back(tp);
				break;
			}
		}
	}
	return out;
}

std::vector<TenantPrefix> VpnRib::routes_via_link(const config::OptionAVrf* link) const
{
	std::vector<TenantPrefix> out;
	if (link == nullptr) {
		return out;
	}
	for (const auto& [tp, sources] : imported_) {
		for (const auto& source : sources) {
			if (peers_.at(std::get<PeerId>(source)).link == link) {
				out.push_back(tp);
				break;
			}
		}
	}
	return out;
}

const VpnRib::Path& VpnRib::path_of(const Source& s, const config::IpPrefix& prefix) const
{
	const auto& [id, family, rd] = s;
	return peers_.at(id).paths.at(PathKey{family, VpnKey{rd, prefix}});
}

std::vector<TenantPrefix> VpnRib::all_imported() const
{
	std::vector<TenantPrefix> out;
	out.reserve(imported_.size());
	for (const auto& [tp, sources] : imported_) {
		out.push_back(tp);
	}
	return out;
}

size_t VpnRib::paths() const
{
	size_t n = 0;
	for (const auto& [id, rib] : peers_) {
		n += rib.paths.size();
	}
	return n;
}

}  // namespace tsunagi::routes
