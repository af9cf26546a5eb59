// FRR's configuration rendered from the YAML (control/frr/render).
#include "control/compile/compiler.hpp"
#include "control/compile/vrf_plan.hpp"
#include "control/frr/render.hpp"
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

bool has(const std::string& text, const std::string& block)
{
	return text.find(block) != std::string::npos;
}

}  // namespace

TEST_CASE("FRR gets one BGP instance for the carriers and one per tenant VRF", "[frr]")
{
	const auto cfg = test::load_config(kNode);
	const auto img = compile::compile(cfg, 1);
	const auto labels = frr::labels_of(abi::TableView(img.data()));
	REQUIRE(labels.size() == 2);
	CHECK(labels.at("red") == 2001);
	CHECK(labels.at("blue") == compile::kAutoLabelBase + 1);  // allocated: tenant index 1
	const std::string conf = frr::render(cfg, labels);
	INFO(conf);
	CHECK(has(conf, "hostname edge1\n"));
	// Option B: one VPNv4/VPNv6 session, labelled routes forwardable on the punt interface.
	CHECK(has(conf, "interface tsu-ix-b\n mpls bgp forwarding\nexit\n"));
	CHECK(has(conf, "router bgp 65000\n bgp router-id 10.255.0.1\n"));
	CHECK(has(
	    conf,
	    " neighbor 203.0.113.1 remote-as 2516\n neighbor 203.0.113.1 description carrier-b\n"));
	CHECK(has(
	    conf,
	    " address-family ipv4 vpn\n  neighbor 203.0.113.1 activate\n exit-address-family\n"));
	CHECK(has(
	    conf,
	    " address-family ipv6 vpn\n  neighbor 203.0.113.1 activate\n exit-address-family\n"));
	// Red's VRF: its prefixes as blackholes to announce, its label, RD and route targets.
	CHECK(
	    has(conf,
	        "vrf red\n ip route 10.1.0.0/24 blackhole\n ipv6 route 2001:db8:1::/64 blackhole\n"
	        " ip route 10.9.0.0/16 blackhole\nexit-vrf\n"));
	CHECK(has(conf, "router bgp 65000 vrf red\n"));
	CHECK(has(conf,
	          "  label vpn export 2001\n  rd vpn export 65000:1\n  rt vpn import 65000:1\n"
	          "  rt vpn import 2516:1\n  rt vpn export 65000:1\n  export vpn\n  import vpn\n"));
	// Blue's VRF: the Option-A neighbour on its sub-interface, the allocated label.
	CHECK(has(
	    conf,
	    "router bgp 65000 vrf blue\n bgp router-id 10.255.0.1\n no bgp ebgp-requires-policy\n"
	    " neighbor 198.51.100.2 remote-as 65010\n neighbor 198.51.100.2 description "
	    "carrier-a\n"));
	CHECK(has(conf, "  neighbor 198.51.100.2 activate\n  label vpn export 983041\n"));
	// A tenant without a VRF has no BGP instance.
	CHECK_FALSE(has(conf, "plain"));
	// The same input renders the same bytes.
	CHECK(frr::render(cfg, labels) == conf);
}
