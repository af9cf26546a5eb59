#include "control/routes/resync.hpp"

#include <algorithm>

namespace tsunagi::routes {

void Resync::begin(uint64_t now)
{
	stale_since_ = std::max<uint64_t>(now, 1);
	sent_ = false;
	refresh_asked_ = false;
}

void Resync::end()
{
	stale_since_ = 0;
	sent_ = false;
	refresh_asked_ = false;
}

void Resync::session_up(uint64_t now)
{
	down_ = false;
	begin(now);
}

void Resync::session_down(uint64_t now)
{
	// bgpd reports a down for every connection attempt that fails while the session is
	// down: only the first one starts the hold, or a session that never returns would
	// keep its paths for ever (and be asked for a refresh at every attempt).
	if (!down_) {
		begin(now);
	}
	down_ = true;
}

void Resync::refresh_begun(uint64_t now)
{
	down_ = false;
	// The hold restarts, so that it never runs out between BoRR and EoRR.
	stale_since_ = std::max<uint64_t>(now, 1);
}

void Resync::stale_event(Event::Kind k, uint64_t now)
{
	if (k == Event::Kind::peer_up) {
		session_up(now);
	} else if (k == Event::Kind::peer_down) {
		session_down(now);
	} else if (k == Event::Kind::refresh_begin) {
		refresh_begun(now);
	}
}

void Resync::feed_restarted(uint64_t now)
{
	begin(now);
	refresh_asked_ = true;
}

void Resync::heard(uint64_t now)
{
	down_ = false;
	heard_at_ = now;
	sent_ = sent_ || stale_since_ != 0;
}

void Resync::marker(uint64_t now, bool all_fresh)
{
	down_ = false;
	markers_ = true;
	heard_at_ = now;
	if (all_fresh) {
		end();
	}
}

Resync::Due Resync::due(uint64_t now, const ResyncTimers& t)
{
	if (stale_since_ == 0) {
		return Due::nothing;
	}
	if (now - std::min(now, stale_since_) >= t.hold_ms) {
		end();
		return Due::sweep;
	}
	const uint64_t quiet_since = std::max(stale_since_, heard_at_);
	if (t.settle_ms == 0 || now - std::min(now, quiet_since) < t.settle_ms) {
		return Due::nothing;
	}
	if (sent_ && !markers_) {
		end();
		return Due::settled;
	}
	if (!refresh_asked_) {
		refresh_asked_ = true;
		return Due::refresh;
	}
	return Due::nothing;
}

}  // namespace tsunagi::routes
