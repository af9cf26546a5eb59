// BGP EVPN from the route feed: route types 2, 3 and 5 and their attributes decoded from
// mirrored UPDATEs, bad input refused, and the EVPN RIB's flood lists, MAC mobility, type-5
// prefixes and stale sweeping. That the VPN side leaves EVPN alone: tests-vpn-rib.cpp,
// tests-feed-sync.cpp.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "common/config/values.hpp"
#include "control/routes/bmp.hpp"
#include "control/routes/evpn_rib.hpp"
#include "tests/unit/evpn_routes.hpp"

using namespace tsunagi;
using routes::Event;
using routes::Skip;

using namespace tsunagi::test::evpn;

// RFC 7432 §7.2 and RFC 9135 §8.1, byte for byte: RD type 1 (192.0.2.1:2), ESI 0, tag 0,
// MAC 02:aa:00:00:01:01, IPv4 10.1.0.77, label 1 = L2 VNI 100, label 2 = L3 VNI 2000; route
// target 65000:100, VXLAN encapsulation, sticky MAC mobility sequence 5, router's MAC.
TEST_CASE("evpn: a type-2 MAC/IP UPDATE, byte for byte", "[evpn]")
{
	const test::Bytes update = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x77, 0x02,  // marker, length 119, UPDATE
	    0x00, 0x00, 0x00, 0x60,  // no withdrawn routes, 96 bytes of attributes
	    0x40, 0x01, 0x01, 0x00,  // ORIGIN IGP
	    0x40, 0x02, 0x00,        // AS_PATH empty
	    0xc0, 0x10, 0x20,        // extended communities, 32 bytes
	    0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64,        // RT 65000:100
	    0x03, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,        // encapsulation: VXLAN
	    0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05,        // MAC mobility: sticky, seq 5
	    0x06, 0x03, 0x02, 0x00, 0x00, 0x00, 0xaa, 0x01,        // router's MAC
	    0x80, 0x0e, 0x33,                                      // MP_REACH_NLRI, 51 bytes
	    0x00, 0x19, 0x46, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x00,  // AFI 25 SAFI 70, VTEP
	    0x02, 0x28,                                            // type 2, 40 bytes
	    0x00, 0x01, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x02,        // RD 192.0.2.1:2
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ESI
	    0x00, 0x00, 0x00, 0x00,                                      // Ethernet tag
	    0x30, 0x02, 0xaa, 0x00, 0x00, 0x01, 0x01,                    // MAC
	    0x20, 0x0a, 0x01, 0x00, 0x4d,                                // IP
	    0x00, 0x00, 0x64, 0x00, 0x07, 0xd0,                          // VNIs 100, 2000
	};
	const auto d = decode(update);
	REQUIRE(d.skip == Skip::none);
	REQUIRE(d.events.size() == 1);
	const Event& e = d.events[0];
	CHECK(e.kind == Event::Kind::update);
	CHECK(e.family == routes::Family::evpn);
	CHECK(e.reach.empty());
	REQUIRE(e.evpn_reach.size() == 1);
	const auto& p = e.evpn_reach[0];
	CHECK(p.key.type == 2);
	CHECK(routes::rd_string(p.key.rd) == "192.0.2.1:2");
	CHECK(p.key.tag == 0);
	CHECK(p.key.mac == mac("02:aa:00:00:01:01"));
	CHECK(p.key.ip == *config::parse_prefix("10.1.0.77/32"));
	CHECK(p.vni == 100);
	CHECK(p.l3_vni == 2000u);
	CHECK(p.next_hop == ip("192.0.2.1"));
	CHECK(p.route_targets == std::vector<std::string>{"65000:100"});
	CHECK(p.attrs.encaps == std::vector<uint16_t>{8});
	CHECK(p.attrs.mobility == routes::MacMobility{true, 5});
	CHECK(p.attrs.router_mac == mac("02:00:00:00:aa:01"));
	CHECK_FALSE(p.attrs.pmsi);
	// The test builder lays the same route out the same way.
	const test::Bytes built =
	    test::evpn_mac_ip("65000:100", "02:aa:00:00:01:01", "10.1.0.77", 100, 2000);
	const test::Bytes nlri(update.end() - 42, update.end());
	CHECK(test::Bytes(built.begin() + 10, built.end()) ==
	      test::Bytes(nlri.begin() + 10, nlri.end()));
}

TEST_CASE("evpn: type 2 without IP, with IPv6, with an ESI and tag, from an IPv6 VTEP", "[evpn]")
{
	const auto d = decode(test::evpn_update(
	    {test::evpn_mac_ip("65000:100", "02:aa:00:00:01:02", "", 100),
	     test::evpn_mac_ip("65000:100", "02:aa:00:00:01:02", "2001:db8:1::77", 100, -1, 7, 1)},
	    "2001:db8:ff::1", vxlan_ext()));
	REQUIRE(d.skip == Skip::none);
	const auto& r = d.events.at(0).evpn_reach;
	REQUIRE(r.size() == 2);
	CHECK(r[0].key.ip.length == 0);
	CHECK_FALSE(r[0].l3_vni);
	CHECK_FALSE(r[0].attrs.mobility);
	CHECK(r[1].key.ip == *config::parse_prefix("2001:db8:1::77/128"));
	CHECK(r[1].key.tag == 7);
	CHECK(r[1].esi[0] == 1);
	CHECK(r[0].next_hop == ip("2001:db8:ff::1"));
	CHECK(r[0].key < r[1].key);
}

TEST_CASE("evpn: type-3 routes with their PMSI tunnel, IPv4 and IPv6", "[evpn]")
{
	auto d = decode(flood_route("192.0.2.1", 100));
	REQUIRE(d.skip == Skip::none);
	const auto& p = d.events.at(0).evpn_reach.at(0);
	CHECK(p.key.type == 3);
	CHECK(routes::rd_string(p.key.rd) == "192.0.2.1:2");
	CHECK(p.key.ip == *config::parse_prefix("192.0.2.1/32"));
	REQUIRE(p.attrs.pmsi);
	CHECK(p.attrs.pmsi->tunnel_type == 6);
	CHECK(p.attrs.pmsi->vni == 100);
	CHECK(p.attrs.pmsi->tunnel_id == ip("192.0.2.1"));
	d = decode(test::evpn_update({test::evpn_multicast("65000:7", "2001:db8::7", 5)},
	                             "2001:db8::7", vxlan_ext(), test::pmsi(6, 7, "2001:db8::7")));
	REQUIRE(d.skip == Skip::none);
	const auto& q = d.events.at(0).evpn_reach.at(0);
	CHECK(q.key.ip == *config::parse_prefix("2001:db8::7/128"));
	CHECK(q.key.tag == 5);
	CHECK(q.attrs.pmsi->tunnel_id == ip("2001:db8::7"));
}

TEST_CASE("evpn: type-5 prefixes, IPv4 and IPv6, gateway and host bits", "[evpn]")
{
	const auto d = decode(test::evpn_update(
	    {test::evpn_prefix("192.0.2.9:3000", "10.70.0.0/24", "0.0.0.0", 3000),
	     test::evpn_prefix("192.0.2.9:3000", "10.71.0.255/24", "10.71.0.1", 3000),
	     test::evpn_prefix("192.0.2.9:3000", "2001:db8:70::/48", "::", 3000)},
	    "192.0.2.9", with(vxlan_ext("65000:3000"), test::ext_router_mac("02:00:00:00:70:01"))));
	REQUIRE(d.skip == Skip::none);
	const auto& r = d.events.at(0).evpn_reach;
	REQUIRE(r.size() == 3);
	CHECK(r[0].key.type == 5);
	CHECK(r[0].key.ip == *config::parse_prefix("10.70.0.0/24"));
	CHECK_FALSE(r[0].gateway);
	CHECK(r[0].vni == 3000);
	CHECK(r[0].attrs.router_mac == mac("02:00:00:00:70:01"));
	CHECK(r[1].key.ip == *config::parse_prefix("10.71.0.0/24"));  // host bits cleared
	CHECK(r[1].gateway == ip("10.71.0.1"));
	CHECK(r[2].key.ip == *config::parse_prefix("2001:db8:70::/48"));
}

TEST_CASE("evpn: withdrawals, End-of-RIB and route refresh markers of L2VPN EVPN", "[evpn]")
{
	auto d = decode(test::evpn_withdraw(
	    {test::evpn_mac_ip("65000:100", "02:aa:00:00:01:01", "10.1.0.77", 100),
	     test::evpn_multicast("192.0.2.1:2", "192.0.2.1")}));
	REQUIRE(d.skip == Skip::none);
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].family == routes::Family::evpn);
	REQUIRE(d.events[0].evpn_withdrawn.size() == 2);
	CHECK(d.events[0].evpn_withdrawn[0].mac == mac("02:aa:00:00:01:01"));
	CHECK(d.events[0].evpn_withdrawn[1].type == 3);
	CHECK(d.events[0].evpn_reach.empty());

	d = decode(test::evpn_end_of_rib());
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::end_of_rib);
	CHECK(d.events[0].family == routes::Family::evpn);
	CHECK(routes::to_string(routes::Family::evpn) == "L2VPN EVPN");

	const test::Bytes borr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                          0x00, 0x17, 0x05, 0x00, 0x19, 0x01, 0x46};
	d = decode(borr);
	REQUIRE(d.events.size() == 1);
	CHECK(d.events[0].kind == Event::Kind::refresh_begin);
	CHECK(d.events[0].family == routes::Family::evpn);
}

TEST_CASE("evpn: route types the feed does not use are skipped and counted", "[evpn]")
{
	// Type 1 (Ethernet auto-discovery, 25 bytes) and type 4 (Ethernet segment, 23 bytes)
	// around a type 3: the lengths step over them.
	test::Bytes ad{1, 25};
	ad.insert(ad.end(), 25, 0);
	test::Bytes es{4, 23};
	es.insert(es.end(), 23, 0);
	const auto d =
	    decode(test::evpn_update({ad, test::evpn_multicast("192.0.2.1:2", "192.0.2.1"), es},
	                             "192.0.2.1", vxlan_ext(), test::pmsi(6, 100, "192.0.2.1")));
	REQUIRE(d.skip == Skip::none);
	CHECK(d.events.at(0).evpn_unknown == 2);
	CHECK(d.events[0].evpn_reach.size() == 1);
	const auto w = decode(test::evpn_withdraw({ad}));
	REQUIRE(w.skip == Skip::none);
	CHECK(w.events.at(0).evpn_unknown == 1);

	routes::EvpnRib rib;
	for (const auto& e : d.events) {
		rib.apply(e);
	}
	CHECK(rib.counters().unknown_type == 2);
	CHECK(rib.paths() == 1);
}

TEST_CASE("evpn: malformed routes and attributes are refused with a reason", "[evpn]")
{
	auto why = [](const test::Bytes& bgp) {
		const auto d = decode(bgp);
		CHECK(d.skip == Skip::malformed);
		CHECK(d.events.empty());
		return d.why;
	};
	const auto ext = vxlan_ext();
	auto t2 = test::evpn_mac_ip("65000:100", "02:aa:00:00:01:01", "10.1.0.77", 100);
	auto bad_mac = t2;
	bad_mac[2 + 22] = 40;
	CHECK(why(test::evpn_update({bad_mac}, "192.0.2.1", ext)) ==
	      "EVPN type-2 route of 37 bytes: MAC length 40 bits");
	auto bad_ip = t2;
	bad_ip[2 + 29] = 24;
	CHECK(why(test::evpn_update({bad_ip}, "192.0.2.1", ext)) ==
	      "EVPN type-2 route of 37 bytes: IP length 24 bits");
	auto short_labels = t2;
	short_labels[1] = 35;  // label 1 cut short
	short_labels.pop_back();
	short_labels.pop_back();
	CHECK(why(test::evpn_update({short_labels}, "192.0.2.1", ext)) ==
	      "EVPN type-2 route of 35 bytes: labels do not add up");
	auto runs_past = t2;
	runs_past[1] = 60;
	CHECK(why(test::evpn_update({runs_past}, "192.0.2.1", ext)) ==
	      "EVPN route of type 2 runs past the NLRI");
	CHECK(why(test::evpn_withdraw({runs_past})) ==
	      "withdrawn EVPN route of type 2 runs past the NLRI");
	auto t5 = test::evpn_prefix("65000:1", "10.70.0.0/24", "0.0.0.0", 3000);
	t5[2 + 22] = 33;
	CHECK(why(test::evpn_update({t5}, "192.0.2.1", ext)) ==
	      "EVPN type-5 route of 34 bytes: prefix length 33");
	auto t5_len = test::evpn_prefix("65000:1", "10.70.0.0/24", "0.0.0.0", 3000);
	t5_len[1] = 33;
	t5_len.pop_back();
	CHECK(why(test::evpn_update({t5_len}, "192.0.2.1", ext)) ==
	      "EVPN type-5 route of 33 bytes: length not 34 or 58");
	auto t3 = test::evpn_multicast("65000:1", "192.0.2.1");
	t3[2 + 12] = 0;
	CHECK(why(test::evpn_update({t3}, "192.0.2.1", ext)) ==
	      "EVPN type-3 route of 17 bytes: originating router's IP of 0 bits in 4 bytes");
	const test::Bytes tiny{3, 4, 0, 0, 0, 0};
	CHECK(why(test::evpn_update({tiny}, "192.0.2.1", ext)) ==
	      "EVPN type-3 route of 4 bytes: shorter than its originating router's IP");
	CHECK(why(test::evpn_update({test::evpn_multicast("65000:1", "192.0.2.1")}, "192.0.2.1",
	                            ext, {0, 6, 0, 0})) ==
	      "PMSI tunnel attribute shorter than 5 bytes");
	// A VTEP next hop of 5 bytes.
	auto nh =
	    test::evpn_update({test::evpn_multicast("65000:1", "192.0.2.1")}, "192.0.2.1", ext);
	const size_t at = nh.size() - 19 - 6;  // the next hop's length, before the NLRI
	REQUIRE(nh[at] == 4);
	nh[at] = 5;
	CHECK(why(nh).find("next hop of 5 bytes") != std::string::npos);
}

TEST_CASE("evpn rib: flood lists from type-3 routes, VXLAN and ingress replication only", "[evpn]")
{
	routes::EvpnRib rib;
	feed(rib, flood_route("192.0.2.1", 100));
	feed(rib, flood_route("192.0.2.2", 100));
	feed(rib, flood_route("192.0.2.2", 200, "192.0.2.2:3"));  // an RD per VNI, as FRR
	feed(rib, flood_route("192.0.2.1", 100), kRr2);  // the same VTEP through a second RR
	auto c = rib.take_changed();
	CHECK(c.flood == std::vector<uint32_t>{100, 200});
	CHECK(rib.flood(100) == std::vector<config::IpAddr>{ip("192.0.2.1"), ip("192.0.2.2")});
	CHECK(rib.flood(200) == std::vector<config::IpAddr>{ip("192.0.2.2")});
	CHECK(rib.flood(300).empty());
	// MPLS encapsulation, or a PMSI other than ingress replication: kept, not used.
	feed(rib, test::evpn_update({test::evpn_multicast("192.0.2.3:2", "192.0.2.3")}, "192.0.2.3",
	                            test::ext_rt("65000:100"), test::pmsi(6, 100, "192.0.2.3")));
	feed(rib, test::evpn_update({test::evpn_multicast("192.0.2.4:2", "192.0.2.4")}, "192.0.2.4",
	                            vxlan_ext(), test::pmsi(3, 100, "192.0.2.4")));
	CHECK(rib.take_changed().empty());
	CHECK(rib.counters().not_vxlan == 1);
	CHECK(rib.counters().unusable == 1);
	CHECK(rib.paths() == 6);
	// One RR withdraws: the VTEP stays, as the other still sends it.
	feed(rib, test::evpn_withdraw({test::evpn_multicast("192.0.2.1:2", "192.0.2.1")}));
	CHECK(rib.flood(100).size() == 2);
	feed(rib, test::evpn_withdraw({test::evpn_multicast("192.0.2.1:2", "192.0.2.1")}), kRr2);
	CHECK(rib.flood(100) == std::vector<config::IpAddr>{ip("192.0.2.2")});
	CHECK(rib.take_changed().flood == std::vector<uint32_t>{100});
	CHECK(rib.slots() == std::array<size_t, 3>{2, 0, 0});
}

TEST_CASE("evpn rib: MAC mobility: sequence, sticky, then the lowest VTEP", "[evpn]")
{
	routes::EvpnRib rib;
	const auto m = mac("02:aa:00:00:01:01");
	const std::string ms = "02:aa:00:00:01:01";
	feed(rib, mac_route("192.0.2.2", ms, 100));
	CHECK(rib.take_changed().macs == std::vector<std::pair<uint32_t, config::Mac>>{{100, m}});
	CHECK(rib.mac(100, m)->vtep == ip("192.0.2.2"));
	CHECK_FALSE(rib.mac(200, m));
	// The MAC moved to 192.0.2.3, which says so with sequence 1.
	feed(rib, test::evpn_update({test::evpn_mac_ip("192.0.2.3:2", ms, "", 100)}, "192.0.2.3",
	                            with(vxlan_ext(), test::ext_mobility(false, 1))));
	CHECK(rib.mac(100, m)->vtep == ip("192.0.2.3"));
	CHECK(rib.mac(100, m)->seq == 1);
	// Equal sequence numbers: the lower VTEP address wins.
	feed(rib, test::evpn_update({test::evpn_mac_ip("192.0.2.1:2", ms, "", 100)}, "192.0.2.1",
	                            with(vxlan_ext(), test::ext_mobility(false, 1))));
	CHECK(rib.mac(100, m)->vtep == ip("192.0.2.1"));
	// A higher sequence number wins again...
	feed(rib, test::evpn_update({test::evpn_mac_ip("192.0.2.3:2", ms, "", 100)}, "192.0.2.3",
	                            with(vxlan_ext(), test::ext_mobility(false, 2))));
	CHECK(rib.mac(100, m)->vtep == ip("192.0.2.3"));
	// ...but never over a sticky MAC, whatever its sequence number.
	feed(rib, test::evpn_update({test::evpn_mac_ip("192.0.2.4:2", ms, "", 100)}, "192.0.2.4",
	                            with(vxlan_ext(), test::ext_mobility(true, 0))));
	CHECK(rib.mac(100, m)->vtep == ip("192.0.2.4"));
	CHECK(rib.mac(100, m)->sticky);
	feed(rib, test::evpn_update({test::evpn_mac_ip("192.0.2.3:2", ms, "", 100)}, "192.0.2.3",
	                            with(vxlan_ext(), test::ext_mobility(false, 9))));
	CHECK(rib.mac(100, m)->vtep == ip("192.0.2.4"));
	// The sticky one withdrawn: the highest sequence is next.
	feed(rib, test::evpn_withdraw({test::evpn_mac_ip("192.0.2.4:2", ms, "", 100)}));
	CHECK(rib.mac(100, m)->vtep == ip("192.0.2.3"));
	CHECK(rib.mac(100, m)->seq == 9);
	// A MAC+IP route from the winner adds its address and L3 VNI.
	feed(rib, test::evpn_update({test::evpn_mac_ip("192.0.2.3:2", ms, "10.1.0.77", 100, 2000)},
	                            "192.0.2.3", with(vxlan_ext(), test::ext_mobility(false, 9))));
	CHECK(rib.mac(100, m)->ips == std::vector<config::IpAddr>{ip("10.1.0.77")});
	CHECK(rib.mac(100, m)->l3_vni == 2000u);
	CHECK(rib.take_changed().macs.size() == 1);
	for (const auto* vtep : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
		const auto rd = std::string(vtep) + ":2";
		feed(rib, test::evpn_withdraw({test::evpn_mac_ip(rd, ms, "", 100),
		                               test::evpn_mac_ip(rd, ms, "10.1.0.77", 100)}));
	}
	feed(rib, test::evpn_withdraw({test::evpn_mac_ip("65000:100", ms, "", 100)}));
	CHECK_FALSE(rib.mac(100, m));
	CHECK(rib.paths() == 0);
	CHECK(rib.slots() == std::array<size_t, 3>{0, 0, 0});
}

TEST_CASE("evpn rib: type-5 prefixes per L3 VNI with VTEP and router MAC", "[evpn]")
{
	routes::EvpnRib rib;
	const auto rmac1 = test::ext_router_mac("02:00:00:00:70:01");
	const auto rmac2 = test::ext_router_mac("02:00:00:00:70:02");
	feed(rib, test::evpn_update(
	              {test::evpn_prefix("192.0.2.9:3000", "10.70.0.0/24", "0.0.0.0", 3000)},
	              "192.0.2.9", with(vxlan_ext(), rmac1)));
	feed(rib, test::evpn_update(
	              {test::evpn_prefix("192.0.2.8:3000", "10.70.0.0/24", "0.0.0.0", 3000)},
	              "192.0.2.8", with(vxlan_ext(), rmac2)));
	// Without router MAC, or with a gateway address (interface-ful): not used.
	feed(rib, test::evpn_update(
	              {test::evpn_prefix("192.0.2.7:3000", "10.70.0.0/24", "0.0.0.0", 3000)},
	              "192.0.2.7", vxlan_ext()));
	feed(rib, test::evpn_update(
	              {test::evpn_prefix("192.0.2.6:3000", "10.70.0.0/24", "10.70.0.6", 3000)},
	              "192.0.2.6", with(vxlan_ext(), rmac1)));
	const auto p = *config::parse_prefix("10.70.0.0/24");
	const auto c = rib.take_changed();
	CHECK(c.prefixes == std::vector<std::pair<uint32_t, config::IpPrefix>>{{3000, p}});
	const auto hops = rib.prefix(3000, p);
	REQUIRE(hops.size() == 2);
	CHECK(hops[0] == routes::PrefixHop{ip("192.0.2.8"), mac("02:00:00:00:70:02")});
	CHECK(hops[1] == routes::PrefixHop{ip("192.0.2.9"), mac("02:00:00:00:70:01")});
	CHECK(rib.prefix(3001, p).empty());
	CHECK(rib.counters().unusable == 2);
}

TEST_CASE("evpn rib: a session's paths go stale and End-of-RIB sweeps what it did not resend",
          "[evpn]")
{
	routes::EvpnRib rib;
	const std::string ms = "02:aa:00:00:01:01";
	feed(rib, flood_route("192.0.2.1", 100));
	feed(rib, flood_route("192.0.2.2", 100));
	feed(rib, mac_route("192.0.2.1", ms, 100));
	rib.take_changed();
	rib.tick(1000, kHoldOnly);
	rib.apply(session(Event::Kind::peer_down));
	rib.apply(session(Event::Kind::peer_up));
	// Nothing goes while the session is away and sends its table again.
	CHECK(rib.take_changed().empty());
	CHECK(rib.flood(100).size() == 2);
	feed(rib, flood_route("192.0.2.1", 100));
	feed(rib, mac_route("192.0.2.1", ms, 100));
	CHECK(rib.take_changed().empty());  // resent unchanged: nothing to rewrite
	// A VPN End-of-RIB is not EVPN's.
	feed(rib, test::vpn_end_of_rib(false));
	CHECK(rib.flood(100).size() == 2);
	feed(rib, test::evpn_end_of_rib());
	CHECK(rib.flood(100) == std::vector<config::IpAddr>{ip("192.0.2.1")});
	CHECK(rib.take_changed().flood == std::vector<uint32_t>{100});
	CHECK(rib.counters().swept == 1);
	CHECK(rib.tick(2000, kHoldOnly).empty());
	// A session that never sent EVPN has no clock here.
	rib.apply(session(Event::Kind::peer_up, kRr2));
	CHECK(rib.tick(200000, {120000, 1000}).empty());
}

TEST_CASE("evpn rib: the stale hold, settling without markers, the feed restarting", "[evpn]")
{
	routes::EvpnRib rib;
	const auto m = mac("02:aa:00:00:01:01");
	feed(rib, flood_route("192.0.2.1", 100));
	feed(rib, mac_route("192.0.2.1", "02:aa:00:00:01:01", 100));
	rib.tick(1000, kHoldOnly);
	rib.apply(session(Event::Kind::peer_down));
	CHECK(rib.tick(120999, kHoldOnly).empty());
	const auto swept = rib.tick(121000, kHoldOnly);
	REQUIRE(swept.size() == 1);
	CHECK(swept[0].due == routes::Resync::Due::sweep);
	CHECK(swept[0].swept == 2);
	CHECK(rib.paths() == 0);
	auto c = rib.take_changed();
	CHECK(c.flood.size() == 1);
	CHECK(c.macs.size() == 1);

	// A session without End-of-RIB: quiet for the settle time after resending settles it.
	const routes::ResyncTimers settle{120000, 1000};
	feed(rib, flood_route("192.0.2.1", 100));
	feed(rib, mac_route("192.0.2.1", "02:aa:00:00:01:01", 100));
	rib.tick(200000, settle);
	rib.mark_all_stale();
	feed(rib, flood_route("192.0.2.1", 100));
	CHECK(rib.tick(200999, settle).empty());
	const auto settled = rib.tick(201000, settle);
	REQUIRE(settled.size() == 1);
	CHECK(settled[0].due == routes::Resync::Due::settled);
	CHECK(settled[0].swept == 1);
	CHECK_FALSE(rib.mac(100, m));
	CHECK(rib.flood(100).size() == 1);
	CHECK(rib.counters().settled == 1);
	// A session that sends nothing after the feed restarts is not asked again: the feed
	// already asked every session for a refresh.
	rib.mark_all_stale();
	CHECK(rib.tick(203000, settle).empty());
	// After a session event it is asked once.
	rib.apply(session(Event::Kind::peer_up));
	const auto asked = rib.tick(205000, settle);
	REQUIRE(asked.size() == 1);
	CHECK(asked[0].due == routes::Resync::Due::refresh);
	CHECK(rib.counters().refreshes == 1);
}

// Captured from FRR 8.4.4 (`bmp mirror`, docs/evpn.md): a node's bgpd mirroring what its
// iBGP peer 10.99.19.2 (VTEP 192.0.2.2, L2 VNI 100, L3 VNI 2000 in the default VRF) sent:
// type 3 and type 5 at session up, then MACs added on the peer (static, static sticky, one
// with an ARP entry, one moved there from the node), one deleted, and `clear bgp *` on the
// peer: down, up, the table again, End-of-RIB.
TEST_CASE("evpn: FRR 8.4's mirrored EVPN stream, decoded and kept", "[evpn]")
{
	std::ifstream in(std::string(TSUNAGI_TEST_DATA) + "/evpn/frr-8.4-mirror.bin",
	                 std::ios::binary);
	REQUIRE(in);
	const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
	routes::BmpStream s;
	s.feed(bytes.data(), bytes.size());
	routes::EvpnRib rib;
	size_t reach = 0, withdrawn = 0, eors = 0, downs = 0, ups = 0;
	while (auto m = s.next()) {
		const auto d = routes::decode_bmp(m->data(), m->size());
		REQUIRE(d.skip != Skip::malformed);
		for (const auto& e : d.events) {
			rib.apply(e);
			reach += e.evpn_reach.size();
			withdrawn += e.evpn_withdrawn.size();
			eors += e.kind == Event::Kind::end_of_rib ? 1 : 0;
			downs += e.kind == Event::Kind::peer_down ? 1 : 0;
			ups += e.kind == Event::Kind::peer_up ? 1 : 0;
			CHECK((e.kind != Event::Kind::update || e.family == routes::Family::evpn));
		}
	}
	CHECK(s.buffered() == 0);
	CHECK_FALSE(s.broken());
	CHECK(reach == 13);
	CHECK(withdrawn == 1);
	CHECK(eors == 2);
	// bgpd reports a down for every connection attempt that fails and for the loser of a
	// collision (docs/frr.md): two before the first session, three around the reset.
	CHECK(ups == 3);
	CHECK(downs == 5);
	CHECK(rib.counters().unknown_type == 0);
	CHECK(rib.counters().not_vxlan == 0);
	CHECK(rib.counters().swept == 0);  // everything was sent again

	const auto vtep = ip("192.0.2.2");
	CHECK(rib.flood(100) == std::vector<config::IpAddr>{vtep});
	CHECK_FALSE(rib.mac(100, mac("02:aa:00:00:01:01")));  // deleted on the peer
	const auto sticky = rib.mac(100, mac("02:aa:00:00:01:02"));
	REQUIRE(sticky);
	CHECK(sticky->vtep == vtep);
	CHECK(sticky->sticky);
	const auto with_ip = rib.mac(100, mac("02:aa:00:00:01:03"));
	REQUIRE(with_ip);
	CHECK(with_ip->ips == std::vector<config::IpAddr>{ip("10.1.0.77")});
	CHECK(with_ip->l3_vni == 2000u);
	const auto moved = rib.mac(100, mac("02:aa:00:00:01:04"));
	REQUIRE(moved);
	CHECK(moved->seq == 1);
	CHECK_FALSE(moved->sticky);
	const auto hops = rib.prefix(2000, *config::parse_prefix("10.52.1.0/24"));
	REQUIRE(hops.size() == 1);
	CHECK(hops[0].vtep == vtep);
	CHECK(hops[0].router_mac == mac("ae:34:b5:0f:be:6b"));
	CHECK(rib.slots() == std::array<size_t, 3>{1, 3, 1});
}
