// When one BGP session's stale paths go (vpn_rib.hpp keeps the paths; this keeps the clock).
//
// A session's paths turn stale when it goes down or comes up, when the feed restarts or a
// route refresh begins: the carrier is expected to send its table again, and what it does
// not send again must go. A carrier with graceful restart says when it is done (End-of-RIB,
// End-of-Route-Refresh). Many carriers send neither, and bgpd's mirror reports session
// events out of step with the routes (a connection that loses a collision is reported down
// while the session that won lives on, and peer up/down are written ahead of the mirrored
// messages still queued), so the clock also settles by itself:
//
// - the stale hold restarts at every event that makes the paths stale, so an outage always
//   gets the whole hold, however soon after an earlier event it starts; a session that stays
//   down is not restarted by bgpd's repeated down reports (one per connection attempt);
// - a session that sent routes again and then stayed quiet for the settle time has sent its
//   table: its stale paths are swept as if End-of-RIB had come, unless it is a session that
//   does send markers (it has sent one before), which is waited for;
// - a session that sent nothing within the settle time is asked once for a route refresh:
//   if the down report was a collision's, the session is up and sends its table, which then
//   settles; if it is really down, the refresh does nothing and the hold decides.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "control/routes/bmp.hpp"

namespace tsunagi::routes {

struct ResyncTimers {
	uint64_t hold_ms = 120000;  // stale paths live at most this long after the last event
	uint64_t settle_ms = 1000;  // 0: never settle by quiet, wait for markers or the hold
};

class Resync {
public:
	enum class Due : uint8_t { nothing, sweep, settled, refresh };

	void session_up(uint64_t now);
	void session_down(uint64_t now);
	void refresh_begun(uint64_t now);
	// One of the three above, as the feed reports it (peer_up, peer_down, refresh_begin);
	// the RIBs mark the session's paths stale for the same reports.
	void stale_event(Event::Kind k, uint64_t now);
	// The feed restarted and a route refresh was asked of every session already.
	void feed_restarted(uint64_t now);
	// The session sent routes or withdrawals: it is established, whatever was reported.
	void heard(uint64_t now);
	// End-of-RIB or End-of-Route-Refresh; `all_fresh`: no stale path is left.
	void marker(uint64_t now, bool all_fresh);
	// What the time asks for: `sweep` (the hold ran out), `settled` (quiet after sending),
	// `refresh` (quiet without sending; asked once per event). Either sweep ends the resync.
	Due due(uint64_t now, const ResyncTimers& t);

private:
	bool down_ = false;     // reported down, and nothing since says it is up
	bool markers_ = false;  // the session has sent End-of-RIB or End-of-Route-Refresh
	bool sent_ = false;     // routes heard since the paths turned stale
	bool refresh_asked_ = false;
	uint64_t stale_since_ = 0;  // ms; 0: nothing stale
	uint64_t heard_at_ = 0;

	void begin(uint64_t now);
	void end();
};

// One session's paths with their stale marks, and its clock: what VpnRib and EvpnRib keep
// per session. `Path` has a `bool stale`; `gone(key, path)` is told of each path swept,
// before it is erased, so the RIB can unlink it from what it made of it.
template <class Key, class Path>
struct SessionPaths {
	std::map<Key, Path> paths;
	Resync resync;

	// Peer up or down, or a route refresh begun: the paths `which` takes turn stale.
	template <class Which>
	void stale_event(Event::Kind k, uint64_t now, Which which)
	{
		for (auto& [key, path] : paths) {
			path.stale = path.stale || which(key);
		}
		resync.stale_event(k, now);
	}
	void feed_restarted(uint64_t now)
	{
		for (auto& [key, path] : paths) {
			path.stale = true;
		}
		resync.feed_restarted(now);
	}
	// Erases the stale paths `which` takes; how many.
	template <class Which, class Gone>
	size_t sweep(Which which, Gone gone)
	{
		size_t n = 0;
		for (auto it = paths.begin(); it != paths.end();) {
			if (it->second.stale && which(it->first)) {
				gone(it->first, it->second);
				it = paths.erase(it);
				++n;
			} else {
				++it;
			}
		}
		return n;
	}
	bool any_stale() const
	{
		for (const auto& [key, path] : paths) {
			if (path.stale) {
				return true;
			}
		}
		return false;
	}
	// What the clock asks for at `now`; a sweep or settling erases every stale path. The
	// due and how many went.
	template <class Gone>
	std::pair<Resync::Due, size_t> tick(uint64_t now, const ResyncTimers& t, Gone gone)
	{
		const Resync::Due due = resync.due(now, t);
		const bool sweeps = due == Resync::Due::sweep || due == Resync::Due::settled;
		return {due, sweeps ? sweep([](const Key&) { return true; }, gone) : 0};
	}
};

}  // namespace tsunagi::routes
