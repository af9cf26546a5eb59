#include "control/routes/feed_log.hpp"

namespace tsunagi::routes {

std::string describe(const Event& e)
{
	using K = Event::Kind;
	const std::string who = "BGP peer " + to_string(e.peer);
	switch (e.kind) {
		case K::peer_up:
		case K::peer_down:
			return who + (e.kind == K::peer_up ? " up" : " down") +
			       "; its routes stay until it has sent them again";
		case K::end_of_rib:
			return who + ": End-of-RIB for " + to_string(e.family);
		case K::refresh_begin:
		case K::refresh_end:
			return who + (e.kind == K::refresh_begin ? ": begins" : ": ends") +
			       " a route refresh of " + to_string(e.family);
		default:
			return {};
	}
}

std::string describe(const ResyncAction& a, const ResyncTimers& timers)
{
	const std::string who = "BGP peer " + to_string(a.id);
	const std::string swept =
	    std::to_string(a.swept) + " paths it did not send again withdrawn";
	switch (a.due) {
		case Resync::Due::sweep:
			return who + ": stale hold of " + std::to_string(timers.hold_ms / 1000) +
			       " s over; " + swept;
		case Resync::Due::settled:
			return who + ": quiet for " + std::to_string(timers.settle_ms) +
			       " ms after sending its routes again, without End-of-RIB; " + swept;
		case Resync::Due::refresh:
			return who +
			       ": nothing sent since its last session event; asking it for a "
			       "route refresh";
		default:
			return {};
	}
}

}  // namespace tsunagi::routes
