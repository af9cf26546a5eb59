// FRR's configuration rendered from the YAML (control/frr/render, render_evpn).
#include "control/compile/compiler.hpp"
#include "control/compile/vrf_plan.hpp"
#include "control/frr/render.hpp"
#include "control/frr/supervisor.hpp"
#include "fixtures.hpp"

using namespace tsunagi;

namespace {

const char* kNode = R"(
node: { name: edge1, asn: 65000, router_id: 10.255.0.1, vtep: 192.0.2.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: u0, role: underlay, device: d1, address: 192.0.2.1/24 }
  - { name: ix-b, role: interconnect, device: d2, address: 203.0.113.2/30 }
  - { name: ix-a, role: interconnect, device: d3 }
neighbors:
  - { tenant: red, address: 10.1.0.10, mac: "02:00:00:00:00:0a" }
tenants:
  - name: red
    vni: 1
    hybrid_vlan: 1
    attachments: [ { port: a0, vlan: 10 } ]
    vrf:
      label: 2001
      rd: "65000:1"
      route_targets: { import: ["65000:1", "2516:1"], export: ["65000:1"] }
      gateway: [10.1.0.1/24, "2001:db8:1::1/64"]
      static_routes: [ { prefix: 10.9.0.0/16, via: 10.1.0.10 } ]
  - name: blue
    vni: 2
    hybrid_vlan: 2
    attachments: [ { port: a0, vlan: 20 } ]
    vrf:
      rd: "65000:2"
      route_targets: { import: ["65000:2"], export: ["65000:2"] }
      gateway: [10.2.0.1/24]
  - { name: plain, vni: 3, hybrid_vlan: 3, attachments: [ { port: a0, vlan: 30 } ] }
peers:
  - { name: carrier-b, option: B, port: ix-b, address: 203.0.113.1, asn: 2516, tenants: [red] }
  - name: carrier-a
    option: A
    port: ix-a
    asn: 65010
    vrfs: [ { tenant: blue, vlan: 801, address: 198.51.100.1/30, neighbor: 198.51.100.2 } ]
)";

const char* kEvpnNode = R"(
node:
  name: edge2
  asn: 65000
  router_id: 10.255.0.2
  vtep: [192.0.2.11, "2001:db8::11"]
  evpn:
    peers: [ { address: 192.0.2.250 }, { address: "2001:db8::250", asn: 65100 } ]
    keepalive: 5
    hold: 15
ports:
  - { name: a0, role: access, device: d0 }
  - { name: u0, role: underlay, device: d1, address: [192.0.2.11/24, "2001:db8::11/64"] }
  - { name: ix-a, role: interconnect, device: d3 }
tenants:
  - { name: l2, vni: 100, hybrid_vlan: 1, evpn: true, attachments: [ { port: a0, vlan: 10 } ] }
  - name: l3
    vni: 200
    hybrid_vlan: 2
    evpn: true
    vrf: { rd: "65000:2", gateway: [10.2.0.1/24], l3_vni: 9200 }
  - name: both
    vni: 300
    hybrid_vlan: 3
    vrf: { rd: "65000:3", route_targets: { export: "65000:3" }, gateway: [10.3.0.1/24],
           l3_vni: 9300 }
peers:
  - name: carrier-a
    option: A
    port: ix-a
    asn: 65010
    vrfs: [ { tenant: both, vlan: 801, address: 198.51.100.1/30, neighbor: 198.51.100.2 } ]
)";

bool has(const std::string& text, const std::string& block)
{
	return text.find(block) != std::string::npos;
}

}  // namespace

TEST_CASE("FRR gets one BGP instance for the carriers, and an FRR VRF per VRF with Option A",
          "[frr]")
{
	const auto cfg = test::load_config(kNode);
	const auto img = compile::compile(cfg, 1);
	const auto labels = frr::labels_of(abi::TableView(img.data()));
	REQUIRE(labels.size() == 2);
	CHECK(labels.at("red") == 2001);
	CHECK(labels.at("blue") == compile::kAutoLabelBase + 1);  // allocated: tenant index 1
	const std::string conf = frr::render(cfg, labels, {.bmp_port = 11019});
	INFO(conf);
	CHECK(has(conf, "hostname edge1\n"));
	// Option B: one VPNv4/VPNv6 session, labelled routes forwardable on the punt interface.
	CHECK(has(conf, "interface tsu-ix-b\n mpls bgp forwarding\nexit\n"));
	CHECK(has(conf, "router bgp 65000\n bgp router-id 10.255.0.1\n"));
	CHECK(has(
	    conf,
	    " neighbor 203.0.113.1 remote-as 2516\n neighbor 203.0.113.1 description carrier-b\n"));
	// Red has no Option-A session: its prefixes are VPN routes with its RD, label and
	// export route targets, and no FRR VRF exists for it.
	for (const char* af : {"ipv4", "ipv6"}) {
		CHECK(has(conf, std::string(" address-family ") + af +
		                    " vpn\n  neighbor 203.0.113.1 activate\n  neighbor 203.0.113.1 "
		                    "route-map TSUNAGI-TO-carrier-b out\n"));
	}
	CHECK(has(conf,
	          "  network 10.1.0.0/24 rd 65000:1 label 2001 route-map TSUNAGI-EXPORT-red\n"
	          "  network 10.9.0.0/16 rd 65000:1 label 2001 route-map TSUNAGI-EXPORT-red\n"
	          " exit-address-family\n"));
	CHECK(has(conf,
	          "  network 2001:db8:1::/64 rd 65000:1 label 2001 route-map "
	          "TSUNAGI-EXPORT-red\n exit-address-family\n"));
	CHECK(has(conf, "route-map TSUNAGI-EXPORT-red permit 10\n set extcommunity rt 65000:1\n"));
	CHECK_FALSE(has(conf, "vrf red"));
	// The carrier receives its tenants' routes only: red's export target.
	CHECK(has(conf,
	          "bgp extcommunity-list standard TSUNAGI-RT-carrier-b permit rt 65000:1\n"
	          "route-map TSUNAGI-TO-carrier-b permit 10\n match extcommunity "
	          "TSUNAGI-RT-carrier-b\n"));
	CHECK_FALSE(has(conf, "permit rt 65000:2"));
	// The route feed.
	CHECK(has(conf,
	          " bmp targets tsunagid\n  bmp connect 127.0.0.1 port 11019 min-retry 100 "
	          "max-retry 1000\n  bmp mirror\n exit\n"));
	CHECK_FALSE(has(frr::render(cfg, labels), "bmp"));
	// Blue has an Option-A session: an FRR VRF with its prefixes as blackholes to announce,
	// its label, RD and route targets.
	CHECK(has(conf, "vrf blue\n ip route 10.2.0.0/24 blackhole\nexit-vrf\n"));
	CHECK(has(conf,
	          "  rd vpn export 65000:2\n  rt vpn import 65000:2\n  rt vpn export "
	          "65000:2\n  export vpn\n  import vpn\n"));
	CHECK_FALSE(has(conf, "network 10.2.0.0/24"));
	// Blue's VRF: the Option-A neighbour on its sub-interface, the allocated label.
	CHECK(has(
	    conf,
	    "router bgp 65000 vrf blue\n bgp router-id 10.255.0.1\n no bgp ebgp-requires-policy\n"
	    " bgp graceful-restart\n neighbor 198.51.100.2 remote-as 65010\n"
	    " neighbor 198.51.100.2 description carrier-a\n"));
	CHECK(has(conf, "  neighbor 198.51.100.2 activate\n  label vpn export 983041\n"));
	// The VRF instance feeds tsunagid through a BMP target of its own.
	CHECK(has(conf,
	          "  import vpn\n exit-address-family\n !\n bmp targets tsunagid\n"
	          "  bmp connect 127.0.0.1 port 11019 min-retry 100 max-retry 1000\n"
	          "  bmp mirror\n exit\nexit\n"));
	// A tenant without a VRF has no BGP instance.
	CHECK_FALSE(has(conf, "plain"));
	// The same input renders the same bytes.
	CHECK(frr::render(cfg, labels, {.bmp_port = 11019}) == conf);
}

TEST_CASE("frr-reload.py's diff is read from its --test output, without its log", "[frr]")
{
	const std::string out =
	    "2026-11-23 16:31:03,496  INFO: Called via \"Namespace(...)\"\n"
	    "2026-11-23 16:31:03,649  INFO: \"frr version 8.4.4\" cannot be removed\n"
	    "\nLines To Delete\n===============\nrouter bgp 65000\n address-family ipv4 vpn\n"
	    "  no network 10.9.0.0/16  rd 65000:1 label 2001 route-map X\n"
	    "\nLines To Add\n============\nfrr version 8.4\n";
	CHECK(frr::reload_diff(out) ==
	      std::vector<std::string>{
	          "Lines To Delete", "router bgp 65000", " address-family ipv4 vpn",
	          "  no network 10.9.0.0/16  rd 65000:1 label 2001 route-map X", "Lines To Add"});
	// Only the version line FRR always differs in: nothing to do.
	CHECK(frr::reload_diff("x INFO: y\n\nLines To Delete\n===============\n\nLines To Add\n"
	                       "============\nfrr version 8.4\n")
	          .empty());
}

TEST_CASE("node.evpn renders EVPN sessions with every VNI advertised, mirrored to tsunagid",
          "[frr][evpn]")
{
	const auto cfg = test::load_config(kEvpnNode);
	const std::string conf = frr::render(cfg, {}, {.bmp_port = 11019});
	INFO(conf);
	// Remote VTEPs resolve through the shadow devices' blackhole default route.
	CHECK(has(conf, "no ipv6 forwarding\n!\nip nht resolve-via-default\n!\n"));
	// iBGP to the reflector unless an ASN is given, from the VTEP of the peer's family.
	CHECK(has(conf,
	          " neighbor 192.0.2.250 remote-as 65000\n neighbor 192.0.2.250 description evpn\n"
	          " neighbor 192.0.2.250 timers 5 15\n neighbor 192.0.2.250 update-source "
	          "192.0.2.11\n"));
	CHECK(has(conf, " neighbor 2001:db8::250 remote-as 65100\n"));
	CHECK(has(conf, " neighbor 2001:db8::250 update-source 2001:db8::11\n"));
	CHECK(has(conf,
	          " !\n address-family l2vpn evpn\n  neighbor 192.0.2.250 activate\n"
	          "  neighbor 2001:db8::250 activate\n  advertise-all-vni\n exit-address-family\n"
	          " !\n bmp targets tsunagid\n"));
	// No carrier: no VPN address family in the default instance.
	CHECK_FALSE(has(conf, "ipv4 vpn"));
	CHECK(frr::render(cfg, {}, {.bmp_port = 11019}) == conf);
}

TEST_CASE("a VRF with an L3 VNI is an FRR VRF whose prefixes are type-5 routes", "[frr][evpn]")
{
	const auto cfg = test::load_config(kEvpnNode);
	const std::string conf = frr::render(cfg, {{"both", 2003}}, {.bmp_port = 11019});
	INFO(conf);
	CHECK(has(conf, "vrf l3\n vni 9200\n ip route 10.2.0.0/24 blackhole\nexit-vrf\n"));
	CHECK(has(conf, "vrf both\n vni 9300\n ip route 10.3.0.0/24 blackhole\nexit-vrf\n"));
	// Without Option-A sessions the instance only feeds EVPN: no VPN export, no BMP target
	// of its own (its routes arrive over the default instance's sessions).
	const auto l3 = conf.find("router bgp 65000 vrf l3\n");
	REQUIRE(l3 != std::string::npos);
	const std::string l3_block = conf.substr(l3, conf.find("\nexit\n", l3) - l3);
	CHECK(has(l3_block,
	          " address-family ipv4 unicast\n  redistribute static\n exit-address-family\n"));
	CHECK(has(l3_block,
	          " address-family l2vpn evpn\n  advertise ipv4 unicast\n  advertise ipv6 unicast\n"
	          " exit-address-family"));
	CHECK_FALSE(has(l3_block, "vpn export"));
	CHECK_FALSE(has(l3_block, "import vpn"));
	CHECK_FALSE(has(l3_block, "bmp"));
	// With Option-A sessions as well: both VPN and EVPN, and its BMP target.
	const auto both = conf.find("router bgp 65000 vrf both\n");
	REQUIRE(both != std::string::npos);
	const std::string both_block = conf.substr(both);
	CHECK(has(both_block, "  label vpn export 2003\n  rd vpn export 65000:3\n"));
	CHECK(has(both_block, "  advertise ipv4 unicast\n"));
	CHECK(has(both_block, " bmp targets tsunagid\n"));
	// The L2-only tenant has no VRF.
	CHECK_FALSE(has(conf, "vrf l2"));
}

TEST_CASE("without node.evpn nothing of EVPN is rendered", "[frr][evpn]")
{
	const auto cfg = test::load_config(test::kSmallNode);
	const std::string conf = frr::render(cfg, {}, {.bmp_port = 11019});
	CHECK_FALSE(has(conf, "evpn"));
	CHECK_FALSE(has(conf, "vni"));
	CHECK_FALSE(has(conf, "resolve-via-default"));
}
