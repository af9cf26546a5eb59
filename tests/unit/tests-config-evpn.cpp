// Unit tests of the EVPN keys of the YAML: node.evpn, a tenant's evpn and a VRF's l3_vni.
#include <catch2/catch.hpp>

#include <string>

#include "common/config/loader.hpp"
#include "common/config/values.hpp"
#include "config_helpers.hpp"
#include "control/reload/diff.hpp"

using namespace tsunagi::config;
using namespace tsunagi::test;

namespace {

// A node with an IPv4 VTEP; `evpn` is inserted as the node's last key (line 6 on).
std::string node_with(const std::string& evpn, const std::string& vtep = "192.0.2.1")
{
	return R"(node:
  name: tky-edge-1
  asn: 65000
  router_id: 10.255.0.1
  vtep: )" + vtep +
	       "\n" + evpn + R"(ports:
  - { name: cloud0, role: access, device: "d0" }
  - { name: core0, role: underlay, device: "d3", address: [192.0.2.1/24, "2001:db8::1/64"] }
)";
}

const std::string kEvpn = R"(  evpn:
    peers:
      - { address: 192.0.2.250 }
      - { address: 192.0.2.251, asn: 65100 }
)";

}  // namespace

TEST_CASE("node.evpn, a tenant's evpn and a VRF's l3_vni load into the model", "[config][evpn]")
{
	const auto r = load(node_with(R"(  evpn:
    peers:
      - { address: 192.0.2.250 }
      - { address: "2001:db8::250", asn: 65100 }
    keepalive: 10
    hold: 30
)") + R"(tenants:
  - { name: a, vni: 100, hybrid_vlan: 1, evpn: true }
  - name: b
    vni: 200
    hybrid_vlan: 2
    evpn: false
    vrf: { rd: "65000:2", l3_vni: 9000 }
)");
	REQUIRE_VALID(r);
	const Config& c = *r.config;
	REQUIRE(c.node.evpn);
	REQUIRE(c.node.evpn->peers.size() == 2);
	CHECK(to_string(c.node.evpn->peers[0].address) == "192.0.2.250");
	CHECK(c.node.evpn->peers[0].asn == 0);
	CHECK(c.node.evpn->peers[1].address.v6);
	CHECK(c.node.evpn->peers[1].asn == 65100);
	CHECK(c.node.evpn->keepalive_s == 10);
	CHECK(c.node.evpn->hold_s == 30);
	CHECK(c.tenants[0].evpn);
	CHECK_FALSE(c.tenants[1].evpn);
	CHECK(c.tenants[1].vrf->l3_vni == 9000);
}

TEST_CASE("EVPN keys left out mean no EVPN, with FRR's usual timers when the section is given",
          "[config][evpn]")
{
	const auto without =
	    load(node_with("") + "tenants: [ { name: a, vni: 1, hybrid_vlan: 1 } ]\n");
	REQUIRE_VALID(without);
	CHECK_FALSE(without.config->node.evpn);
	CHECK_FALSE(without.config->tenants[0].evpn);

	const auto with = load(node_with(kEvpn));
	REQUIRE_VALID(with);
	CHECK(with.config->node.evpn->keepalive_s == 3);
	CHECK(with.config->node.evpn->hold_s == 9);
}

TEST_CASE("the example configurations with EVPN load", "[config][evpn]")
{
	for (const char* name : {"evpn.yaml", "full.yaml"}) {
		const auto r =
		    load_file(std::string(TSUNAGI_TEST_DATA) + "/../../../config/examples/" + name);
		INFO(name);
		REQUIRE_VALID(r);
		CHECK(r.config->node.evpn);
	}
}

TEST_CASE("a bad node.evpn is reported at the value", "[config][evpn]")
{
	const std::string text = node_with(R"(  evpn:
    peers:
      - { address: 192.0.2.250, asn: 0 }
      - { address: 192.0.2.250 }
      - { address: 192.0.2.1 }
      - { address: 10.255.0.1 }
      - { address: 224.0.0.5 }
      - { asn: 65000 }
      - { address: 192.0.2.9, port: 179 }
    keepalive: 0
    hold: 2
)");
	const auto r = load(text);
	CHECK_FALSE(r.config);
	CHECK_ERROR(r, 8, "node.evpn.peers[0].asn: ASN 0 is out of range");
	CHECK_ERROR(r, 9,
	            "node.evpn.peers[1].address: address 192.0.2.250 is already used by "
	            "node.evpn.peers[0] (line 8)");
	CHECK_ERROR(r, 8, "address 192.0.2.250 is also used by node.evpn.peers[1] (line 9)");
	CHECK_ERROR(r, 10, "address 192.0.2.1 is this node's own vtep; a peer is another router");
	CHECK_ERROR(r, 11, "address 10.255.0.1 is this node's own router_id");
	CHECK_ERROR(r, 12, "node.evpn.peers[4]");
	CHECK_ERROR(r, 13, "node.evpn.peers[5]: missing required key \"address\"");
	CHECK_ERROR(r, 14, "\"port\"");
	CHECK_ERROR(r, 15, "node.evpn.keepalive: keepalive (s) 0 is out of range 1");
	CHECK_ERROR(r, 16, "node.evpn.hold: hold (s) 2 is out of range 3");
}

TEST_CASE("node.evpn needs a peer, and a keepalive of at most a third of hold", "[config][evpn]")
{
	const auto none = load(node_with("  evpn: { peers: [] }\n"));
	CHECK_ERROR(none, 6, "node.evpn.peers: needs at least one peer");
	const auto missing = load(node_with("  evpn: {}\n"));
	CHECK_ERROR(missing, 6, "node.evpn: missing required key \"peers\"");
	const auto slow = load(node_with(kEvpn + "    keepalive: 5\n    hold: 10\n"));
	CHECK_ERROR(slow, 10, "keepalive 5 s is more than a third of hold 10 s");
	const auto short_hold = load(node_with(kEvpn + "    hold: 6\n"));
	CHECK_ERROR(short_hold, 10,
	            "node.evpn.hold: keepalive 3 s is more than a third of hold 6 s");
	CHECK(load(node_with(kEvpn + "    keepalive: 5\n    hold: 15\n")).errors.empty());
}

TEST_CASE("a tenant's evpn takes true or false only, and needs node.evpn and an IPv4 vtep",
          "[config][evpn]")
{
	const auto word = load(node_with(kEvpn) + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, evpn: yes }
  - { name: b, vni: 2, hybrid_vlan: 2, evpn: "true" }
  - { name: c, vni: 3, hybrid_vlan: 3, evpn: [true] }
)");
	CHECK_ERROR(word, 14, "tenants[0].evpn: expected true or false, got \"yes\"");
	CHECK_ERROR(word, 15, "tenants[1].evpn: expected true or false, got \"true\"");
	CHECK_ERROR(word, 16, "tenants[2].evpn: expected true or false, got a list");

	const auto no_node = load(node_with("") + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, evpn: true }
  - { name: b, vni: 2, hybrid_vlan: 2, evpn: false }
)");
	CHECK_ERROR(no_node, 10, "tenants[0].evpn: evpn: true needs node.evpn");
	CHECK(no_node.errors.size() == 1);

	const auto v6 = load(node_with(kEvpn, "\"2001:db8::1\"") +
	                     "tenants: [ { name: a, vni: 1, hybrid_vlan: 1, evpn: true } ]\n");
	CHECK_ERROR(v6, 13, "tenants[0].evpn: evpn: true needs an IPv4 node.vtep");
}

TEST_CASE("an l3_vni is unique, is no tenant's VNI and needs node.evpn", "[config][evpn]")
{
	const std::string text = node_with(kEvpn) + R"(tenants:
  - name: a
    vni: 100
    hybrid_vlan: 1
    vrf: { rd: "65000:1", l3_vni: 9000 }
  - name: b
    vni: 200
    hybrid_vlan: 2
    vrf: { rd: "65000:2", l3_vni: 9000 }
  - name: c
    vni: 300
    hybrid_vlan: 3
    vrf: { rd: "65000:3", l3_vni: 100 }
  - name: d
    vni: 400
    hybrid_vlan: 4
    vrf: { rd: "65000:4", l3_vni: 16777216 }
)";
	const auto r = load(text);
	CHECK_ERROR(r, 21,
	            "tenants[1].vrf.l3_vni: l3_vni 9000 is already used by tenant \"a\" (line 17)");
	CHECK_ERROR(r, 17, "l3_vni 9000 is also used by tenant \"b\" (line 21)");
	CHECK_ERROR(r, 25,
	            "tenants[2].vrf.l3_vni: l3_vni 100 is the VNI of tenant \"a\" (line 15); an L3 "
	            "VNI needs a VNI no segment uses");
	CHECK_ERROR(r, 29, "tenants[3].vrf.l3_vni: VNI 16777216 is out of range");

	const auto no_node = load(node_with("") + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, vrf: { rd: "65000:1", l3_vni: 9000 } }
)");
	CHECK_ERROR(no_node, 10, "tenants[0].vrf.l3_vni: l3_vni needs node.evpn");
}

TEST_CASE("the reload diff names changed EVPN sessions, switches and L3 VNIs", "[config][evpn]")
{
	const std::string tenants = R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, evpn: true, vrf: { rd: "65000:1", l3_vni: 9000 } }
)";
	const auto before = load(node_with(kEvpn) + tenants);
	REQUIRE_VALID(before);
	const auto peers = load(node_with(R"(  evpn:
    peers: [ { address: 192.0.2.250 } ]
    keepalive: 1
)") + tenants);
	REQUIRE_VALID(peers);
	CHECK(diff(*before.config, *peers.config) ==
	      std::vector<std::string>{
	          "~ node: evpn peers [192.0.2.250, 192.0.2.251 as 65100] keepalive 3 hold 9 -> "
	          "peers [192.0.2.250] keepalive 1 hold 9"});

	const auto off = load(node_with(kEvpn) + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, vrf: { rd: "65000:1", l3_vni: 9001 } }
)");
	REQUIRE_VALID(off);
	CHECK(diff(*before.config, *off.config) ==
	      std::vector<std::string>{"~ tenant a: evpn true -> -; vrf.l3_vni 9000 -> 9001"});

	const auto none =
	    load(node_with("") + "tenants: [ { name: a, vni: 1, hybrid_vlan: 1 } ]\n");
	REQUIRE_VALID(none);
	const auto d = diff(*none.config, *before.config);
	REQUIRE(d.size() == 2);
	CHECK(d[0] ==
	      "~ node: evpn - -> peers [192.0.2.250, 192.0.2.251 as 65100] keepalive 3 hold 9");
	CHECK(d[1].rfind("~ tenant a: evpn - -> true", 0) == 0);
}
