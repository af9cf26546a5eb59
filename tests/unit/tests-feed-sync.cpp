// When a restarted tsunagid may publish: every session up has sent its routes again, with
// markers or, without them, by going quiet for the settle time after sending.
#include <catch2/catch.hpp>

#include "common/config/values.hpp"
#include "control/routes/feed_sync.hpp"

using namespace tsunagi;
using routes::Event;

namespace {

Event event(Event::Kind k, const std::string& from, routes::Family f = routes::Family::vpn4)
{
	Event e;
	e.kind = k;
	e.peer = {*config::parse_ip(from), 0};
	e.family = f;
	return e;
}

}  // namespace

TEST_CASE("feed sync: a carrier without markers is back once quiet for the settle time",
          "[feed-sync]")
{
	routes::FeedSync s;
	CHECK_FALSE(s.synced(0, 1000));
	s.connected(10000);
	s.apply(event(Event::Kind::peer_up, "203.0.113.1"), 10010);
	CHECK_FALSE(s.synced(12000, 1000));  // up, nothing sent yet
	s.apply(event(Event::Kind::update, "203.0.113.1"), 10200);
	s.apply(event(Event::Kind::update, "203.0.113.1"), 10400);
	CHECK_FALSE(s.synced(11399, 1000));
	CHECK(s.synced(11400, 1000));
	CHECK_FALSE(s.synced(11400, 0));  // settling off: markers only
	CHECK(s.up().size() == 1);
}

TEST_CASE("feed sync: a route refresh begun must end; End-of-RIB alone will do", "[feed-sync]")
{
	routes::FeedSync s;
	s.connected(0);
	s.apply(event(Event::Kind::peer_up, "203.0.113.1"), 10);
	s.apply(event(Event::Kind::peer_up, "203.0.114.1"), 10);
	s.apply(event(Event::Kind::refresh_begin, "203.0.113.1"), 20);
	s.apply(event(Event::Kind::update, "203.0.113.1"), 30);
	s.apply(event(Event::Kind::end_of_rib, "203.0.114.1"), 40);
	// Quiet, but a refresh begun with BoRR waits for its EoRR.
	CHECK_FALSE(s.synced(5000, 1000));
	s.apply(event(Event::Kind::refresh_end, "203.0.113.1"), 5000);
	CHECK(s.synced(5001, 1000));
	s.apply(event(Event::Kind::peer_down, "203.0.114.1"), 5002);
	CHECK(s.up().size() == 1);
}

TEST_CASE("feed sync: with no session up, the feed is in sync after three seconds", "[feed-sync]")
{
	routes::FeedSync s;
	s.connected(1000);
	CHECK_FALSE(s.synced(4000, 1000));
	CHECK(s.synced(4001, 1000));
}

TEST_CASE("feed sync: EVPN's End-of-RIB stands for an EVPN-only session, not a VPN one",
          "[feed-sync]")
{
	using routes::Family;
	routes::FeedSync s;
	s.connected(0);
	s.apply(event(Event::Kind::peer_up, "203.0.113.1"), 10);  // a carrier: VPN
	s.apply(event(Event::Kind::peer_up, "10.99.0.2"), 10);    // a route reflector: EVPN
	s.apply(event(Event::Kind::update, "203.0.113.1"), 100);
	s.apply(event(Event::Kind::end_of_rib, "203.0.113.1", Family::evpn), 200);
	s.apply(event(Event::Kind::update, "10.99.0.2", Family::evpn), 300);
	s.apply(event(Event::Kind::end_of_rib, "10.99.0.2", Family::evpn), 400);
	CHECK_FALSE(s.synced(5000, 0));
	s.apply(event(Event::Kind::end_of_rib, "203.0.113.1", Family::vpn4), 500);
	CHECK(s.synced(5000, 0));
}
