// Route import: VPN routes by route target into the peer's tenants, Option-A links' unicast
// routes into their own tenant, ECMP, stale paths and End-of-RIB.
#include <catch2/catch.hpp>

#include "common/config/loader.hpp"
#include "common/config/values.hpp"
#include "control/routes/vpn_rib.hpp"

using namespace tsunagi;
using routes::Event;
using routes::TenantPrefix;

namespace {

// The graceful-restart timer alone: no settling by quiet.
const routes::ResyncTimers kHoldOnly{120000, 0};

const char* kConfig = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1 }
ports:
  - { name: a0, role: access, device: "net_null0" }
  - { name: ix0, role: interconnect, device: "net_null1", address: 203.0.113.2/30 }
  - { name: ix1, role: interconnect, device: "net_null2", address: 203.0.114.2/30 }
  - { name: ix2, role: interconnect, device: "net_null3" }
  - { name: ix3, role: interconnect, device: "net_null4" }
tenants:
  - name: red
    vni: 1
    hybrid_vlan: 3001
    attachments: [ { port: a0, vlan: 10 } ]
    vrf: { rd: "65000:1", route_targets: { import: ["2516:1001"], export: ["65000:1"] },
           gateway: [10.1.0.1/24] }
  - name: blue
    vni: 2
    hybrid_vlan: 3002
    attachments: [ { port: a0, vlan: 20 } ]
    vrf: { rd: "65000:2", route_targets: { import: ["2516:1002"], export: ["65000:2"] },
           gateway: [10.1.0.1/24] }
  - name: green
    vni: 3
    hybrid_vlan: 3003
    attachments: [ { port: a0, vlan: 30 } ]
    vrf: { rd: "65000:3", route_targets: { import: ["2516:1001"], export: ["65000:3"] },
           gateway: [10.3.0.1/24] }
peers:
  - { name: kddi, option: B, port: ix0, address: 203.0.113.1, asn: 2516, tenants: [red, blue] }
  - { name: ntt, option: B, port: ix1, address: 203.0.114.1, asn: 2914, tenants: [red] }
  - name: iij
    option: A
    port: ix2
    asn: 2497
    vrfs: [ { tenant: red, vlan: 801, address: 172.31.0.1/30, neighbor: 172.31.0.2 },
            { tenant: blue, vlan: 802, address: 172.31.0.5/30, neighbor: 172.31.0.6 } ]
  # Reuses iij's red /30 on another port, for green: only the AS tells the two apart.
  - name: sbb
    option: A
    port: ix3
    asn: 17676
    vrfs: [ { tenant: green, vlan: 801, address: 172.31.0.1/30, neighbor: 172.31.0.2 } ]
)";

config::Config load()
{
	auto r = config::load_string(kConfig, "rib.yaml");
	if (!r.config) {
		for (const auto& e : r.errors) {
			FAIL(e.to_string());
		}
	}
	return *r.config;
}

config::IpPrefix prefix(const std::string& s)
{
	return *config::parse_prefix(s);
}

routes::PeerId peer(const std::string& a)
{
	return {*config::parse_ip(a), 0};
}

uint64_t rd(uint32_t asn, uint32_t n)
{
	return uint64_t(asn) << 32 | n;
}

Event announce(const std::string& from, uint64_t d, const std::string& p,
               std::vector<uint32_t> labels, std::vector<std::string> rts)
{
	Event e;
	e.peer = peer(from);
	e.family = prefix(p).addr.v6 ? routes::Family::vpn6 : routes::Family::vpn4;
	routes::VpnPath path;
	path.key = {d, prefix(p)};
	path.labels = std::move(labels);
	path.next_hop = *config::parse_ip(from);
	path.route_targets = std::move(rts);
	e.reach.push_back(path);
	return e;
}

Event withdraw(const std::string& from, uint64_t d, const std::string& p)
{
	Event e;
	e.peer = peer(from);
	e.withdrawn.push_back({d, prefix(p)});
	return e;
}

Event marker(Event::Kind k, const std::string& from)
{
	Event e;
	e.kind = k;
	e.peer = peer(from);
	return e;
}

// What an Option-A link's session sends: unicast, no RD, no labels, no route targets.
routes::PeerId link_peer(const std::string& a, uint32_t asn)
{
	return {*config::parse_ip(a), 0, asn};
}

Event unicast(const std::string& from, uint32_t asn, const std::string& p,
              const std::string& next_hop = "", std::vector<uint32_t> as_path = {})
{
	Event e;
	e.peer = link_peer(from, asn);
	e.family = prefix(p).addr.v6 ? routes::Family::ipv6 : routes::Family::ipv4;
	routes::VpnPath path;
	path.key = {0, prefix(p)};
	path.next_hop = *config::parse_ip(next_hop.empty() ? from : next_hop);
	path.as_path = as_path.empty() ? std::vector<uint32_t>{asn} : std::move(as_path);
	e.reach.push_back(path);
	return e;
}

Event unicast_withdraw(const std::string& from, uint32_t asn, const std::string& p)
{
	Event e;
	e.peer = link_peer(from, asn);
	e.family = prefix(p).addr.v6 ? routes::Family::ipv6 : routes::Family::ipv4;
	e.withdrawn.push_back({0, prefix(p)});
	return e;
}

Event link_marker(Event::Kind k, const std::string& from, uint32_t asn,
                  routes::Family f = routes::Family::ipv4)
{
	Event e;
	e.kind = k;
	e.peer = link_peer(from, asn);
	e.family = f;
	return e;
}

const config::OptionAVrf* link_of(const config::Config& cfg, const std::string& peer,
                                  const std::string& tenant)
{
	for (const auto& p : cfg.peers) {
		for (const auto& v : p.vrfs) {
			if (p.name == peer && v.tenant == tenant) {
				return &v;
			}
		}
	}
	return nullptr;
}

}  // namespace

TEST_CASE("vpn rib: a path is imported into the VRFs its route targets name, of the peer's tenants",
          "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.take_changed();
	rib.apply(announce("203.0.113.1", rd(2516, 1), "172.16.0.0/16", {30001}, {"2516:1001"}));
	// red and green import 2516:1001, but kddi serves red and blue only.
	const auto changed = rib.take_changed();
	REQUIRE(changed.size() == 1);
	CHECK(changed[0] == TenantPrefix{"red", prefix("172.16.0.0/16")});
	const auto hops = rib.hops(changed[0]);
	REQUIRE(hops.size() == 1);
	CHECK(hops[0].peer->name == "kddi");
	CHECK(hops[0].labels == std::vector<uint32_t>{30001});
	CHECK(rib.hops({"green", prefix("172.16.0.0/16")}).empty());

	// The same prefix for blue, another label: the tenants stay apart.
	rib.apply(announce("203.0.113.1", rd(2516, 2), "172.16.0.0/16", {30002}, {"2516:1002"}));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"blue", prefix("172.16.0.0/16")}});
	CHECK(rib.hops({"blue", prefix("172.16.0.0/16")}).at(0).labels ==
	      std::vector<uint32_t>{30002});
	CHECK(rib.hops({"red", prefix("172.16.0.0/16")}).at(0).labels ==
	      std::vector<uint32_t>{30001});

	// A route target nobody imports, and a speaker that is no peer of ours.
	rib.apply(announce("203.0.113.1", rd(2516, 9), "192.168.0.0/16", {5}, {"2516:9999"}));
	rib.apply(announce("198.51.100.9", rd(1, 1), "10.0.0.0/8", {5}, {"2516:1001"}));
	CHECK(rib.take_changed().empty());
	CHECK(rib.counters().not_imported == 2);
	CHECK(rib.counters().unknown_peer == 1);
	CHECK(rib.imported() == 2);
}

TEST_CASE("vpn rib: two peers' paths to one prefix are ECMP; a withdrawal leaves the other",
          "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	const TenantPrefix red{"red", prefix("172.16.0.0/16")};
	rib.apply(announce("203.0.113.1", rd(2516, 1), "172.16.0.0/16", {30001}, {"2516:1001"}));
	rib.apply(announce("203.0.114.1", rd(2914, 1), "172.16.0.0/16", {40001}, {"2516:1001"}));
	rib.take_changed();
	auto hops = rib.hops(red);
	REQUIRE(hops.size() == 2);
	CHECK(hops[0].peer->name != hops[1].peer->name);
	rib.apply(withdraw("203.0.113.1", rd(2516, 1), "172.16.0.0/16"));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{red});
	hops = rib.hops(red);
	REQUIRE(hops.size() == 1);
	CHECK(hops[0].peer->name == "ntt");
	CHECK(rib.routes_via("ix1", *config::parse_ip("203.0.114.1")) ==
	      std::vector<TenantPrefix>{red});
	CHECK(rib.routes_via("ix0", *config::parse_ip("203.0.113.1")).empty());
	rib.apply(withdraw("203.0.114.1", rd(2914, 1), "172.16.0.0/16"));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{red});
	CHECK(rib.hops(red).empty());
	CHECK(rib.imported() == 0);
}

TEST_CASE(
    "vpn rib: a re-established session keeps forwarding; End-of-RIB sweeps what was not sent again",
    "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.apply(announce("203.0.113.1", rd(2516, 1), "172.16.0.0/16", {30001}, {"2516:1001"}));
	rib.apply(announce("203.0.113.1", rd(2516, 1), "172.18.0.0/16", {30003}, {"2516:1001"}));
	rib.apply(announce("203.0.113.1", rd(2516, 1), "2001:db8:99::/48", {30004}, {"2516:1001"}));
	rib.take_changed();

	rib.apply(marker(Event::Kind::peer_down, "203.0.113.1"));
	rib.apply(marker(Event::Kind::peer_up, "203.0.113.1"));
	CHECK(rib.take_changed().empty());  // nothing withdrawn while the session comes back
	CHECK(rib.imported() == 3);
	// The table again: one route unchanged (no rewrite), one with a new label; the third
	// is not sent again.
	rib.apply(announce("203.0.113.1", rd(2516, 1), "172.16.0.0/16", {30001}, {"2516:1001"}));
	rib.apply(announce("203.0.113.1", rd(2516, 1), "2001:db8:99::/48", {30005}, {"2516:1001"}));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("2001:db8:99::/48")}});
	Event eor = marker(Event::Kind::end_of_rib, "203.0.113.1");
	eor.family = routes::Family::vpn4;
	rib.apply(eor);
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.18.0.0/16")}});
	CHECK(rib.imported() == 2);
	CHECK(rib.counters().swept == 1);

	// A restarted feed: everything stale, refreshed by a route refresh.
	rib.mark_all_stale();
	Event borr = marker(Event::Kind::refresh_begin, "203.0.113.1");
	borr.family = routes::Family::vpn6;
	rib.apply(borr);
	Event eorr = marker(Event::Kind::refresh_end, "203.0.113.1");
	eorr.family = routes::Family::vpn6;
	rib.apply(eorr);
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("2001:db8:99::/48")}});
	CHECK(rib.imported() == 1);  // the IPv4 route waits for its own family's marker
}

TEST_CASE("vpn rib: a new configuration re-imports every path", "[vpn-rib]")
{
	auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.apply(announce("203.0.113.1", rd(2516, 1), "172.16.0.0/16", {30001}, {"2516:1001"}));
	rib.take_changed();
	auto next = cfg;
	next.peers[0].tenants = {"blue"};  // kddi no longer serves red
	next.tenants[1].vrf->import_rts.push_back("2516:1001");
	rib.configure(next);
	const auto changed = rib.take_changed();
	CHECK(std::count(changed.begin(), changed.end(),
	                 TenantPrefix{"red", prefix("172.16.0.0/16")}) == 1);
	CHECK(rib.hops({"red", prefix("172.16.0.0/16")}).empty());
	CHECK(rib.hops({"blue", prefix("172.16.0.0/16")}).size() == 1);
}

TEST_CASE(
    "vpn rib: our own routes reflected back are never imported; a link-local next hop is the peer",
    "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	auto own = announce("203.0.113.1", rd(65000, 1), "10.1.0.0/24", {2001}, {"2516:1001"});
	own.reach[0].as_path = {2516, 65000};
	rib.apply(own);
	CHECK(rib.take_changed().empty());
	CHECK(rib.counters().as_loop == 1);

	auto v6 = announce("203.0.113.1", rd(2516, 1), "2001:db8:99::/48", {30003}, {"2516:1001"});
	v6.reach[0].next_hop = *config::parse_ip("fe80::1");
	v6.reach[0].as_path = {2516};
	rib.apply(v6);
	const auto hops = rib.hops({"red", prefix("2001:db8:99::/48")});
	REQUIRE(hops.size() == 1);
	CHECK(config::to_string(hops[0].next_hop) == "203.0.113.1");
}

TEST_CASE("vpn rib: stale paths of a peer that never sends End-of-RIB go when the hold time is up",
          "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.tick(1000, kHoldOnly);
	rib.apply(announce("203.0.113.1", rd(2516, 1), "172.16.0.0/16", {30001}, {"2516:1001"}));
	rib.apply(announce("203.0.114.1", rd(2914, 1), "172.20.0.0/16", {40001}, {"2516:1001"}));
	rib.take_changed();
	rib.apply(marker(Event::Kind::peer_down, "203.0.113.1"));
	rib.tick(100000, kHoldOnly);
	CHECK(rib.take_changed().empty());
	rib.tick(121000, kHoldOnly);
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.16.0.0/16")}});
	CHECK(rib.imported() == 1);  // the other peer's route stays
	rib.tick(500000, kHoldOnly);
	CHECK(rib.take_changed().empty());
}

TEST_CASE("vpn rib: an Option-A link's unicast routes go into its own tenant, whatever they carry",
          "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.take_changed();
	const auto* red_link = link_of(cfg, "iij", "red");
	REQUIRE(red_link != nullptr);
	// A route target blue imports: ignored, the session is red's.
	auto e = unicast("172.31.0.2", 2497, "172.20.0.0/16");
	e.reach[0].route_targets = {"2516:1002"};
	rib.apply(e);
	const TenantPrefix red{"red", prefix("172.20.0.0/16")};
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{red});
	auto hops = rib.hops(red);
	REQUIRE(hops.size() == 1);
	CHECK(hops[0].peer->name == "iij");
	CHECK(hops[0].link == red_link);
	CHECK(config::to_string(hops[0].next_hop) == "172.31.0.2");
	CHECK(hops[0].labels.empty());
	CHECK(rib.hops({"blue", prefix("172.20.0.0/16")}).empty());
	CHECK(rib.hops({"green", prefix("172.20.0.0/16")}).empty());
	CHECK(rib.imported_by_tenant().at("red") == 1);

	// The neighbour's MAC moving re-resolves the route, by address or by link.
	CHECK(rib.routes_via("ix2", *config::parse_ip("172.31.0.2")) ==
	      std::vector<TenantPrefix>{red});
	CHECK(rib.routes_via("ix3", *config::parse_ip("172.31.0.2")).empty());
	CHECK(rib.routes_via_link(red_link) == std::vector<TenantPrefix>{red});
	CHECK(rib.routes_via_link(link_of(cfg, "iij", "blue")).empty());

	// An IPv6 route with a link-local next hop goes to the neighbour itself.
	rib.apply(unicast("172.31.0.2", 2497, "2001:db8:20::/48", "fe80::2"));
	hops = rib.hops({"red", prefix("2001:db8:20::/48")});
	REQUIRE(hops.size() == 1);
	CHECK(config::to_string(hops[0].next_hop) == "172.31.0.2");
	CHECK(hops[0].link == red_link);
	rib.take_changed();

	rib.apply(unicast_withdraw("172.31.0.2", 2497, "172.20.0.0/16"));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{red});
	CHECK(rib.hops(red).empty());
	CHECK(rib.imported() == 1);
	CHECK(rib.counters().not_imported == 0);
}

TEST_CASE("vpn rib: two tenants' Option-A links keep an overlapping prefix apart", "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.apply(unicast("172.31.0.2", 2497, "172.20.0.0/16"));
	rib.apply(unicast("172.31.0.6", 2497, "172.20.0.0/16"));
	const TenantPrefix red{"red", prefix("172.20.0.0/16")};
	const TenantPrefix blue{"blue", prefix("172.20.0.0/16")};
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{red, blue});
	const auto r = rib.hops(red);
	const auto b = rib.hops(blue);
	REQUIRE(r.size() == 1);
	REQUIRE(b.size() == 1);
	CHECK(r[0].link == link_of(cfg, "iij", "red"));
	CHECK(b[0].link == link_of(cfg, "iij", "blue"));
	CHECK(r[0].peer == b[0].peer);
	CHECK(config::to_string(r[0].next_hop) == "172.31.0.2");
	CHECK(config::to_string(b[0].next_hop) == "172.31.0.6");
	CHECK_FALSE(r[0] == b[0]);

	rib.apply(unicast_withdraw("172.31.0.2", 2497, "172.20.0.0/16"));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{red});
	CHECK(rib.hops(red).empty());
	CHECK(rib.hops(blue).size() == 1);
	CHECK(rib.all_imported() == std::vector<TenantPrefix>{blue});
}

TEST_CASE("vpn rib: an Option-A link's stale routes go at its own family's End-of-RIB", "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.tick(1000, kHoldOnly);
	rib.apply(unicast("172.31.0.2", 2497, "172.20.0.0/16"));
	rib.apply(unicast("172.31.0.2", 2497, "172.22.0.0/16"));
	rib.apply(unicast("172.31.0.2", 2497, "2001:db8:20::/48"));
	rib.take_changed();

	rib.apply(link_marker(Event::Kind::peer_down, "172.31.0.2", 2497));
	rib.apply(link_marker(Event::Kind::peer_up, "172.31.0.2", 2497));
	CHECK(rib.take_changed().empty());
	CHECK(rib.imported() == 3);
	rib.apply(unicast("172.31.0.2", 2497, "172.20.0.0/16"));  // sent again, unchanged
	CHECK(rib.take_changed().empty());
	// Other families' markers leave IPv4 unicast alone.
	rib.apply(link_marker(Event::Kind::end_of_rib, "172.31.0.2", 2497, routes::Family::vpn4));
	CHECK(rib.take_changed().empty());
	rib.apply(link_marker(Event::Kind::end_of_rib, "172.31.0.2", 2497));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.22.0.0/16")}});
	CHECK(rib.counters().swept == 1);
	CHECK(rib.imported() == 2);
	// The IPv6 route, still stale, goes when the hold time is up.
	rib.tick(100000, kHoldOnly);
	CHECK(rib.take_changed().empty());
	rib.tick(121000, kHoldOnly);
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("2001:db8:20::/48")}});
	CHECK(rib.imported() == 1);
	CHECK(rib.hops({"red", prefix("172.20.0.0/16")}).size() == 1);
}

TEST_CASE("vpn rib: which session an address is, and what it may send", "[vpn-rib]")
{
	auto cfg = load();
	routes::VpnRib rib(cfg);
	// No link or peer of ours.
	rib.apply(unicast("198.51.100.77", 64999, "172.20.0.0/16"));
	CHECK(rib.counters().unknown_peer == 1);
	CHECK(rib.take_changed().empty());
	// iij's red link and sbb's green one share a neighbour address: the AS decides, and
	// without it neither is taken.
	rib.apply(unicast("172.31.0.2", 0, "172.23.0.0/16"));
	CHECK(rib.counters().unknown_peer == 2);
	CHECK(rib.take_changed().empty());
	rib.apply(unicast("172.31.0.2", 17676, "172.23.0.0/16"));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"green", prefix("172.23.0.0/16")}});
	CHECK(rib.hops({"green", prefix("172.23.0.0/16")}).at(0).link ==
	      link_of(cfg, "sbb", "green"));
	rib.apply(unicast("172.31.0.2", 2497, "172.23.0.0/16"));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.23.0.0/16")}});
	CHECK(rib.counters().unknown_peer == 2);
	CHECK(rib.counters().not_imported == 2);  // the unknown speakers' paths

	// VPN routes from an Option-A link, unicast from an Option-B peer: kept, imported
	// nowhere.
	auto vpn = announce("172.31.0.6", rd(2497, 1), "172.24.0.0/16", {30001}, {"2516:1002"});
	vpn.peer.asn = 2497;
	rib.apply(vpn);
	rib.apply(unicast("203.0.113.1", 2516, "172.24.0.0/16"));
	CHECK(rib.take_changed().empty());
	CHECK(rib.counters().not_imported == 4);
	CHECK(rib.counters().unknown_peer == 2);
	CHECK(rib.hops({"blue", prefix("172.24.0.0/16")}).empty());
	CHECK(rib.hops({"red", prefix("172.24.0.0/16")}).empty());

	// When the AS cannot tell them apart either, neither link is taken.
	auto same_as = cfg;
	same_as.peers[3].asn = 2497;
	rib.configure(same_as);
	CHECK(rib.hops({"green", prefix("172.23.0.0/16")}).empty());
	CHECK(rib.hops({"red", prefix("172.23.0.0/16")}).empty());
	rib.apply(unicast("172.31.0.2", 2497, "172.25.0.0/16"));
	CHECK(rib.counters().unknown_peer == 3);
	CHECK(rib.hops({"red", prefix("172.25.0.0/16")}).empty());
}

TEST_CASE("vpn rib: a new configuration moves an Option-A link's routes with the link", "[vpn-rib]")
{
	auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.apply(unicast("172.31.0.6", 2497, "172.20.0.0/16"));
	rib.take_changed();
	auto next = cfg;
	next.peers[2].vrfs[1].tenant = "green";  // iij's second link now serves green
	rib.configure(next);
	const auto changed = rib.take_changed();
	CHECK(std::count(changed.begin(), changed.end(),
	                 TenantPrefix{"blue", prefix("172.20.0.0/16")}) == 1);
	CHECK(std::count(changed.begin(), changed.end(),
	                 TenantPrefix{"green", prefix("172.20.0.0/16")}) == 1);
	CHECK(rib.hops({"blue", prefix("172.20.0.0/16")}).empty());
	const auto hops = rib.hops({"green", prefix("172.20.0.0/16")});
	REQUIRE(hops.size() == 1);
	CHECK(hops[0].link == &next.peers[2].vrfs[1]);
	CHECK(hops[0].peer == &next.peers[2]);

	// The same configuration again, as a new object: the route stands, through it.
	const auto again = next;
	rib.configure(again);
	CHECK(rib.hops({"green", prefix("172.20.0.0/16")}).at(0).link == &again.peers[2].vrfs[1]);
}

TEST_CASE("vpn rib: an Option-A link's reflected own routes are never imported", "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.apply(unicast("172.31.0.2", 2497, "10.1.0.0/24", "", {2497, 65000}));
	CHECK(rib.take_changed().empty());
	CHECK(rib.counters().as_loop == 1);
	CHECK(rib.imported() == 0);
	// Nor by a new configuration: the link would take anything, the loop stays a loop.
	const auto again = cfg;
	rib.configure(again);
	CHECK(rib.take_changed().empty());
	CHECK(rib.hops({"red", prefix("10.1.0.0/24")}).empty());
	// Sent again without the loop, it is imported.
	rib.apply(unicast("172.31.0.2", 2497, "10.1.0.0/24"));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("10.1.0.0/24")}});
}

// The timers of carriers without graceful restart (issue 21): the hold, the settle time and
// the route refresh, in the orders bgpd's mirror reports a session's events.
namespace {

const routes::ResyncTimers kTimers{30000, 1000};  // --stale-hold 30, --settle-ms 1000
const char* kCarrier = "203.0.113.1";

Event red(const std::string& p, uint32_t label = 30001)
{
	return announce(kCarrier, rd(2516, 1), p, {label}, {"2516:1001"});
}

// At `t`, the carrier sends 172.16/16 and 172.17/16 (again).
void send_both(routes::VpnRib& rib, uint64_t t)
{
	rib.tick(t, kTimers);
	rib.apply(red("172.16.0.0/16"));
	rib.apply(red("172.17.0.0/16"));
}

std::vector<routes::Resync::Due> dues(const std::vector<routes::ResyncAction>& actions)
{
	std::vector<routes::Resync::Due> out;
	for (const auto& a : actions) {
		CHECK(a.peer != nullptr);
		out.push_back(a.due);
	}
	return out;
}

}  // namespace

TEST_CASE("vpn rib: an outage soon after an earlier unclosed session event gets the whole hold",
          "[vpn-rib][resync]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	const routes::ResyncTimers hold_only{30000, 0};
	rib.tick(1000, hold_only);
	rib.apply(red("172.16.0.0/16"));
	rib.apply(red("172.17.0.0/16"));
	rib.take_changed();
	// A session reset whose re-sent table is never closed by End-of-RIB.
	rib.apply(marker(Event::Kind::peer_down, kCarrier));
	rib.tick(2000, hold_only);
	rib.apply(marker(Event::Kind::peer_up, kCarrier));
	rib.apply(red("172.16.0.0/16"));
	// 23 s later the session goes down for 20 s: the first event's hold would end 8 s in.
	rib.tick(25000, hold_only);
	rib.apply(marker(Event::Kind::peer_down, kCarrier));
	for (const uint64_t t : {32000, 40000, 44999}) {
		CHECK(rib.tick(t, hold_only).empty());
	}
	CHECK(rib.take_changed().empty());
	CHECK(rib.imported() == 2);
	// Back after 20 s: the hold starts again from the session's return.
	rib.tick(45000, hold_only);
	rib.apply(marker(Event::Kind::peer_up, kCarrier));
	rib.apply(red("172.16.0.0/16"));
	CHECK(rib.tick(74999, hold_only).empty());
	CHECK(rib.take_changed().empty());
	CHECK(dues(rib.tick(75000, hold_only)) ==
	      std::vector<routes::Resync::Due>{routes::Resync::Due::sweep});
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.17.0.0/16")}});
	CHECK(rib.imported() == 1);
}

TEST_CASE("vpn rib: a session that stays down keeps its paths for the hold from its first down",
          "[vpn-rib][resync]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.tick(1000, kTimers);
	rib.apply(red("172.16.0.0/16"));
	rib.take_changed();
	rib.apply(marker(Event::Kind::peer_down, kCarrier));
	// Nothing comes within the settle time: a route refresh is asked, once.
	CHECK(rib.tick(1999, kTimers).empty());
	const auto asked = rib.tick(2000, kTimers);
	REQUIRE(dues(asked) == std::vector<routes::Resync::Due>{routes::Resync::Due::refresh});
	CHECK(asked[0].peer->name == "kddi");
	CHECK(asked[0].link == nullptr);
	CHECK(rib.counters().refreshes == 1);
	// bgpd reports a down at every failed connection attempt: the hold does not restart.
	for (const uint64_t t : {8000, 20000, 30000}) {
		CHECK(rib.tick(t, kTimers).empty());
		rib.apply(marker(Event::Kind::peer_down, kCarrier));
	}
	CHECK(rib.take_changed().empty());
	CHECK(dues(rib.tick(31000, kTimers)) ==
	      std::vector<routes::Resync::Due>{routes::Resync::Due::sweep});
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.16.0.0/16")}});
	// Still down: further attempts start nothing and ask nothing.
	rib.apply(marker(Event::Kind::peer_down, kCarrier));
	CHECK(rib.tick(40000, kTimers).empty());
	CHECK(rib.counters().refreshes == 1);
}

TEST_CASE(
    "vpn rib: without End-of-RIB, what a returning session did not send again goes once it "
    "is quiet for the settle time",
    "[vpn-rib][resync]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	send_both(rib, 1000);
	rib.apply(red("172.18.0.0/16"));
	rib.take_changed();
	rib.apply(marker(Event::Kind::peer_down, kCarrier));
	rib.tick(2000, kTimers);  // asks for a refresh, which a down session ignores
	rib.tick(10000, kTimers);
	rib.apply(marker(Event::Kind::peer_up, kCarrier));
	// The table again: 172.16 unchanged, 172.17 with a new label; 172.18 was withdrawn
	// while the session was down.
	rib.tick(10100, kTimers);
	rib.apply(red("172.16.0.0/16"));
	rib.tick(10200, kTimers);
	rib.apply(red("172.17.0.0/16", 30007));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.17.0.0/16")}});
	CHECK(rib.tick(11199, kTimers).empty());
	CHECK(rib.imported() == 3);
	const auto settled = rib.tick(11200, kTimers);
	REQUIRE(dues(settled) == std::vector<routes::Resync::Due>{routes::Resync::Due::settled});
	CHECK(settled[0].swept == 1);
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.18.0.0/16")}});
	CHECK(rib.counters().settled == 1);
	CHECK(rib.hops({"red", prefix("172.17.0.0/16")}).at(0).labels ==
	      std::vector<uint32_t>{30007});
	// Settled: the hold has nothing left to sweep.
	CHECK(rib.tick(100000, kTimers).empty());
	CHECK(rib.imported() == 2);
}

TEST_CASE("vpn rib: a down report while the session lives on (a collision's) loses no path",
          "[vpn-rib][resync]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.tick(1000, kTimers);
	rib.apply(marker(Event::Kind::peer_up, kCarrier));
	rib.apply(red("172.16.0.0/16"));
	rib.apply(red("172.17.0.0/16"));
	rib.take_changed();
	// bgpd reports the losing connection down after the winner came up and sent its
	// routes: the session's paths turn stale, and it has nothing new to send.
	rib.tick(1500, kTimers);
	rib.apply(marker(Event::Kind::peer_down, kCarrier));
	CHECK(rib.tick(2499, kTimers).empty());
	CHECK(dues(rib.tick(2500, kTimers)) ==
	      std::vector<routes::Resync::Due>{routes::Resync::Due::refresh});
	// The refresh brings the table again; once quiet, nothing is left stale.
	send_both(rib, 2600);
	const auto settled = rib.tick(3600, kTimers);
	REQUIRE(dues(settled) == std::vector<routes::Resync::Due>{routes::Resync::Due::settled});
	CHECK(settled[0].swept == 0);
	CHECK(rib.tick(60000, kTimers).empty());
	CHECK(rib.take_changed().empty());
	CHECK(rib.imported() == 2);
}

TEST_CASE("vpn rib: a late up report after the re-sent routes still settles on them",
          "[vpn-rib][resync]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	send_both(rib, 1000);
	rib.take_changed();
	rib.apply(marker(Event::Kind::peer_down, kCarrier));
	// The routes of the winning connection are mirrored before its up report.
	send_both(rib, 5000);
	rib.tick(5050, kTimers);
	rib.apply(marker(Event::Kind::peer_up, kCarrier));
	// Quiet since: a refresh, then the table again, then settled with nothing lost.
	CHECK(dues(rib.tick(6050, kTimers)) ==
	      std::vector<routes::Resync::Due>{routes::Resync::Due::refresh});
	send_both(rib, 6100);
	CHECK(dues(rib.tick(7100, kTimers)) ==
	      std::vector<routes::Resync::Due>{routes::Resync::Due::settled});
	CHECK(rib.take_changed().empty());
	CHECK(rib.imported() == 2);
}

TEST_CASE("vpn rib: a session that sends End-of-RIB is waited for, never settled by quiet",
          "[vpn-rib][resync]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	send_both(rib, 1000);
	Event eor = marker(Event::Kind::end_of_rib, kCarrier);
	rib.apply(eor);
	rib.take_changed();
	rib.apply(marker(Event::Kind::peer_down, kCarrier));
	rib.apply(marker(Event::Kind::peer_up, kCarrier));
	rib.apply(red("172.16.0.0/16"));
	// Quiet for the settle time: its End-of-RIB is slow, so a refresh is asked instead.
	CHECK(dues(rib.tick(2000, kTimers)) ==
	      std::vector<routes::Resync::Due>{routes::Resync::Due::refresh});
	CHECK(rib.tick(5000, kTimers).empty());
	CHECK(rib.take_changed().empty());
	rib.apply(eor);
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.17.0.0/16")}});
	CHECK(rib.counters().settled == 0);
}

TEST_CASE("vpn rib: after the feed restarts, the refresh it asked settles the carriers' paths",
          "[vpn-rib][resync]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	send_both(rib, 1000);
	rib.apply(unicast("172.31.0.2", 2497, "172.20.0.0/16"));
	rib.take_changed();
	rib.mark_all_stale();  // tsunagid asked every session for a refresh already
	CHECK(rib.tick(2500, kTimers).empty());
	rib.apply(red("172.16.0.0/16"));
	// The Option-A link sends nothing: its paths wait for the hold.
	const auto settled = rib.tick(3500, kTimers);
	REQUIRE(settled.size() == 1);
	CHECK(settled[0].due == routes::Resync::Due::settled);
	CHECK(config::to_string(settled[0].id.address) == kCarrier);
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.17.0.0/16")}});
	CHECK(rib.imported() == 2);
	const auto held = rib.tick(31000, kTimers);
	REQUIRE(held.size() == 1);
	CHECK(held[0].due == routes::Resync::Due::sweep);
	CHECK(held[0].link == link_of(cfg, "iij", "red"));
	CHECK(rib.take_changed() == std::vector<TenantPrefix>{{"red", prefix("172.20.0.0/16")}});
}

TEST_CASE("vpn rib: EVPN's routes and markers are not the VPN families'", "[vpn-rib]")
{
	const auto cfg = load();
	routes::VpnRib rib(cfg);
	rib.apply(announce("203.0.113.1", rd(2516, 1), "172.16.0.0/16", {30001}, {"2516:1001"}));
	rib.apply(marker(Event::Kind::peer_down, "203.0.113.1"));
	rib.apply(marker(Event::Kind::peer_up, "203.0.113.1"));
	rib.take_changed();
	const auto before = rib.counters();
	Event evpn = marker(Event::Kind::update, "203.0.113.1");
	evpn.family = routes::Family::evpn;
	evpn.evpn_reach.emplace_back();
	for (const auto k : {Event::Kind::refresh_begin, Event::Kind::update,
	                     Event::Kind::refresh_end, Event::Kind::end_of_rib}) {
		evpn.kind = k;
		rib.apply(evpn);
	}
	rib.apply(marker(Event::Kind::update, "203.0.113.9"));  // not a VPN route: ignored too
	CHECK(rib.paths() == 1);  // still stale, still there: only VPNv4's End-of-RIB sweeps it
	CHECK(rib.take_changed().empty());
	CHECK(rib.counters().updates == before.updates);
	// The session's clock did not take EVPN's End-of-RIB for one of its own: the path is
	// swept when the hold runs out, not kept for ever as if markers had ended the resync.
	CHECK(rib.tick(200000, kHoldOnly).size() == 1);
	CHECK(rib.paths() == 0);
}
