// The route feed's decoder: BMP framing, mirrored VPN and unicast UPDATEs, markers, bad input.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <random>

#include "common/config/values.hpp"
#include "control/routes/bmp.hpp"
#include "control/routes/bmp_listener.hpp"
#include "tests/unit/bmp_builder.hpp"

using namespace tsunagi;
using routes::Event;
using routes::Skip;

namespace {

const std::string kPeer = "203.0.113.1";
// An Option-A link's neighbour, as bgpd's VRF instance names it.
const std::string kLink = "172.31.0.2";
// Where ipv6_update() puts the SAFI: BGP header 19, two lengths 4, ORIGIN 4, AS_PATH 9,
// the MP_REACH_NLRI attribute's header 3, AFI 2.
constexpr size_t kMpSafi = 19 + 4 + 4 + 9 + 3 + 2;

routes::Decoded decode(const test::Bytes& b)
{
	return routes::decode_bmp(b.data(), b.size());
}

config::IpPrefix prefix(const std::string& s)
{
	return *config::parse_prefix(s);
}

}  // namespace

TEST_CASE("bmp: a mirrored VPNv4 UPDATE gives RD, label stack, next hop and route targets")
{
	const auto d = decode(
	    test::bmp_mirror(kPeer, test::vpn_update({{"2516:1", "172.16.0.0/16", {30001}},
	                                              {"2516:2", "172.17.1.0/24", {16, 30002}}},
	                                             kPeer, {"2516:1001", "65000:7"})));
	REQUIRE(d.skip == Skip::none);
	REQUIRE(d.events.size() == 1);
	const Event& e = d.events[0];
	CHECK(e.kind == Event::Kind::update);
	CHECK(e.family == routes::Family::vpn4);
	CHECK(config::to_string(e.peer.address) == kPeer);
	REQUIRE(e.reach.size() == 2);
	CHECK(e.reach[0].key.prefix == prefix("172.16.0.0/16"));
	CHECK(routes::rd_string(e.reach[0].key.rd) == "2516:1");
	CHECK(e.reach[0].labels == std::vector<uint32_t>{30001});
	CHECK(config::to_string(e.reach[0].next_hop) == kPeer);
	CHECK(e.reach[0].route_targets == std::vector<std::string>{"2516:1001", "65000:7"});
	CHECK(e.reach[1].key.prefix == prefix("172.17.1.0/24"));
	CHECK(routes::rd_string(e.reach[1].key.rd) == "2516:2");
	CHECK(e.reach[1].labels == std::vector<uint32_t>{16, 30002});
	CHECK(e.withdrawn.empty());
}

TEST_CASE("bmp: VPNv6 routes, withdrawals and End-of-RIB")
{
	auto d = decode(
	    test::bmp_mirror(kPeer, test::vpn_update({{"2516:1", "2001:db8:99::/48", {30003}}},
	                                             "2001:db8:ff::1", {"2516:1001"})));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].family == routes::Family::vpn6);
	CHECK(d.events[0].reach.at(0).key.prefix == prefix("2001:db8:99::/48"));
	CHECK(config::to_string(d.events[0].reach[0].next_hop) == "2001:db8:ff::1");
	// Over an IPv4 session the next hop is IPv4, mapped.
	d = decode(
	    test::bmp_mirror(kPeer, test::vpn_update({{"2516:1", "2001:db8:99::/48", {30003}}},
	                                             "::ffff:203.0.113.1", {"2516:1001"})));
	CHECK(config::to_string(d.events.at(0).reach.at(0).next_hop) == kPeer);

	d = decode(test::bmp_mirror(kPeer, test::vpn_withdraw({{"2516:1", "172.16.0.0/16", {}},
	                                                       {"2516:1", "10.0.0.0/8", {}}})));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::update);
	REQUIRE(d.events[0].withdrawn.size() == 2);
	CHECK(d.events[0].withdrawn[1].prefix == prefix("10.0.0.0/8"));
	CHECK(d.events[0].reach.empty());

	for (const bool v6 : {false, true}) {
		d = decode(test::bmp_mirror(kPeer, test::vpn_end_of_rib(v6)));
		REQUIRE(d.events.size() == 1);
		CHECK(d.events[0].kind == Event::Kind::end_of_rib);
		CHECK(d.events[0].family == (v6 ? routes::Family::vpn6 : routes::Family::vpn4));
	}
}

TEST_CASE("bmp: enhanced route refresh markers, peer up and down, initiation")
{
	auto d = decode(test::bmp_mirror(kPeer, test::route_refresh(false, 1)));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::refresh_begin);
	d = decode(test::bmp_mirror(kPeer, test::route_refresh(true, 2)));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::refresh_end);
	CHECK(d.events[0].family == routes::Family::vpn6);
	// A plain refresh request is no marker.
	CHECK(decode(test::bmp_mirror(kPeer, test::route_refresh(false, 0))).events.empty());

	d = decode(test::bmp_peer(3, kPeer));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::peer_up);
	CHECK(config::to_string(d.events[0].peer.address) == kPeer);
	d = decode(test::bmp_peer(2, "2001:db8::1"));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::peer_down);
	CHECK(config::to_string(d.events[0].peer.address) == "2001:db8::1");
	CHECK(decode(test::bmp_initiation()).events.at(0).kind == Event::Kind::initiation);
}

TEST_CASE("bmp: the stream splits messages however the bytes arrive, and stops when out of step")
{
	test::Bytes all;
	for (const auto& m : {test::bmp_initiation(), test::bmp_peer(3, kPeer),
	                      test::bmp_mirror(kPeer, test::vpn_end_of_rib(false))}) {
		all.insert(all.end(), m.begin(), m.end());
	}
	routes::BmpStream s;
	std::vector<Event::Kind> kinds;
	for (uint8_t b : all) {
		s.feed(&b, 1);
		while (auto m = s.next()) {
			const auto d = routes::decode_bmp(m->data(), m->size());
			for (const auto& e : d.events) {
				kinds.push_back(e.kind);
			}
		}
	}
	CHECK(kinds == std::vector<Event::Kind>{Event::Kind::initiation, Event::Kind::peer_up,
	                                        Event::Kind::end_of_rib});
	CHECK(s.buffered() == 0);
	CHECK_FALSE(s.broken());

	const uint8_t garbage[] = {4, 0, 0, 0, 6, 4};  // version 4
	s.feed(garbage, sizeof(garbage));
	CHECK_FALSE(s.next());
	CHECK(s.broken());
}

TEST_CASE("bmp: malformed messages are refused with a reason, never half used")
{
	const auto good = test::bmp_mirror(
	    kPeer, test::vpn_update({{"2516:1", "172.16.0.0/16", {30001}}}, kPeer, {"2516:1001"}));
	// The BMP length no longer matches.
	auto bad = good;
	bad.pop_back();
	CHECK(decode(bad).skip == Skip::malformed);
	// The NLRI claims a prefix longer than IPv4 allows: its length byte is the 5th of the
	// NLRI from the end (length, label 3, RD 8, prefix 2).
	bad = good;
	bad[bad.size() - 14] = 24 + 64 + 40;
	const auto d = decode(bad);
	CHECK(d.skip == Skip::malformed);
	CHECK(d.events.empty());
	CHECK_FALSE(d.why.empty());
	// Not a family the feed takes: IPv6 multicast (SAFI 2).
	auto multicast = test::ipv6_update({"2001:db8:20::/48"}, "2001:db8:ff::2");
	REQUIRE(multicast.at(kMpSafi) == 1);
	multicast[kMpSafi] = 2;
	const auto m = decode(test::bmp_mirror(kPeer, multicast));
	CHECK(m.skip == Skip::unsupported_family);
	CHECK(m.events.empty());

	// Random corruption anywhere: decoded or refused, never a crash or a read past the end
	// (the ASan build of the unit tests checks the latter).
	std::mt19937 rng(7);
	for (int i = 0; i < 20000; ++i) {
		auto m = good;
		const int flips = 1 + int(rng() % 4);
		for (int f = 0; f < flips; ++f) {
			m[6 + rng() % (m.size() - 6)] = uint8_t(rng());
		}
		const auto r = decode(m);
		if (r.skip == Skip::none) {
			for (const auto& e : r.events) {
				for (const auto& p : e.reach) {
					CHECK(p.key.prefix.length <=
					      (p.key.prefix.addr.v6 ? 128 : 32));
				}
			}
		}
	}
}

namespace {

// Every event of a stream bgpd sent (captured from FRR 8.4 with `bmp mirror`).
std::vector<Event> events_of(const std::string& file, routes::BmpStream& s)
{
	std::ifstream in(std::string(TSUNAGI_TEST_DATA) + "/bmp/" + file, std::ios::binary);
	REQUIRE(in);
	const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
	s.feed(bytes.data(), bytes.size());
	std::vector<Event> out;
	while (auto m = s.next()) {
		const auto d = routes::decode_bmp(m->data(), m->size());
		CHECK(d.skip != Skip::malformed);
		out.insert(out.end(), d.events.begin(), d.events.end());
	}
	CHECK(s.buffered() == 0);
	CHECK_FALSE(s.broken());
	return out;
}

std::string describe(const Event& e)
{
	std::string s;
	for (const auto& p : e.reach) {
		s += "+" + routes::rd_string(p.key.rd) + ":" + config::to_string(p.key.prefix);
		for (uint32_t l : p.labels) {
			s += " L" + std::to_string(l);
		}
		for (const auto& rt : p.route_targets) {
			s += " RT" + rt;
		}
		for (uint32_t as : p.as_path) {
			s += " AS" + std::to_string(as);
		}
		s += " via " + config::to_string(p.next_hop) + "; ";
	}
	for (const auto& k : e.withdrawn) {
		s += "-" + routes::rd_string(k.rd) + ":" + config::to_string(k.prefix) + "; ";
	}
	return s;
}

}  // namespace

TEST_CASE("bmp: FRR 8.4's stream at session up, decoded")
{
	routes::BmpStream s;
	const auto ev = events_of("session-up.bin", s);
	std::vector<std::string> seen;
	for (const auto& e : ev) {
		switch (e.kind) {
			case Event::Kind::initiation:
				seen.push_back("init");
				break;
			case Event::Kind::peer_up:
				seen.push_back("up " + routes::to_string(e.peer));
				break;
			case Event::Kind::peer_down:
				seen.push_back("down");
				break;
			case Event::Kind::end_of_rib:
				seen.push_back(e.family == routes::Family::vpn4 ? "eor4" : "eor6");
				break;
			case Event::Kind::update:
				seen.push_back(describe(e));
				break;
			default:
				seen.push_back("other");
				break;
		}
	}
	CHECK(seen == std::vector<std::string>{
	                  "init", "down", "down", "up 203.0.113.1",
	                  "+2516:1:172.16.0.0/16 L30001 RT2516:1001 AS2516 via 203.0.113.1; "
	                  "+2516:1:172.17.0.0/16 L30002 RT2516:1001 AS2516 via 203.0.113.1; ",
	                  // The carrier's link-local address: the link has no global IPv6.
	                  "+2516:1:2001:db8:99::/48 L30003 RT2516:1001 AS2516 via "
	                  "fe80::1843:bff:feee:bfc1; ",
	                  "+2516:2:172.18.0.0/16 L30009 RT2516:9999 AS2516 via 203.0.113.1; ",
	                  "eor6", "eor4",
	                  // Our own routes, reflected back by the carrier.
	                  "+65000:1:10.1.0.0/24 L2001 RT65000:1 AS2516 AS65000 via 203.0.113.1; ",
	                  "+65000:1:2001:db8:1::/64 L2001 RT65000:1 AS2516 AS65000 via "
	                  "fe80::1843:bff:feee:bfc1; "});
}

TEST_CASE("bmp: FRR 8.4's route refresh, withdrawal and session reset, decoded")
{
	routes::BmpStream a;
	std::vector<Event::Kind> kinds;
	for (const auto& e : events_of("route-refresh.bin", a)) {
		kinds.push_back(e.kind);
	}
	using K = Event::Kind;
	CHECK(kinds.front() == K::refresh_begin);
	CHECK(std::count(kinds.begin(), kinds.end(), K::refresh_begin) == 2);
	CHECK(std::count(kinds.begin(), kinds.end(), K::refresh_end) == 2);
	CHECK(kinds.back() == K::refresh_end);

	routes::BmpStream b;
	const auto w = events_of("withdraw.bin", b);
	REQUIRE(w.size() == 2);
	CHECK(describe(w[0]) == "-2516:1:172.17.0.0/16; ");
	CHECK(describe(w[1]) == "-2516:1:2001:db8:99::/48; ");

	routes::BmpStream c;
	kinds.clear();
	for (const auto& e : events_of("session-reset.bin", c)) {
		kinds.push_back(e.kind);
	}
	REQUIRE(kinds.size() >= 4);
	CHECK(kinds[0] == K::peer_down);
	CHECK(std::count(kinds.begin(), kinds.end(), K::peer_up) == 1);
	CHECK(std::count(kinds.begin(), kinds.end(), K::end_of_rib) == 2);
}

TEST_CASE("bmp: the listener takes connections from bgpd's user only")
{
	for (const bool ours : {true, false}) {
		std::string err;
		const uid_t allowed = ours ? getuid() : getuid() + 4242;
		auto l = routes::BmpListener::open("127.0.0.1", 0, err, allowed);
		REQUIRE(l);
		const int s = socket(AF_INET, SOCK_STREAM, 0);
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_port = htons(l->port());
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		REQUIRE(connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
		const auto init = test::bmp_initiation();
		REQUIRE(write(s, init.data(), init.size()) == ssize_t(init.size()));
		routes::BmpListener::Batch b;
		for (int i = 0; i < 100 && !b.connected && l->counters().refused == 0; ++i) {
			usleep(10000);
			b = l->service();
		}
		CHECK(b.connected == ours);
		CHECK(l->counters().refused == (ours ? 0u : 1u));
		CHECK(l->connections() == (ours ? 1u : 0u));
		close(s);
	}
}

TEST_CASE("bmp: IPv4 unicast in the UPDATE's own fields: NLRI, NEXT_HOP and withdrawn routes")
{
	auto d = decode(
	    test::bmp_mirror(kLink,
	                     test::ipv4_update({"172.20.0.0/16", "10.9.9.0/23", "0.0.0.0/0"}, kLink,
	                                       {"172.21.0.0/16", "192.0.2.128/25"}, {64500, 2516}),
	                     64500));
	REQUIRE(d.skip == Skip::none);
	REQUIRE(d.events.size() == 1);
	const Event& e = d.events[0];
	CHECK(e.kind == Event::Kind::update);
	CHECK(e.family == routes::Family::ipv4);
	CHECK(config::to_string(e.peer.address) == kLink);
	CHECK(e.peer.distinguisher == 0);
	CHECK(e.peer.asn == 64500);
	REQUIRE(e.withdrawn.size() == 2);
	CHECK(e.withdrawn[0].prefix == prefix("172.21.0.0/16"));
	CHECK(e.withdrawn[0].rd == 0);
	CHECK(e.withdrawn[1].prefix == prefix("192.0.2.128/25"));
	REQUIRE(e.reach.size() == 3);
	CHECK(e.reach[0].key.prefix == prefix("172.20.0.0/16"));
	CHECK(e.reach[0].key.rd == 0);
	CHECK(e.reach[0].labels.empty());
	CHECK(e.reach[0].route_targets.empty());
	CHECK(e.reach[0].as_path == std::vector<uint32_t>{64500, 2516});
	CHECK(config::to_string(e.reach[0].next_hop) == kLink);
	// The bits past the length mean nothing: the prefix is keyed without them.
	CHECK(e.reach[1].key.prefix == prefix("10.9.8.0/23"));
	CHECK(e.reach[2].key.prefix == prefix("0.0.0.0/0"));
	CHECK(config::to_string(e.reach[2].next_hop) == kLink);

	// Withdrawn routes alone: no attributes needed.
	d = decode(test::bmp_mirror(kLink, test::ipv4_update({}, "", {"172.20.0.0/16"})));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].family == routes::Family::ipv4);
	CHECK(d.events[0].reach.empty());
	REQUIRE(d.events[0].withdrawn.size() == 1);
	CHECK(d.events[0].withdrawn[0].prefix == prefix("172.20.0.0/16"));
}

TEST_CASE("bmp: IPv6 unicast MP_REACH_NLRI takes the global next hop; MP_UNREACH_NLRI")
{
	// Global and link-local (32 bytes): the global.
	auto d = decode(
	    test::bmp_mirror(kLink, test::ipv6_update({"2001:db8:20::/48", "2001:db8:21:8000::/49"},
	                                              "2001:db8:ff::2", "fe80::2")));
	REQUIRE(d.skip == Skip::none);
	REQUIRE(d.events.size() == 1);
	const Event& e = d.events[0];
	CHECK(e.kind == Event::Kind::update);
	CHECK(e.family == routes::Family::ipv6);
	REQUIRE(e.reach.size() == 2);
	CHECK(e.reach[0].key.prefix == prefix("2001:db8:20::/48"));
	CHECK(e.reach[0].key.rd == 0);
	CHECK(e.reach[0].labels.empty());
	CHECK(e.reach[0].as_path == std::vector<uint32_t>{2516});
	CHECK(config::to_string(e.reach[0].next_hop) == "2001:db8:ff::2");
	CHECK(e.reach[1].key.prefix == prefix("2001:db8:21:8000::/49"));
	CHECK(config::to_string(e.reach[1].next_hop) == "2001:db8:ff::2");
	// The global alone (16 bytes).
	d = decode(
	    test::bmp_mirror(kLink, test::ipv6_update({"2001:db8:20::/48"}, "2001:db8:ff::3")));
	CHECK(config::to_string(d.events.at(0).reach.at(0).next_hop) == "2001:db8:ff::3");
	// No global to give: the link-local.
	d = decode(
	    test::bmp_mirror(kLink, test::ipv6_update({"2001:db8:20::/48"}, "::", "fe80::2")));
	CHECK(config::to_string(d.events.at(0).reach.at(0).next_hop) == "fe80::2");

	d = decode(test::bmp_mirror(kLink, test::ipv6_withdraw({"2001:db8:20::/48", "::/0"})));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::update);
	CHECK(d.events[0].family == routes::Family::ipv6);
	CHECK(d.events[0].reach.empty());
	REQUIRE(d.events[0].withdrawn.size() == 2);
	CHECK(d.events[0].withdrawn[0].prefix == prefix("2001:db8:20::/48"));
	CHECK(d.events[0].withdrawn[1].prefix == prefix("::/0"));
}

TEST_CASE("bmp: unicast End-of-RIB and enhanced route refresh markers")
{
	// IPv4's: an UPDATE with nothing in it.
	auto d = decode(test::bmp_mirror(kLink, test::unicast_end_of_rib(false)));
	REQUIRE(d.skip == Skip::none);
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::end_of_rib);
	CHECK(d.events[0].family == routes::Family::ipv4);
	CHECK(config::to_string(d.events[0].peer.address) == kLink);
	d = decode(test::bmp_mirror(kLink, test::unicast_end_of_rib(true)));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::end_of_rib);
	CHECK(d.events[0].family == routes::Family::ipv6);

	d = decode(test::bmp_mirror(kLink, test::route_refresh(false, 1, 1)));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::refresh_begin);
	CHECK(d.events[0].family == routes::Family::ipv4);
	d = decode(test::bmp_mirror(kLink, test::route_refresh(true, 2, 1)));
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::refresh_end);
	CHECK(d.events[0].family == routes::Family::ipv6);
	// Multicast (SAFI 2) is no family of ours.
	d = decode(test::bmp_mirror(kLink, test::route_refresh(false, 1, 2)));
	CHECK(d.events.empty());
	CHECK(d.skip == Skip::unsupported_family);
	CHECK(routes::to_string(routes::Family::ipv6) == "IPv6");
	CHECK(routes::to_string(routes::Family::vpn4) == "VPNv4");
}

TEST_CASE("bmp: malformed unicast UPDATEs are refused with a reason")
{
	const auto good = test::ipv4_update({"172.20.0.0/16"}, kLink, {"172.21.0.0/16"});
	REQUIRE(decode(test::bmp_mirror(kLink, good)).skip == Skip::none);
	auto refused = [](const test::Bytes& bgp) {
		const auto d = decode(test::bmp_mirror(kLink, bgp));
		CHECK(d.skip == Skip::malformed);
		CHECK(d.events.empty());
		CHECK_FALSE(d.why.empty());
		return d.why;
	};
	// The NLRI's prefix length is its 3rd byte from the end (length, 2 bytes of prefix).
	auto bad = good;
	bad[bad.size() - 3] = 33;
	CHECK(refused(bad) == "IPv4 NLRI does not add up");
	// Longer than what is left of the message.
	bad = good;
	bad[bad.size() - 3] = 24;
	CHECK(refused(bad) == "IPv4 NLRI does not add up");
	// The withdrawn route's length: the first byte after the withdrawn routes' length.
	bad = good;
	bad[19 + 2] = 40;
	CHECK(refused(bad) == "withdrawn IPv4 prefix does not add up");
	// NLRI without a NEXT_HOP to go with it.
	CHECK(refused(test::ipv4_update({"172.20.0.0/16"}, "")) == "IPv4 NLRI without NEXT_HOP");
	// An IPv6 next hop of neither 16 nor 32 bytes: its length is the byte after the SAFI.
	bad = test::ipv6_update({"2001:db8:20::/48"}, "2001:db8:ff::2", "fe80::2");
	bad[kMpSafi + 1] = 24;
	CHECK(refused(bad) == "IPv6 next hop of 24 bytes");
	// An IPv6 prefix longer than 128 bits: the NLRI's length is 7th from the end.
	bad = test::ipv6_update({"2001:db8:20::/48"}, "2001:db8:ff::2");
	bad[bad.size() - 7] = 129;
	CHECK(refused(bad) == "IPv6 NLRI does not add up");

	std::mt19937 rng(11);
	const auto msg = test::bmp_mirror(kLink, good);
	for (int i = 0; i < 20000; ++i) {
		auto m = msg;
		const int flips = 1 + int(rng() % 4);
		for (int f = 0; f < flips; ++f) {
			m[6 + rng() % (m.size() - 6)] = uint8_t(rng());
		}
		const auto r = decode(m);
		for (const auto& e : r.events) {
			for (const auto& p : e.reach) {
				CHECK(p.key.prefix.length <= (p.key.prefix.addr.v6 ? 128 : 32));
			}
		}
	}
}
