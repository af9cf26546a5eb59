#include "control/routes/feed_sync.hpp"

#include <algorithm>

namespace tsunagi::routes {

void FeedSync::connected(uint64_t now_ms)
{
	connected_ = true;
	connected_at_ = now_ms;
	peers_.clear();
}

FeedSync::Part& FeedSync::part(const Event& e)
{
	Peer& p = peers_[e.peer];
	return e.family == Family::evpn ? p.evpn : p.vpn;
}

bool FeedSync::Part::back(uint64_t now_ms, uint64_t settle_ms) const
{
	const bool markers =
	    begun.empty() ? !done.empty()
	                  : std::includes(done.begin(), done.end(), begun.begin(), begun.end());
	const bool quiet = begun.empty() && heard != 0 && settle_ms != 0 &&
	                   now_ms - std::min(now_ms, heard) >= settle_ms;
	return markers || quiet;
}

void FeedSync::apply(const Event& e, uint64_t now_ms)
{
	using K = Event::Kind;
	switch (e.kind) {
		case K::peer_up:
			peers_[e.peer];
			break;
		case K::peer_down:
			peers_.erase(e.peer);
			break;
		case K::refresh_begin:
			part(e).begun.insert(e.family);
			break;
		case K::refresh_end:
		case K::end_of_rib:
			part(e).done.insert(e.family);
			break;
		case K::update:
			part(e).heard = now_ms;
			break;
		default:
			break;
	}
}

bool FeedSync::synced(uint64_t now_ms, uint64_t settle_ms) const
{
	if (!connected_) {
		return false;
	}
	const uint64_t since = now_ms - std::min(now_ms, connected_at_);
	// bgpd reports the sessions that are up as soon as it connects; with none, there is
	// nothing to wait for once it has had time to say so.
	if (peers_.empty()) {
		return since > 3000;
	}
	if (since <= 1000) {
		return false;
	}
	for (const auto& [id, p] : peers_) {
		const Part& part = p.vpn.seen() || !p.evpn.seen() ? p.vpn : p.evpn;
		if (!part.back(now_ms, settle_ms)) {
			return false;
		}
	}
	return true;
}

std::vector<PeerId> FeedSync::up() const
{
	std::vector<PeerId> out;
	for (const auto& [id, p] : peers_) {
		out.push_back(id);
	}
	return out;
}

}  // namespace tsunagi::routes
