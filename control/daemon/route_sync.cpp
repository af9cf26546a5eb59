#include "control/daemon/route_sync.hpp"

#include <algorithm>
#include <chrono>

#include "common/config/values.hpp"
#include "control/compile/compiler.hpp"
#include "control/compile/vrf_plan.hpp"
#include "control/daemon/log.hpp"
#include "control/frr/refresh.hpp"
#include "control/routes/feed_log.hpp"

namespace tsunagi::control {

namespace {

std::string hop_key(const std::string& port, const config::IpAddr& a, uint16_t vlan = 0)
{
	return port + "." + std::to_string(vlan) + " " + config::to_string(a);
}

std::string mac_of(const abi::NexthopEntry& nh)
{
	return nh.resolved ? std::string(reinterpret_cast<const char*>(nh.dst_mac), 6)
	                   : std::string();
}

}  // namespace

uint64_t RouteSync::now_ms()
{
	const auto now = std::chrono::steady_clock::now().time_since_epoch();
	return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

void RouteSync::serve(const config::Config& cfg, const routes::ResyncTimers& timers,
                      const std::function<void(const std::vector<std::string>&)>& ask)
{
	timers_ = timers;
	for (const auto& a : rib_.tick(now_ms(), timers)) {
		if (a.due == routes::Resync::Due::refresh) {
			ask(frr::refresh_session(cfg, *a.peer, a.link));
		}
		log(routes::describe(a, timers));
	}
	for (const auto& a : evpn_.tick(now_ms(), timers)) {
		if (a.due == routes::Resync::Due::refresh) {
			ask(frr::refresh_evpn(a.id.address));
		}
		log(routes::describe(routes::ResyncAction{a.id, nullptr, nullptr, a.due, a.swept},
		                     timers) +
		    " (L2VPN EVPN)");
	}
	auto batch = feed_->service();
	for (const auto& l : batch.log) {
		log(l);
	}
	if (batch.connected) {
		sync_.connected(now_ms());
		// The mirror does not replay what came before the connection: everything known
		// is stale until the carriers send it again, which a route refresh asks them to
		// do without resetting the sessions.
		rib_.mark_all_stale();
		evpn_.mark_all_stale();
		ask(frr::refresh_all(cfg));
		log("route feed connected; asked the carriers to refresh their routes");
	}
	for (const auto& e : batch.events) {
		rib_.apply(e);
		evpn_.apply(e);
		sync_.apply(e, now_ms());
		if (const auto line = routes::describe(e); !line.empty()) {
			log(line);
		}
	}
}

bool RouteSync::synced() const
{
	return sync_.synced(now_ms(), timers_.settle_ms);
}

std::array<uint64_t, 2> RouteSync::counts() const
{
	std::array<uint64_t, 2> n{0, 0};
	for (const auto& tp : rib_.all_imported()) {
		++n[tp.prefix.addr.v6];
	}
	return n;
}

bool RouteSync::write(compile::TableWriter& w, const config::Config& cfg,
                      const routes::TenantPrefix& tp, uint64_t gen,
                      const std::vector<config::Neighbor>& learned)
{
	const auto hops = rib_.hops(tp);
	if (hops.empty()) {
		w.remove_route(tp.tenant, tp.prefix, gen);
		return true;
	}
	std::vector<abi::NexthopEntry> nhs;
	for (const auto& h : hops) {
		if (h.peer == nullptr) {
			continue;
		}
		abi::NexthopEntry nh =
		    h.link != nullptr
		        ? compile::option_a_next_hop(cfg, *h.peer, *h.link, h.next_hop, learned)
		        : compile::carrier_next_hop(cfg, *h.peer, h.next_hop, learned);
		hop_macs_[hop_key(h.peer->port, h.next_hop, h.link ? h.link->vlan : 0)] =
		    mac_of(nh);
		nh.n_labels = uint8_t(std::min<size_t>(h.labels.size(), 4));
		std::copy_n(h.labels.begin(), nh.n_labels, nh.labels);
		nhs.push_back(nh);
	}
	return w.set_route(tp.tenant, tp.prefix, nhs, gen);
}

size_t RouteSync::write_all(compile::TableWriter& w, const config::Config& cfg, uint64_t gen,
                            const std::vector<config::Neighbor>& learned)
{
	size_t n = 0, refused = 0;
	for (const auto& tp : rib_.all_imported()) {
		(write(w, cfg, tp, gen, learned) ? n : refused) += 1;
	}
	if (refused != 0) {
		log(std::to_string(refused) + " learned routes did not fit the new image");
	}
	return n;
}

std::vector<routes::TenantPrefix> RouteSync::moved_hops(
    const config::Config& cfg, const std::vector<config::Neighbor>& learned) const
{
	std::vector<routes::TenantPrefix> moved;
	for (const auto& peer : cfg.peers) {
		for (const auto& link : peer.vrfs) {
			const auto it =
			    hop_macs_.find(hop_key(peer.port, link.neighbor, link.vlan));
			if (it != hop_macs_.end() &&
			    it->second != mac_of(compile::option_a_next_hop(
			                      cfg, peer, link, link.neighbor, learned))) {
				for (auto& tp : rib_.routes_via_link(&link)) {
					moved.push_back(std::move(tp));
				}
			}
		}
		if (peer.option != config::PeerOption::B || !peer.address) {
			continue;
		}
		const auto it = hop_macs_.find(hop_key(peer.port, *peer.address));
		if (it != hop_macs_.end() &&
		    it->second !=
		        mac_of(compile::carrier_next_hop(cfg, peer, *peer.address, learned))) {
			for (auto& tp : rib_.routes_via(peer.port, *peer.address)) {
				moved.push_back(std::move(tp));
			}
		}
	}
	return moved;
}

std::vector<config::IpAddr> RouteSync::sessions_up() const
{
	std::vector<config::IpAddr> out;
	for (const auto& peer : sync_.up()) {
		out.push_back(peer.address);
	}
	return out;
}

std::string RouteSync::counters_line() const
{
	const auto& f = feed_->counters();
	const auto& r = rib_.counters();
	const auto& e = evpn_.counters();
	return "route feed: " + std::to_string(feed_->connections()) + " connections, " +
	       std::to_string(f.messages) + " messages (" + std::to_string(f.malformed) +
	       " refused, " + std::to_string(f.lost) + " lost), " + std::to_string(rib_.paths()) +
	       " paths, " + std::to_string(rib_.imported()) + " imported routes, " +
	       std::to_string(r.not_imported) + " not imported, " + std::to_string(r.as_loop) +
	       " AS loops, " + std::to_string(r.swept) + " swept stale, " +
	       std::to_string(r.settled) + " resynchronisations settled without End-of-RIB, " +
	       std::to_string(r.refreshes) +
	       " route refreshes asked; EVPN: " + std::to_string(evpn_.paths()) + " paths, " +
	       std::to_string(e.updates) + " updates, " + std::to_string(e.not_vxlan) +
	       " not VXLAN, " + std::to_string(e.unusable) + " unusable, " +
	       std::to_string(e.unknown_type) + " of other types, " + std::to_string(e.swept) +
	       " swept stale";
}

}  // namespace tsunagi::control
