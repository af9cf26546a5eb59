// EVPN routes as FRR mirrors them to the route feed, built for tests of the EVPN RIB and of
// what tsunagid makes of it (tests-evpn.cpp, tests-evpn-tables.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "common/config/values.hpp"
#include "control/routes/bmp.hpp"
#include "control/routes/evpn_rib.hpp"
#include "tests/unit/bmp_builder.hpp"

namespace tsunagi::test::evpn {

using routes::Event;
using routes::Skip;

inline const std::string kRr = "10.99.0.2";   // the session bgpd mirrors: a route reflector
inline const std::string kRr2 = "10.99.0.3";  // a second one, sending the same routes
inline const routes::ResyncTimers kHoldOnly{120000, 0};

inline routes::Decoded decode(const test::Bytes& bgp, const std::string& peer = kRr)
{
	const auto b = test::bmp_mirror(peer, bgp, 65000);
	return routes::decode_bmp(b.data(), b.size());
}

inline config::Mac mac(const std::string& s)
{
	return *config::parse_mac(s);
}

inline config::IpAddr ip(const std::string& s)
{
	return *config::parse_ip(s);
}

inline test::Bytes vxlan_ext(const std::string& rt = "65000:100")
{
	auto b = test::ext_rt(rt);
	const auto e = test::ext_encap(8);
	b.insert(b.end(), e.begin(), e.end());
	return b;
}

inline test::Bytes with(test::Bytes a, const test::Bytes& b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}

// A type-3 route of VNI `vni` from VTEP `vtep`, as FRR sends it.
inline test::Bytes flood_route(const std::string& vtep, uint32_t vni, const std::string& rd = "")
{
	return test::evpn_update({test::evpn_multicast(rd.empty() ? vtep + ":2" : rd, vtep)}, vtep,
	                         vxlan_ext(), test::pmsi(6, vni, vtep));
}

inline test::Bytes mac_route(const std::string& vtep, const std::string& m, uint32_t vni,
                             const test::Bytes& extra = {})
{
	return test::evpn_update({test::evpn_mac_ip("65000:" + std::to_string(vni), m, "", vni)},
	                         vtep, with(vxlan_ext(), extra));
}

inline void feed(routes::EvpnRib& rib, const test::Bytes& bgp, const std::string& peer = kRr)
{
	const auto d = decode(bgp, peer);
	REQUIRE(d.skip == Skip::none);
	for (const auto& e : d.events) {
		rib.apply(e);
	}
}

inline Event session(Event::Kind k, const std::string& peer = kRr)
{
	Event e;
	e.kind = k;
	e.peer = {ip(peer), 0, 65000};
	return e;
}

}  // namespace tsunagi::test::evpn
