// Unit tests of the YAML loader and validator (common/config/loader.hpp).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <string_view>

#include "common/config/loader.hpp"
#include "common/config/values.hpp"
#include "config_helpers.hpp"

using namespace tsunagi::config;
using namespace tsunagi::test;

namespace {

// node + one port of each role; tests append neighbors, tenants and peers (from line 12).
const std::string kBase = R"(node:
  name: tky-edge-1
  asn: 65000
  router_id: 10.255.0.1
  vtep: 192.0.2.1
ports:
  - { name: cloud0, role: access, device: "d0" }
  - { name: srv0, role: access, device: "d1" }
  - { name: bb0, role: trunk, device: "d2" }
  - { name: core0, role: underlay, device: "d3", address: 192.0.2.1/24, gateway: 192.0.2.254 }
  - { name: ix0, role: interconnect, device: "d4", address: 203.0.113.2/30 }
)";

}  // namespace

// --- valid configurations --------------------------------------------------------

TEST_CASE("the demo topology loads into the model with defaults filled in", "[config]")
{
	const std::string text = R"(node:
  name: tky-edge-1
  asn: 65000
  router_id: 10.255.0.1
  vtep: 192.0.2.1
ports:
  - { name: cloud0, role: access, device: "net_af_packet0,iface=veth-cloud", mac: "02:00:00:00:01:01" }
  - { name: srv0,   role: access, device: "net_af_packet1,iface=veth-srv",   mac: "02:00:00:00:01:02" }
  - { name: bb0,    role: trunk,  device: "net_af_packet2,iface=veth-bb",    mac: "02:00:00:00:01:03" }
  - { name: core0,  role: underlay, device: "net_af_packet3,iface=veth-core", mac: "02:00:00:00:01:04",
      address: 192.0.2.1/24, gateway: 192.0.2.254, mtu: 1600 }
neighbors:
  - { port: core0, address: 192.0.2.254, mac: "02:bb:00:00:00:fe" }
  - { port: core0, address: 192.0.2.2,   mac: "02:bb:00:00:00:02" }
tenants:
  - name: cust-0001
    vni: 100001
    hybrid_vlan: 3001
    attachments:
      - { port: cloud0, vlan: 1234 }
      - { port: srv0, vlan: 100 }
    vteps: [192.0.2.2]
  - name: cust-0002
    vni: 100002
    hybrid_vlan: 3002
    attachments:
      - { port: cloud0, vlan: 1235 }
      - { port: srv0, vlan: 100, inner_vlan: 20 }
    vteps: [192.0.2.2, 198.51.100.7]
)";
	const auto r = load_string(text, "demo.yaml");
	REQUIRE_VALID(r);
	const Config& c = *r.config;
	CHECK(c.file == "demo.yaml");
	CHECK(c.node.name == "tky-edge-1");
	CHECK(c.node.asn == 65000);
	CHECK(c.node.router_id == *parse_ip("10.255.0.1"));
	REQUIRE(c.node.vteps.size() == 1);
	CHECK(c.node.vteps[0] == *parse_ip("192.0.2.1"));
	CHECK(c.node.runtime_dir == "/run/tsunagi");
	CHECK(c.node.mac_aging_s == 300);
	CHECK(c.node.metrics_address == "127.0.0.1:9469");
	CHECK_FALSE(c.node.router_mac.has_value());
	CHECK_FALSE(c.node.eal.has_value());
	CHECK(c.node.mark.line == 2);
	CHECK(c.node.mark.column == 3);

	REQUIRE(c.ports.size() == 4);
	CHECK(c.ports[0].role == PortRole::access);
	CHECK(c.ports[0].device == "net_af_packet0,iface=veth-cloud");
	CHECK(c.ports[0].mtu == 1500);
	CHECK(c.ports[0].mac == parse_mac("02:00:00:00:01:01"));
	CHECK(c.ports[0].mark.line == 7);
	CHECK(c.ports[0].mark.column == 5);
	CHECK(c.ports[2].role == PortRole::trunk);
	CHECK(c.ports[3].role == PortRole::underlay);
	CHECK(c.ports[3].mtu == 1600);
	REQUIRE(c.ports[3].addresses.size() == 1);
	CHECK(to_string(c.ports[3].addresses[0]) == "192.0.2.1/24");
	REQUIRE(c.ports[3].gateways.size() == 1);
	CHECK(to_string(c.ports[3].gateways[0]) == "192.0.2.254");

	REQUIRE(c.neighbors.size() == 2);
	CHECK(c.neighbors[1].port == "core0");
	CHECK(c.neighbors[1].vlan == 0);
	CHECK(c.neighbors[1].mac == *parse_mac("02:bb:00:00:00:02"));

	REQUIRE(c.tenants.size() == 2);
	const Tenant& t2 = c.tenants[1];
	CHECK(t2.name == "cust-0002");
	CHECK(t2.vni == 100002);
	CHECK(t2.hybrid_vlan == 3002);
	CHECK(t2.mac_limit == 0);
	CHECK_FALSE(t2.vrf.has_value());
	REQUIRE(t2.attachments.size() == 2);
	CHECK(t2.attachments[0].inner_vlan == 0);
	CHECK(t2.attachments[1].port == "srv0");
	CHECK(t2.attachments[1].vlan == 100);
	CHECK(t2.attachments[1].inner_vlan == 20);
	CHECK(t2.attachments[1].mark.line == 28);
	REQUIRE(t2.vteps.size() == 2);
	CHECK(to_string(t2.vteps[1]) == "198.51.100.7");
	CHECK(t2.mark.line == line_of(text, "name: cust-0002"));
}

TEST_CASE("a configuration using every key loads, VRFs and peers included", "[config]")
{
	const std::string text = R"(node:
  name: tky-edge-1
  asn: 65000
  router_id: 10.255.0.1
  router_mac: "02:00:0a:ff:00:01"
  vtep: [192.0.2.1, "2001:db8:ffff::1"]
  runtime_dir: /run/tsunagi-a
  mac_aging: 600
  metrics: "[::1]:9470"
  eal: { lcores: "0-2", memory: 1024, args: ["--no-telemetry", "--log-level=8"] }
ports:
  - { name: cloud0, role: access, device: "d0", mac: "02:00:00:00:01:01" }
  - { name: srv0, role: access, device: "d1" }
  - { name: bb0, role: trunk, device: "d2", mtu: 9000 }
  - { name: core0, role: underlay, device: "d3", address: [192.0.2.1/24, "2001:db8:ffff::1/64"],
      gateway: [192.0.2.254, "2001:db8:ffff::fe"], mtu: 9000 }
  - { name: ix-kddi, role: interconnect, device: "d4", address: 203.0.113.2/30 }
  - { name: ix-eqx, role: interconnect, device: "d5" }
neighbors:
  - { port: core0, address: "2001:db8:ffff::fe", mac: "02:bb:00:00:00:fe" }
  - { port: ix-eqx, vlan: 801, address: 198.51.100.2, mac: "02:cc:00:00:00:02" }
  - { tenant: cust-0001, address: 10.1.0.10, mac: "02:00:00:00:00:0a" }
tenants:
  - name: cust-0001
    vni: 100001
    hybrid_vlan: 3001
    attachments:
      - { port: cloud0, vlan: 1234 }
      - { port: srv0, vlan: 100, inner_vlan: 20 }
    vteps: [192.0.2.2, "2001:db8:ffff::2"]
    mac_limit: 4096
    static_macs:
      - { mac: "02:00:00:00:00:01", port: cloud0, vlan: 1234 }
      - { mac: "02:00:00:00:00:02", port: srv0, vlan: 100, inner_vlan: 20 }
      - { mac: "02:00:00:00:00:03", port: bb0 }
      - { mac: "02:00:00:00:00:04", vtep: "2001:db8:ffff::2" }
    vrf:
      label: 2001
      rd: 65000:1
      route_targets: { import: ["65000:1", "192.0.2.1:7"], export: ["65000:1"] }
      gateway: [10.1.0.1/24, "2001:db8:1::1/64"]
      static_routes: [ { prefix: 10.9.0.0/16, via: 10.1.0.10 } ]
peers:
  - { name: kddi-otemachi, option: B, port: ix-kddi, address: 203.0.113.1, asn: 2516,
      tenants: [cust-0001],
      static_vpn_routes: [ { tenant: cust-0001, prefix: 172.16.0.0/16, labels: [30001, 16] } ] }
  - name: eqx-ty4
    option: A
    port: ix-eqx
    asn: 65010
    vrfs: [ { tenant: cust-0001, vlan: 801, address: 198.51.100.1/30, neighbor: 198.51.100.2 } ]
)";
	const auto r = load(text);
	REQUIRE_VALID(r);
	const Config& c = *r.config;
	CHECK(c.node.router_mac == parse_mac("02:00:0a:ff:00:01"));
	REQUIRE(c.node.vteps.size() == 2);
	CHECK(c.node.vteps[1].v6);
	CHECK(c.node.runtime_dir == "/run/tsunagi-a");
	CHECK(c.node.mac_aging_s == 600);
	CHECK(c.node.metrics_address == "[::1]:9470");
	REQUIRE(c.node.eal.has_value());
	CHECK(c.node.eal->lcores == "0-2");
	CHECK(c.node.eal->memory_mb == 1024u);
	CHECK(c.node.eal->args == std::vector<std::string>{"--no-telemetry", "--log-level=8"});
	CHECK(c.ports[3].addresses.size() == 2);
	CHECK(c.ports[3].gateways.size() == 2);
	CHECK(c.ports[5].addresses.empty());
	CHECK(c.neighbors[1].vlan == 801);
	CHECK(c.neighbors[2].tenant == "cust-0001");

	const Tenant& t = c.tenants.at(0);
	CHECK(t.mac_limit == 4096);
	REQUIRE(t.static_macs.size() == 4);
	CHECK(t.static_macs[1].inner_vlan == 20);
	CHECK(t.static_macs[2].port == "bb0");
	CHECK(t.static_macs[2].vlan == 0);
	CHECK(t.static_macs[3].vtep == parse_ip("2001:db8:ffff::2"));
	REQUIRE(t.vrf.has_value());
	CHECK(t.vrf->label == 2001u);
	CHECK(t.vrf->rd == "65000:1");
	CHECK(t.vrf->import_rts == std::vector<std::string>{"65000:1", "192.0.2.1:7"});
	CHECK(t.vrf->export_rts == std::vector<std::string>{"65000:1"});
	REQUIRE(t.vrf->gateways.size() == 2);
	CHECK(to_string(t.vrf->gateways[1]) == "2001:db8:1::1/64");
	REQUIRE(t.vrf->static_routes.size() == 1);
	CHECK(to_string(t.vrf->static_routes[0].prefix) == "10.9.0.0/16");
	CHECK(t.vrf->mark.line == line_of(text, "label: 2001"));

	REQUIRE(c.peers.size() == 2);
	const Peer& b = c.peers[0];
	CHECK(b.option == PeerOption::B);
	CHECK(b.asn == 2516);
	CHECK(b.address == parse_ip("203.0.113.1"));
	CHECK(b.tenants == std::vector<std::string>{"cust-0001"});
	REQUIRE(b.static_vpn_routes.size() == 1);
	CHECK(b.static_vpn_routes[0].labels == std::vector<uint32_t>{30001, 16});
	const Peer& a = c.peers[1];
	CHECK(a.option == PeerOption::A);
	REQUIRE(a.vrfs.size() == 1);
	CHECK(a.vrfs[0].vlan == 801);
	CHECK(to_string(a.vrfs[0].address) == "198.51.100.1/30");
	CHECK(to_string(a.vrfs[0].neighbor) == "198.51.100.2");
	CHECK(a.mark.line == line_of(text, "name: eqx-ty4"));
}

TEST_CASE("an IPv6-only underlay with a list-form vtep is valid", "[config]")
{
	const auto r = load(R"(node:
  name: osk-edge-1
  asn: 65000
  router_id: 10.255.0.2
  vtep: ["2001:db8:100::1"]
ports:
  - { name: cloud0, role: access, device: "d0" }
  - { name: core0, role: underlay, device: "d1", address: "2001:db8:100::1/64", gateway: "2001:db8:100::fe" }
tenants:
  - { name: t1, vni: 1, hybrid_vlan: 1, attachments: [ { port: cloud0, vlan: 1 } ],
      vteps: ["2001:db8:100::2", "2001:db8:200::7"] }
)");
	REQUIRE_VALID(r);
	CHECK(r.config->node.vteps.at(0).v6);
	CHECK(r.config->tenants.at(0).vteps.size() == 2);
}

TEST_CASE("a single-tag and a QinQ attachment on the same port and VLAN do not overlap", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, attachments: [ { port: srv0, vlan: 100 } ] }
  - { name: b, vni: 2, hybrid_vlan: 2, attachments: [ { port: srv0, vlan: 100, inner_vlan: 20 },
                                                      { port: srv0, vlan: 100, inner_vlan: 21 } ] }
)");
	REQUIRE_VALID(r);
}

// --- documents that cannot be read ------------------------------------------------

TEST_CASE("a YAML syntax error is reported with its position", "[config]")
{
	const auto r = load("node:\n  name: a\n  asn: [1, 2\nports: []\n");
	REQUIRE_FALSE(r.config.has_value());
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].file == "test.yaml");
	CHECK(r.errors[0].line >= 3);
	CHECK(r.errors[0].column >= 1);
	CHECK_THAT(r.errors[0].message, Catch::Contains("YAML syntax error"));
}

TEST_CASE("an empty document and a document that is not a mapping are errors", "[config]")
{
	auto r = load("");
	CHECK_FALSE(r.config.has_value());
	CHECK_ERROR(r, 1, "empty");
	r = load("- 1\n- 2\n");
	CHECK_ERROR(r, 1, "expected a mapping, got a list");
	r = load("just a string\n");
	CHECK_ERROR(r, 1, "expected a mapping");
}

TEST_CASE("a file that cannot be opened is one error naming the file", "[config]")
{
	const auto r = load_file("/nonexistent/tsunagi.yaml");
	CHECK_FALSE(r.config.has_value());
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].line == 0);
	CHECK_THAT(r.errors[0].to_string(),
	           Catch::StartsWith("/nonexistent/tsunagi.yaml: cannot open"));
}

TEST_CASE("an error prints as file:line:col: message", "[config]")
{
	const Error e{"a.yaml", 12, 5, "tenants[1].vni: bad"};
	CHECK(e.to_string() == "a.yaml:12:5: tenants[1].vni: bad");
}

// --- structure: keys and types ----------------------------------------------------

TEST_CASE("a duplicate key is reported in every kind of mapping", "[config]")
{
	const std::string text = R"(node:
  name: a
  asn: 65000
  asn: 65001
  router_id: 10.0.0.1
ports:
  - { name: p0, role: access, device: d0, role: trunk }
tenants:
  - name: t
    vni: 1
    hybrid_vlan: 1
    hybrid_vlan: 2
ports: []
)";
	const auto r = load(text);
	CHECK_FALSE(r.config.has_value());
	CHECK_ERROR(r, 4, "node.asn: duplicate key \"asn\" (first at line 3)");
	CHECK_ERROR(r, 7, "ports[0].role: duplicate key \"role\"");
	CHECK_ERROR(r, 12, "tenants[0].hybrid_vlan: duplicate key");
	CHECK_ERROR(r, 13, "ports: duplicate key \"ports\" (first at line 6)");
	CHECK(r.errors.size() == 4);
}

TEST_CASE("an unknown key is reported with a suggestion when it looks like a typo", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: t, vni: 1, hybrid_vlan: 1, atachments: [] }
tennants: []
)");
	CHECK_ERROR(
	    r, 13,
	    "tenants[0].atachments: unknown key \"atachments\" (did you mean \"attachments\"?)");
	CHECK_ERROR(r, 14, "tennants: unknown key \"tennants\" (did you mean \"tenants\"?)");
	const auto r2 = load(kBase + "zzz: 1\n");
	CHECK_ERROR(
	    r2, 12,
	    "unknown key \"zzz\" (expected one of: node, ports, neighbors, tenants, peers)");
}

TEST_CASE("a missing required key is reported at the mapping that lacks it", "[config]")
{
	const auto r = load(R"(node:
  asn: 65000
tenants:
  - { name: t, hybrid_vlan: 1 }
)");
	CHECK_ERROR(r, 2, "node: missing required key \"name\"");
	CHECK_ERROR(r, 2, "node: missing required key \"router_id\"");
	CHECK_ERROR(r, 1, "missing required key \"ports\"");
	CHECK_ERROR(r, 4, "tenants[0]: missing required key \"vni\"");
}

TEST_CASE("a value of the wrong type is reported", "[config]")
{
	const std::string text = kBase + R"(tenants:
  - { name: [t], vni: 12abc, hybrid_vlan: "3001", attachments: { port: cloud0 } }
  - { name: u, vni: 0100, hybrid_vlan: 1.5, mac_limit: 3x }
)";
	const auto r = load(text);
	CHECK_ERROR(r, 13, "tenants[0].name: expected a string, got a list");
	CHECK_ERROR(r, 13, "tenants[0].vni: expected an integer, got \"12abc\"");
	CHECK_ERROR(r, 13, "tenants[0].hybrid_vlan: expected an integer, got the string \"3001\"");
	CHECK_ERROR(r, 13, "tenants[0].attachments: expected a list, got a mapping");
	CHECK_ERROR(r, 14, "tenants[1].vni: expected a decimal integer, got \"0100\"");
	CHECK_ERROR(r, 14, "tenants[1].hybrid_vlan: expected an integer, got \"1.5\"");
	CHECK_ERROR(r, 14, "tenants[1].mac_limit: expected an integer, got \"3x\"");
	const auto r2 = load("node: [1]\nports: 7\n");
	CHECK_ERROR(r2, 1, "node: expected a mapping, got a list");
	CHECK_ERROR(r2, 2, "ports: expected a list, got \"7\"");
}

TEST_CASE("an unknown port role is reported with the valid roles", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports:
  - { name: p, role: acess, device: d }
  - { name: q, role: spine, device: e }
)");
	CHECK_ERROR(r, 3, "ports[0].role: unknown role \"acess\" (did you mean \"access\"?)");
	CHECK_ERROR(r, 4, "expected access, trunk, underlay or interconnect");
}

// --- ranges -----------------------------------------------------------------------

TEST_CASE("a VLAN outside 1–4094 is reported for every VLAN key", "[config]")
{
	const std::string text = kBase + R"(tenants:
  - name: t
    vni: 1
    hybrid_vlan: 4095
    attachments:
      - { port: cloud0, vlan: 5000 }
      - { port: srv0, vlan: 10, inner_vlan: 0 }
    vrf: { rd: "65000:1" }
peers:
  - { name: p, option: A, port: ix0, asn: 65010,
      vrfs: [ { tenant: t, vlan: -1, address: 10.9.0.1/30, neighbor: 10.9.0.2 } ] }
)";
	const auto r = load(text);
	CHECK_ERROR(r, 15,
	            "tenants[0].hybrid_vlan: VLAN 4095 is out of range 1\xe2\x80\x93"
	            "4094");
	CHECK_ERROR(r, 17,
	            "tenants[0].attachments[0].vlan: VLAN 5000 is out of range 1\xe2\x80\x93"
	            "4094");
	CHECK_ERROR(r, 18, "tenants[0].attachments[1].inner_vlan: VLAN 0 is out of range");
	CHECK_ERROR(r, 22, "peers[0].vrfs[0].vlan: VLAN -1 is out of range");
	CHECK(r.errors.size() == 4);
}

TEST_CASE("a VNI outside 1–16777215 is reported", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 0, hybrid_vlan: 1 }
  - { name: b, vni: 16777216, hybrid_vlan: 2 }
  - { name: c, vni: 99999999999999999999999, hybrid_vlan: 3 }
)");
	CHECK_ERROR(r, 13, "tenants[0].vni: VNI 0 is out of range 1");
	CHECK_ERROR(r, 14, "tenants[1].vni: VNI 16777216 is out of range");
	CHECK_ERROR(r, 15, "tenants[2].vni: VNI 99999999999999999999999 is out of range");
}

TEST_CASE("an MTU outside 68–9216 is reported", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports:
  - { name: p, role: access, device: d, mtu: 67 }
  - { name: q, role: trunk, device: e, mtu: 9217 }
)");
	CHECK_ERROR(r, 3, "ports[0].mtu: MTU 67 is out of range 68");
	CHECK_ERROR(r, 4, "ports[1].mtu: MTU 9217 is out of range");
}

TEST_CASE("an ASN of 0 or above 4294967295 is reported", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 0, router_id: 10.0.0.1 }
ports:
  - { name: ix0, role: interconnect, device: d, address: 203.0.113.2/30 }
peers:
  - { name: p, option: B, port: ix0, asn: 4294967296, address: 203.0.113.1 }
)");
	CHECK_ERROR(r, 1, "node.asn: ASN 0 is out of range 1");
	CHECK_ERROR(r, 5, "peers[0].asn: ASN 4294967296 is out of range");
}

TEST_CASE("a negative or non-integer mac_limit is reported", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, mac_limit: -1 }
  - { name: b, vni: 2, hybrid_vlan: 2, mac_limit: many }
  - { name: c, vni: 3, hybrid_vlan: 3, mac_limit: 0 }
)");
	CHECK_ERROR(r, 13, "tenants[0].mac_limit: mac_limit -1 is out of range 0");
	CHECK_ERROR(r, 14, "tenants[1].mac_limit: expected an integer, got \"many\"");
	CHECK(r.errors.size() == 2);
}

TEST_CASE(
    "a VRF label outside 16–983039 (the rest is automatic) is reported, in a vrf and in "
    "static VPN routes (16–1048575)",
    "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, vrf: { label: 15, rd: "65000:1" } }
  - { name: b, vni: 2, hybrid_vlan: 2, vrf: { label: 983040, rd: "65000:2" } }
peers:
  - { name: p, option: B, port: ix0, asn: 2516, address: 203.0.113.1, tenants: [a],
      static_vpn_routes: [ { tenant: a, prefix: 10.0.0.0/8, labels: [3] } ] }
)");
	CHECK_ERROR(r, 13, "tenants[0].vrf.label: label 15 is out of range 16");
	CHECK_ERROR(r, 14, "tenants[1].vrf.label: label 983040 is out of range 16");
	CHECK_ERROR(r, 17, "peers[0].static_vpn_routes[0].labels[0]: label 3 is out of range");
}

// --- uniqueness ---------------------------------------------------------------------

TEST_CASE("a duplicate VNI is reported at both places", "[config]")
{
	const std::string text = kBase + R"(tenants:
  - name: cust-0001
    vni: 100001
    hybrid_vlan: 3001
  - name: cust-0002
    vni: 100001
    hybrid_vlan: 3002
)";
	const auto r = load(text);
	const int first = line_of(text, "vni: 100001", 1), second = line_of(text, "vni: 100001", 2);
	CHECK_ERROR(r, second,
	            "tenants[1].vni: VNI 100001 is already used by tenant \"cust-0001\" (line " +
	                std::to_string(first) + ")");
	CHECK_ERROR(r, first,
	            "tenants[0].vni: VNI 100001 is also used by tenant \"cust-0002\" (line " +
	                std::to_string(second) + ")");
	CHECK(r.errors.size() == 2);
}

TEST_CASE("a duplicate hybrid_vlan is reported when the node has a trunk port", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 3001 }
  - { name: b, vni: 2, hybrid_vlan: 3001 }
)");
	CHECK_ERROR(
	    r, 14,
	    "tenants[1].hybrid_vlan: hybrid_vlan 3001 is already used by tenant \"a\" (line 13)");
	CHECK_ERROR(r, 13, "tenants[0].hybrid_vlan: hybrid_vlan 3001 is also used by tenant \"b\"");

	// Without a trunk port the hybrid_vlan is never on the wire, so it may be shared.
	const auto r2 = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports:
  - { name: p, role: access, device: d }
tenants:
  - { name: a, vni: 1, hybrid_vlan: 3001 }
  - { name: b, vni: 2, hybrid_vlan: 3001 }
)");
	REQUIRE_VALID(r2);
}

TEST_CASE("duplicate tenant, port and peer names are reported", "[config]")
{
	const auto r = load(kBase + R"(  - { name: cloud0, role: access, device: d9 }
tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, vrf: { rd: "1:1" } }
  - { name: a, vni: 2, hybrid_vlan: 2 }
peers:
  - { name: p, option: B, port: ix0, asn: 2, address: 203.0.113.1 }
  - { name: p, option: B, port: ix0, asn: 3, address: 203.0.113.1 }
)");
	CHECK_ERROR(r, 12,
	            "ports[5].name: port name \"cloud0\" is already used by ports[0] (line 7)");
	CHECK_ERROR(r, 15,
	            "tenants[1].name: tenant name \"a\" is already used by tenants[0] (line 14)");
	CHECK_ERROR(r, 18, "peers[1].name: peer name \"p\" is already used by peers[0]");
	CHECK_ERROR(r, 18,
	            "peers[1].address: peer address 203.0.113.1 is already used by peer \"p\"");
}

TEST_CASE("overlapping attachments are reported across and within tenants", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - name: a
    vni: 1
    hybrid_vlan: 1
    attachments:
      - { port: cloud0, vlan: 1234 }
      - { port: srv0, vlan: 100, inner_vlan: 20 }
      - { port: srv0, vlan: 100, inner_vlan: 20 }
  - name: b
    vni: 2
    hybrid_vlan: 2
    attachments:
      - { port: cloud0, vlan: 1234 }
      - { port: cloud0, vlan: 1235 }
)");
	CHECK_ERROR(r, 24,
	            "tenants[1].attachments[0]: attachment (port cloud0, vlan 1234) is already "
	            "used by tenant \"a\" (line 17)");
	CHECK_ERROR(r, 17,
	            "tenants[0].attachments[0]: attachment (port cloud0, vlan 1234) is also used "
	            "by tenant \"b\" (line 24)");
	CHECK_ERROR(r, 19,
	            "tenants[0].attachments[2]: attachment (port srv0, vlan 100, inner_vlan 20) is "
	            "already used");
	CHECK(r.errors.size() == 4);
}

TEST_CASE("a duplicate VTEP within a tenant is reported", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, vteps: [192.0.2.2, 192.0.2.3, 192.0.2.2] }
  - { name: b, vni: 2, hybrid_vlan: 2, vteps: [192.0.2.2] }
)");
	CHECK_ERROR(r, 13,
	            "tenants[0].vteps[2]: VTEP 192.0.2.2 is already used by tenants[0].vteps[0]");
	CHECK(r.errors.size() == 2);  // both places; another tenant may share a remote VTEP
}

TEST_CASE("a duplicate static MAC within a tenant is reported", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - name: a
    vni: 1
    hybrid_vlan: 1
    attachments: [ { port: cloud0, vlan: 10 } ]
    static_macs:
      - { mac: "02:00:00:00:00:01", port: cloud0, vlan: 10 }
      - { mac: "02:00:00:00:00:01", port: bb0 }
)");
	CHECK_ERROR(r, 19,
	            "tenants[0].static_macs[1].mac: static MAC 02:00:00:00:00:01 is already used");
	CHECK_ERROR(r, 18, "is also used by");
}

// --- references -------------------------------------------------------------------

TEST_CASE("an attachment on a port that is not an access port is reported", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, attachments: [ { port: bb0, vlan: 5 }, { port: core0, vlan: 6 } ] }
)");
	CHECK_ERROR(r, 13,
	            "tenants[0].attachments[0].port: port \"bb0\" is a trunk port; attachments "
	            "need an access port");
	CHECK_ERROR(r, 13, "tenants[0].attachments[1].port: port \"core0\" is an underlay port");
}

TEST_CASE("an unknown port is reported in attachments, static MACs, neighbours and peers",
          "[config]")
{
	const auto r = load(kBase + R"(neighbors:
  - { port: core1, address: 192.0.2.7, mac: "02:00:00:00:00:07" }
tenants:
  - name: a
    vni: 1
    hybrid_vlan: 1
    attachments: [ { port: clod0, vlan: 5 } ]
    static_macs: [ { mac: "02:00:00:00:00:01", port: bb1 } ]
peers:
  - { name: p, option: B, port: ix9, asn: 2, address: 203.0.113.1 }
)");
	CHECK_ERROR(r, 13, "neighbors[0].port: unknown port \"core1\" (did you mean \"core0\"?)");
	CHECK_ERROR(
	    r, 18,
	    "tenants[0].attachments[0].port: unknown port \"clod0\" (did you mean \"cloud0\"?)");
	CHECK_ERROR(r, 19, "tenants[0].static_macs[0].port: unknown port \"bb1\"");
	CHECK_ERROR(r, 21, "peers[0].port: unknown port \"ix9\"");
}

TEST_CASE("an unknown tenant is reported in neighbours and peers", "[config]")
{
	const auto r = load(kBase + R"(neighbors:
  - { tenant: cust-9, address: 10.1.0.10, mac: "02:00:00:00:00:0a" }
tenants:
  - { name: cust-1, vni: 1, hybrid_vlan: 1, vrf: { rd: "65000:1", gateway: [10.1.0.1/24] } }
peers:
  - { name: b, option: B, port: ix0, asn: 2, address: 203.0.113.1, tenants: [cust-1, cust-2],
      static_vpn_routes: [ { tenant: cust-3, prefix: 10.0.0.0/8, labels: [100] } ] }
  - { name: a, option: A, port: ix0, asn: 3,
      vrfs: [ { tenant: cust-4, vlan: 801, address: 10.9.0.1/30, neighbor: 10.9.0.2 } ] }
)");
	CHECK_ERROR(r, 13,
	            "neighbors[0].tenant: unknown tenant \"cust-9\" (did you mean \"cust-1\"?)");
	CHECK_ERROR(r, 17, "peers[0].tenants[1]: unknown tenant \"cust-2\"");
	CHECK_ERROR(r, 18, "peers[0].static_vpn_routes[0].tenant: unknown tenant \"cust-3\"");
	CHECK_ERROR(r, 20, "peers[1].vrfs[0].tenant: unknown tenant \"cust-4\"");
	CHECK(r.errors.size() == 4);
}

TEST_CASE("a tenant named by a peer must have a vrf", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1 }
peers:
  - { name: b, option: B, port: ix0, asn: 2, address: 203.0.113.1, tenants: [a] }
  - { name: o, option: A, port: ix0, asn: 3, vrfs: [ { tenant: a, vlan: 9, address: 10.9.0.1/30, neighbor: 10.9.0.2 } ] }
)");
	CHECK_ERROR(r, 15, "peers[0].tenants[0]: tenant \"a\" has no vrf");
	CHECK_ERROR(r, 16, "peers[1].vrfs[0].tenant: tenant \"a\" has no vrf");
}

TEST_CASE("a peer must be on an interconnect port", "[config]")
{
	const auto r = load(kBase + R"(peers:
  - { name: b, option: B, port: core0, asn: 2, address: 192.0.2.9 }
)");
	CHECK_ERROR(
	    r, 13,
	    "peers[0].port: port \"core0\" is an underlay port; a peer needs an interconnect port");
}

// --- values -------------------------------------------------------------------------

TEST_CASE("a bad MAC is reported, and multicast MACs where a unicast one is needed", "[config]")
{
	const auto r =
	    load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1, router_mac: "01:00:5e:00:00:01" }
ports:
  - { name: p, role: access, device: d, mac: "02:00:00:00:01" }
  - { name: q, role: access, device: e, mac: "02-00-00-00-00-01" }
tenants:
  - name: t
    vni: 1
    hybrid_vlan: 1
    attachments: [ { port: p, vlan: 1 } ]
    static_macs:
      - { mac: "ff:ff:ff:ff:ff:ff", port: p, vlan: 1 }
      - { mac: "03:00:00:00:00:01", port: p, vlan: 1 }
      - { mac: "0g:00:00:00:00:01", port: p, vlan: 1 }
)");
	CHECK_ERROR(r, 1, "node.router_mac: router_mac 01:00:5e:00:00:01 is a multicast MAC");
	CHECK_ERROR(r, 3, "ports[0].mac: \"02:00:00:00:01\" is not a MAC address");
	CHECK_ERROR(r, 4, "ports[1].mac: \"02-00-00-00-00-01\" is not a MAC address");
	CHECK_ERROR(
	    r, 11,
	    "tenants[0].static_macs[0].mac: static MAC ff:ff:ff:ff:ff:ff is a multicast MAC");
	CHECK_ERROR(
	    r, 12,
	    "tenants[0].static_macs[1].mac: static MAC 03:00:00:00:00:01 is a multicast MAC");
	CHECK_ERROR(r, 13,
	            "tenants[0].static_macs[2].mac: \"0g:00:00:00:00:01\" is not a MAC address");
}

TEST_CASE("a bad IP address is reported", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.256 }
ports:
  - { name: ix0, role: interconnect, device: d, address: 203.0.113.2/30 }
peers:
  - { name: b, option: B, port: ix0, asn: 2, address: "203.0.113.1/30" }
)");
	CHECK_ERROR(r, 1, "node.router_id: \"10.0.0.256\" is not an IP address");
	CHECK_ERROR(
	    r, 5, "peers[0].address: \"203.0.113.1/30\" is a prefix; an address is expected here");
	const auto r2 = load("node: { name: a, asn: 1, router_id: \"2001:db8::1\" }\nports: []\n");
	CHECK_ERROR(r2, 1, "node.router_id: router_id must be a non-zero IPv4 address");
}

TEST_CASE("a bad prefix is reported", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports:
  - { name: c0, role: underlay, device: d0, address: 192.0.2.1 }
  - { name: c1, role: underlay, device: d1, address: 192.0.2.1/33 }
  - { name: c2, role: underlay, device: d2, address: "2001:db8::1/129" }
  - { name: c3, role: underlay, device: d3, address: 192.0.2.x/24 }
tenants:
  - { name: t, vni: 1, hybrid_vlan: 1,
      vrf: { rd: "1:1", gateway: [10.1.0.1/24], static_routes: [ { prefix: 10.9.0.1/16, via: 10.1.0.2 } ] } }
)");
	CHECK_ERROR(r, 3, "ports[0].address: \"192.0.2.1\" has no prefix length");
	CHECK_ERROR(r, 4, "ports[1].address: \"192.0.2.1/33\" is not an IP prefix");
	CHECK_ERROR(r, 5, "ports[2].address: \"2001:db8::1/129\" is not an IP prefix");
	CHECK_ERROR(r, 6, "ports[3].address: \"192.0.2.x/24\" is not an IP prefix");
	CHECK_ERROR(
	    r, 9,
	    "static_routes[0].prefix: 10.9.0.1/16 has host bits set (did you mean 10.9.0.0/16?)");
}

TEST_CASE("a VTEP that is not an address is reported", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, vteps: [192.0.2.2, vtep-b, 192.0.2.0/24, 224.0.0.1] }
)");
	CHECK_ERROR(r, 13, "tenants[0].vteps[1]: \"vtep-b\" is not an IP address");
	CHECK_ERROR(r, 13, "tenants[0].vteps[2]: \"192.0.2.0/24\" is a prefix");
	CHECK_ERROR(r, 13, "tenants[0].vteps[3]: 224.0.0.1 is a multicast address");
	CHECK(r.errors.size() == 3);
}

TEST_CASE("a route distinguisher or route target that is not ASN:NN or IP:NN is reported",
          "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, vrf: { rd: "65000" } }
  - { name: b, vni: 2, hybrid_vlan: 2, vrf: { rd: "4200000000:70000", route_targets: { import: ["x:1"] } } }
  - { name: c, vni: 3, hybrid_vlan: 3, vrf: { rd: "192.0.2.1:5", route_targets: { export: ["4200000000:1"] } } }
)");
	CHECK_ERROR(r, 13, "tenants[0].vrf.rd: \"65000\" is not ASN:NN or IPv4:NN");
	CHECK_ERROR(r, 14, "tenants[1].vrf.rd: \"4200000000:70000\" is not ASN:NN");
	CHECK_ERROR(r, 14, "tenants[1].vrf.route_targets.import[0]: \"x:1\" is not ASN:NN");
	CHECK(r.errors.size() == 3);
}

TEST_CASE("node metrics, runtime_dir and mac_aging are checked", "[config]")
{
	const auto r = load(R"(node:
  name: a
  asn: 1
  router_id: 10.0.0.1
  metrics: "localhost:9469"
  runtime_dir: run/tsunagi
  mac_aging: 0
ports: []
)");
	CHECK_ERROR(r, 5, "node.metrics: \"localhost:9469\" is not ADDR:PORT");
	CHECK_ERROR(r, 6, "node.runtime_dir: runtime_dir \"run/tsunagi\" must be an absolute path");
	CHECK_ERROR(r, 7, "node.mac_aging: mac_aging 0 is out of range 1");
}

TEST_CASE("node.group names a group the daemons share their objects with", "[config]")
{
	const auto ok = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1, group: tsunagi }
ports: []
)");
	REQUIRE(ok.config);
	CHECK(ok.config->node.group == "tsunagi");
	const auto none = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports: []
)");
	REQUIRE(none.config);
	CHECK(none.config->node.group.empty());
	const auto bad =
	    load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1, group: "wheel staff" }
ports: []
)");
	CHECK_ERROR(bad, 1, "node.group: group \"wheel staff\" must be 1");
}

// --- underlay addressing --------------------------------------------------------------

TEST_CASE("node.vtep must be an address of an underlay port", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1, vtep: 203.0.113.2 }
ports:
  - { name: core0, role: underlay, device: d3, address: 192.0.2.1/24 }
  - { name: ix0, role: interconnect, device: d4, address: 203.0.113.2/30 }
)");
	CHECK_ERROR(r, 1, "node.vtep: VTEP 203.0.113.2 is not the address of any underlay port");
}

TEST_CASE("node.vtep gives at most one address per family and is needed by tenant vteps",
          "[config]")
{
	const auto r =
	    load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1, vtep: [192.0.2.1, 192.0.2.2] }
ports:
  - { name: core0, role: underlay, device: d3, address: 192.0.2.1/24 }
)");
	CHECK_ERROR(r, 1, "node.vtep[1]: a second IPv4 value");
	const auto r2 = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports:
  - { name: core0, role: underlay, device: d3, address: 192.0.2.1/24 }
tenants:
  - { name: t, vni: 1, hybrid_vlan: 1, vteps: [192.0.2.2] }
)");
	CHECK_ERROR(r2, 1, "node: missing required key \"vtep\" (tenant \"t\" has vteps");
	const auto r3 = load(kBase + R"(tenants:
  - { name: t, vni: 1, hybrid_vlan: 1, vteps: ["2001:db8::2"] }
)");
	CHECK_ERROR(r3, 13, "VTEP 2001:db8::2 is IPv6 but node.vtep has no IPv6 address");
}

TEST_CASE("a tenant VTEP equal to the node's own vtep is reported", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 1, hybrid_vlan: 1, vteps: [192.0.2.1] }
)");
	CHECK_ERROR(r, 13, "tenants[0].vteps[0]: VTEP 192.0.2.1 is this node's own vtep");
}

TEST_CASE("an underlay port without an address is reported", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports:
  - { name: core0, role: underlay, device: d3 }
  - { name: ix0, role: interconnect, device: d4 }
)");
	CHECK_ERROR(r, 3, "ports[0]: an underlay port needs an address");
	CHECK(r.errors.size() == 1);  // an interconnect port may have none (Option A only)
}

TEST_CASE("a gateway outside the port's subnet, or of a family it lacks, is reported", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports:
  - { name: c0, role: underlay, device: d0, address: 192.0.2.1/24, gateway: 192.0.3.254 }
  - { name: c1, role: underlay, device: d1, address: 192.0.2.1/24, gateway: "2001:db8::1" }
  - { name: c2, role: underlay, device: d2, address: [198.51.100.1/24, "2001:db8::1/64"],
      gateway: [198.51.100.254, "2001:db8:1::1"] }
  - { name: c3, role: underlay, device: d3, address: 203.0.113.1/24, gateway: 203.0.113.1 }
)");
	CHECK_ERROR(r, 3,
	            "ports[0].gateway: 192.0.3.254 is not inside the port's subnet 192.0.2.1/24");
	CHECK_ERROR(r, 4, "ports[1].gateway: 2001:db8::1 is IPv6 but the port has no IPv6 address");
	CHECK_ERROR(
	    r, 6,
	    "ports[2].gateway[1]: 2001:db8:1::1 is not inside the port's subnet 2001:db8::1/64");
	CHECK_ERROR(r, 7, "ports[3].gateway: 203.0.113.1 is the port's own address");
	CHECK_ERROR(r, 3, "address 192.0.2.1 is also used by port \"c1\"");
}

TEST_CASE("an address or gateway on an access or trunk port is reported", "[config]")
{
	const auto r = load(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports:
  - { name: p, role: access, device: d0, address: 192.0.2.1/24 }
  - { name: q, role: trunk, device: d1, gateway: 192.0.2.254 }
)");
	CHECK_ERROR(r, 3,
	            "ports[0].address: only underlay and interconnect ports take an address; this "
	            "is an access port");
	CHECK_ERROR(r, 4,
	            "ports[1].gateway: only underlay and interconnect ports take a gateway; this "
	            "is a trunk port");
}

TEST_CASE("a neighbour must be on an L3 port and inside its subnet", "[config]")
{
	const auto r = load(kBase + R"(neighbors:
  - { port: cloud0, address: 10.0.0.1, mac: "02:00:00:00:00:01" }
  - { port: core0, address: 10.0.0.1, mac: "02:00:00:00:00:01" }
  - { port: ix0, vlan: 801, address: 10.0.0.1, mac: "02:00:00:00:00:01" }
  - { port: core0, tenant: x, address: 192.0.2.3, mac: "02:00:00:00:00:01" }
  - { address: 192.0.2.3, mac: "02:00:00:00:00:01" }
)");
	CHECK_ERROR(r, 13, "neighbors[0].port: port \"cloud0\" is an access port");
	CHECK_ERROR(
	    r, 14,
	    "neighbors[1].address: 10.0.0.1 is not inside port \"core0\"'s subnet 192.0.2.1/24");
	CHECK_ERROR(r, 15, "neighbors[2].vlan: no Option-A peer uses VLAN 801 on port \"ix0\"");
	CHECK_ERROR(r, 16, "neighbors[3]: give either port");
	CHECK_ERROR(r, 17, "neighbors[4]: missing required key \"port\" or \"tenant\"");
}

// --- static MACs ----------------------------------------------------------------------

TEST_CASE("a static MAC must name a member of its tenant", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - name: a
    vni: 1
    hybrid_vlan: 1
    attachments: [ { port: cloud0, vlan: 10 }, { port: srv0, vlan: 100, inner_vlan: 20 } ]
    vteps: [192.0.2.2]
    static_macs:
      - { mac: "02:00:00:00:00:01", port: cloud0, vlan: 10 }
      - { mac: "02:00:00:00:00:02", port: srv0, vlan: 100, inner_vlan: 20 }
      - { mac: "02:00:00:00:00:03", port: bb0 }
      - { mac: "02:00:00:00:00:04", vtep: 192.0.2.2 }
      - { mac: "02:00:00:00:00:05", port: cloud0, vlan: 11 }
      - { mac: "02:00:00:00:00:06", port: srv0, vlan: 100 }
      - { mac: "02:00:00:00:00:07", port: cloud0 }
      - { mac: "02:00:00:00:00:08", port: bb0, vlan: 1 }
      - { mac: "02:00:00:00:00:09", vtep: 192.0.2.3 }
      - { mac: "02:00:00:00:00:0a", port: core0 }
      - { mac: "02:00:00:00:00:0b", port: cloud0, vtep: 192.0.2.2 }
      - { mac: "02:00:00:00:00:0c" }
)");
	CHECK_ERROR(
	    r, 23,
	    "tenants[0].static_macs[4]: port cloud0 vlan 11 is not an attachment of tenant \"a\"");
	CHECK_ERROR(r, 24, "tenants[0].static_macs[5]: port srv0 vlan 100 is not an attachment");
	CHECK_ERROR(r, 25, "tenants[0].static_macs[6]: missing required key \"vlan\"");
	CHECK_ERROR(r, 26, "tenants[0].static_macs[7]: port \"bb0\" is a trunk port");
	CHECK_ERROR(
	    r, 27,
	    "tenants[0].static_macs[8].vtep: VTEP 192.0.2.3 is not one of tenant \"a\"'s vteps");
	CHECK_ERROR(r, 28, "tenants[0].static_macs[9].port: port \"core0\" is an underlay port");
	CHECK_ERROR(r, 29, "tenants[0].static_macs[10]: give either port or vtep, not both");
	CHECK_ERROR(r, 30, "tenants[0].static_macs[11]: missing required key \"port\"");
	CHECK(r.errors.size() == 8);
}

// --- peers ------------------------------------------------------------------------------

TEST_CASE("a peer option other than A or B is reported", "[config]")
{
	const auto r = load(kBase + R"(peers:
  - { name: p, option: C, port: ix0, asn: 2 }
  - { name: q, option: b, port: ix0, asn: 2 }
)");
	CHECK_ERROR(r, 13, "peers[0].option: option \"C\" is not A or B");
	CHECK_ERROR(r, 14, "peers[1].option: option \"b\" is not A or B");
}

TEST_CASE("an Option B peer needs an address on its port's subnet", "[config]")
{
	const auto r = load(kBase + R"(peers:
  - { name: p, option: B, port: ix0, asn: 2 }
  - { name: q, option: B, port: ix0, asn: 3, address: 198.51.100.1 }
)");
	CHECK_ERROR(r, 13, "peers[0]: missing required key \"address\" (Option B)");
	CHECK_ERROR(
	    r, 14,
	    "peers[1].address: 198.51.100.1 is not inside port \"ix0\"'s subnet 203.0.113.2/30");
}

TEST_CASE("Option A and Option B keys are not mixed", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: t, vni: 1, hybrid_vlan: 1, vrf: { rd: "1:1" } }
peers:
  - { name: a, option: A, port: ix0, asn: 2, address: 203.0.113.1, tenants: [t] }
  - { name: b, option: B, port: ix0, asn: 3, address: 203.0.113.1,
      vrfs: [ { tenant: t, vlan: 5, address: 10.0.0.1/30, neighbor: 10.0.0.2 } ] }
)");
	CHECK_ERROR(r, 15, "peers[0].address: \"address\" is for an Option B peer");
	CHECK_ERROR(r, 15, "peers[0].tenants: \"tenants\" is for an Option B peer");
	CHECK_ERROR(r, 15, "peers[0]: missing required key \"vrfs\" (Option A)");
	CHECK_ERROR(r, 17, "peers[1].vrfs: \"vrfs\" is for an Option A peer");
}

TEST_CASE("an Option A sub-interface checks its neighbour and its VLAN", "[config]")
{
	const std::string text = kBase + R"(tenants:
  - { name: t, vni: 1, hybrid_vlan: 1, vrf: { rd: "1:1" } }
  - { name: u, vni: 2, hybrid_vlan: 2, vrf: { rd: "1:2" } }
peers:
  - name: a
    option: A
    port: ix0
    asn: 2
    vrfs:
      - { tenant: t, vlan: 801, address: 198.51.100.1/30, neighbor: 198.51.100.9 }
      - { tenant: u, vlan: 801, address: 198.51.100.5/30, neighbor: 198.51.100.5 }
)";
	const auto r = load(text);
	const int first = line_of(text, "neighbor: 198.51.100.9"),
	          second = line_of(text, "neighbor: 198.51.100.5");
	CHECK_ERROR(r, first,
	            "peers[0].vrfs[0].neighbor: 198.51.100.9 is not inside the sub-interface's "
	            "subnet 198.51.100.1/30");
	CHECK_ERROR(r, second,
	            "peers[0].vrfs[1].vlan: VLAN 801 on port ix0 is already used by peer \"a\"");
	CHECK_ERROR(r, second,
	            "peers[0].vrfs[1].neighbor: 198.51.100.5 is the sub-interface's own address");
}

// --- all errors, never a crash ----------------------------------------------------------

TEST_CASE("every error is reported, sorted by position, and no config is returned", "[config]")
{
	const auto r = load(kBase + R"(tenants:
  - { name: a, vni: 0, hybrid_vlan: 5000, attachments: [ { port: bb0, vlan: 1 } ] }
  - { name: b, vni: 1, hybrid_vlan: 1, mac_limit: -5, vteps: [nope] }
peers:
  - { name: p, option: Z, port: nowhere, asn: 0 }
)");
	CHECK_FALSE(r.config.has_value());
	CHECK(r.errors.size() == 8);
	for (size_t i = 1; i < r.errors.size(); ++i) {
		const auto& a = r.errors[i - 1];
		const auto& b = r.errors[i];
		CHECK((a.line < b.line || (a.line == b.line && a.column <= b.column)));
	}
	for (const auto& e : r.errors) {
		CHECK(e.file == "test.yaml");
		CHECK(e.line >= 13);
		CHECK(e.column >= 1);
	}
}

TEST_CASE("hostile documents are reported and never crash the loader", "[config]")
{
	const std::string inputs[] = {
	    "&a [*a]",
	    "node: &n { name: a, asn: 1, router_id: 10.0.0.1, vtep: *n }\nports: *n\n",
	    "node: !!binary AAAA\nports: [ !!map {} ]\n",
	    std::string(5000, '[') + std::string(5000, ']'),
	    std::string("node:\n  name: \0a\n", 18),
	    "? [a, b]\n: c\n",
	    "node:\n\tname: a\n",
	    "---\nnode: 1\n---\nports: 2\n",
	    "{node: {name: x, asn: 18446744073709551616, router_id: ::}, ports: [{}]}",
	    "ports: [ { name: \"" + std::string(300, 'x') + "\", role: access, device: d } ]",
	    "tenants: [ { static_macs: [ { mac: ~, port: ~, vlan: ~, inner_vlan: ~, vtep: ~ } ] } "
	    "]",
	    "peers: [ { option: A, vrfs: [ {} , 1, [ ] ] }, { option: B, static_vpn_routes: [ { "
	    "labels: {} } ] } ]",
	    "\xff\xfe\x00\x01garbage: [",
	};
	for (const auto& text : inputs) {
		INFO("input: " << text.substr(0, 80));
		LoadResult r;
		CHECK_NOTHROW(r = load(text));
		CHECK_FALSE(r.config.has_value());
		CHECK_FALSE(r.errors.empty());
	}
}

// --- value parsers ---------------------------------------------------------------------

TEST_CASE("MAC addresses parse strictly and print in lower case", "[config][values]")
{
	auto m = parse_mac("02:00:0A:ff:00:01");
	REQUIRE(m);
	CHECK(to_string(*m) == "02:00:0a:ff:00:01");
	CHECK_FALSE(mac_is_multicast(*m));
	CHECK(mac_is_multicast(*parse_mac("01:00:5e:00:00:01")));
	for (const char* bad : {"", "02:00:0a:ff:00", "02:00:0a:ff:00:01:02", "2:00:0a:ff:00:01",
	                        "02-00-0a-ff-00-01", "02:00:0a:ff:00:0g", "02:00:0a:ff:00:01 "})
		CHECK_FALSE(parse_mac(bad));
}

TEST_CASE("IP addresses and prefixes parse strictly and round-trip", "[config][values]")
{
	auto a = parse_ip("192.0.2.1");
	REQUIRE(a);
	CHECK_FALSE(a->v6);
	CHECK(a->bytes[0] == 192);
	CHECK(a->bytes[3] == 1);
	CHECK(a->bytes[4] == 0);
	CHECK(to_string(*a) == "192.0.2.1");
	auto b = parse_ip("2001:DB8::1");
	REQUIRE(b);
	CHECK(b->v6);
	CHECK(to_string(*b) == "2001:db8::1");
	for (const char* bad :
	     {"", "192.0.2", "192.0.2.256", "192.0.2.1/24", "01.0.2.1", " 192.0.2.1",
	      "2001:db8::1%eth0", "2001:db8:::1", "12abc", "::ffff:1.2.3"})
		CHECK_FALSE(parse_ip(bad));

	auto p = parse_prefix("192.0.2.1/24");
	REQUIRE(p);
	CHECK(p->length == 24);
	CHECK(to_string(*p) == "192.0.2.1/24");
	CHECK(to_string(prefix_network(*p)) == "192.0.2.0/24");
	CHECK_FALSE(prefix_is_network(*p));
	CHECK(prefix_is_network(*parse_prefix("10.9.0.0/16")));
	CHECK(prefix_is_network(*parse_prefix("0.0.0.0/0")));
	CHECK(to_string(*parse_prefix("2001:db8::1/64")) == "2001:db8::1/64");
	CHECK(to_string(prefix_network(*parse_prefix("2001:db8:1:2:3::1/61"))) ==
	      "2001:db8:1::/61");
	for (const char* bad : {"192.0.2.1", "192.0.2.1/", "192.0.2.1/33", "192.0.2.1/024",
	                        "192.0.2.1/2a", "2001:db8::/129", "/24", "192.0.2.1/24/1"})
		CHECK_FALSE(parse_prefix(bad));
}

TEST_CASE("prefix_contains compares the prefix bits of the same family only", "[config][values]")
{
	const auto p = *parse_prefix("192.0.2.1/24");
	CHECK(prefix_contains(p, *parse_ip("192.0.2.254")));
	CHECK(prefix_contains(p, *parse_ip("192.0.2.0")));
	CHECK_FALSE(prefix_contains(p, *parse_ip("192.0.3.1")));
	CHECK_FALSE(prefix_contains(p, *parse_ip("::c000:201")));
	const auto q = *parse_prefix("10.0.0.0/13");
	CHECK(prefix_contains(q, *parse_ip("10.7.255.255")));
	CHECK_FALSE(prefix_contains(q, *parse_ip("10.8.0.0")));
	CHECK(prefix_contains(*parse_prefix("0.0.0.0/0"), *parse_ip("203.0.113.9")));
	const auto v6 = *parse_prefix("2001:db8:ffff::1/64");
	CHECK(prefix_contains(v6, *parse_ip("2001:db8:ffff::fe")));
	CHECK_FALSE(prefix_contains(v6, *parse_ip("2001:db8:fffe::fe")));
	CHECK(prefix_contains(*parse_prefix("2001:db8::1/128"), *parse_ip("2001:db8::1")));
}
