// What tsunagid makes of the EVPN RIB (control/routes/evpn_tenants.hpp): an EVPN tenant's
// remote VTEPs and MACs written into the tables beside its static ones, edited in place, and
// shown by the shell.
#include <catch2/catch.hpp>
#include <memory>

#include "control/compile/compiler.hpp"
#include "control/compile/table_writer.hpp"
#include "control/routes/evpn_tenants.hpp"
#include "control/shell/shell.hpp"
#include "control/shell/show_evpn.hpp"
#include "fake_backend.hpp"
#include "tests/unit/evpn_routes.hpp"

using namespace tsunagi;
using namespace tsunagi::test::evpn;

namespace {

// Node VTEP 192.0.2.1; tenant alpha (VNI 10) takes EVPN and has one static VTEP and one
// pinned MAC; beta (VNI 20) does not take EVPN.
config::Config evpn_config()
{
	config::Config cfg = test::load(R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1, vtep: 192.0.2.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: u0, role: underlay, device: d2, address: 192.0.2.1/24, gateway: 192.0.2.254 }
neighbors:
  - { port: u0, address: 192.0.2.254, mac: "02:bb:00:00:00:fe" }
tenants:
  - name: alpha
    vni: 10
    hybrid_vlan: 100
    attachments: [ { port: a0, vlan: 5 } ]
    vteps: [192.0.2.2]
    static_macs: [ { mac: "02:00:00:00:00:99", vtep: 192.0.2.2 } ]
  - name: beta
    vni: 20
    hybrid_vlan: 200
    attachments: [ { port: a0, vlan: 6 } ]
)");
	cfg.node.evpn = config::Evpn{};
	cfg.node.evpn->peers.push_back({{}, ip(kRr), 0});
	cfg.tenants[0].evpn = true;
	return cfg;
}

// What a route reflector sends for VNIs 10 and 20: flood lists with the node's own VTEP
// reflected back and an IPv6 VTEP the node cannot reach (no IPv6 VTEP of its own), a MAC
// behind a VTEP that sent no type-3 route, and a MAC the YAML pins elsewhere.
void fill(routes::EvpnRib& rib)
{
	feed(rib, flood_route("192.0.2.3", 10));
	feed(rib, flood_route("192.0.2.1", 10));
	feed(rib, flood_route("2001:db8::5", 10, "65000:5"));
	feed(rib, flood_route("192.0.2.7", 20));
	feed(rib, mac_route("192.0.2.3", "02:00:00:00:00:03", 10));
	feed(rib, mac_route("192.0.2.4", "02:00:00:00:00:04", 10));
	feed(rib, mac_route("192.0.2.3", "02:00:00:00:00:99", 10));
}

std::vector<std::string> vtep_addresses(const abi::TableView& v, uint32_t tenant)
{
	std::vector<std::string> out;
	for (const uint32_t m : v.flood_list(tenant)) {
		if (v.members[m].kind == abi::MemberKind::vtep) {
			const abi::VtepEntry& e = v.vteps[v.vtep_of(m)];
			out.push_back(
			    std::to_string(e.dst_ip[0]) + "." + std::to_string(e.dst_ip[1]) + "." +
			    std::to_string(e.dst_ip[2]) + "." + std::to_string(e.dst_ip[3]));
		}
	}
	std::sort(out.begin(), out.end());
	return out;
}

// The VTEP each static MAC of `tenant` points at, by its last byte.
std::map<uint8_t, uint8_t> static_macs(const abi::TableView& v, uint32_t tenant)
{
	std::map<uint8_t, uint8_t> out;
	v.for_each_static([&](uint64_t key, uint32_t member) {
		if (key >> 48 == tenant && v.members[member].kind == abi::MemberKind::vtep) {
			out[uint8_t(key)] = v.vteps[v.vtep_of(member)].dst_ip[3];
		}
	});
	return out;
}

}  // namespace

TEST_CASE("evpn tenants: flood lists and remote MACs complete the YAML's tenant", "[evpn][tables]")
{
	const config::Config cfg = evpn_config();
	routes::EvpnRib rib;
	fill(rib);

	const auto use = routes::evpn_use(cfg.tenants[0], cfg.node, rib);
	REQUIRE(use.flood == std::vector<config::IpAddr>{ip("192.0.2.3")});
	REQUIRE(use.macs.size() == 2);  // the pinned one is the YAML's
	CHECK(use.macs[0].first == mac("02:00:00:00:00:03"));
	CHECK(use.macs[1].second.vtep == ip("192.0.2.4"));

	const config::Tenant alpha = routes::with_evpn(cfg.tenants[0], cfg.node, rib);
	CHECK(alpha.vteps ==
	      std::vector<config::IpAddr>{ip("192.0.2.2"), ip("192.0.2.3"), ip("192.0.2.4")});
	REQUIRE(alpha.static_macs.size() == 3);
	CHECK(alpha.static_macs[0].vtep == ip("192.0.2.2"));  // the YAML's, first and unmoved

	// A tenant without the switch, or a node without node.evpn, takes nothing.
	CHECK(routes::with_evpn(cfg.tenants[1], cfg.node, rib).vteps.empty());
	config::Node plain = cfg.node;
	plain.evpn.reset();
	CHECK(routes::with_evpn(cfg.tenants[0], plain, rib).vteps.size() == 1);
	CHECK(!routes::any_evpn(config::Config{}));
	CHECK(routes::any_evpn(cfg));

	// Changes name the EVPN tenants of their VNIs only.
	const auto changes = rib.take_changed();
	CHECK(routes::evpn_tenants_changed(cfg, changes) == std::vector<size_t>{0});
	CHECK(rib.l2_vnis() == std::vector<uint32_t>{10, 20});
}

TEST_CASE("evpn tenants: written in place, withdrawn in place", "[evpn][tables]")
{
	const config::Config cfg = evpn_config();
	const uint64_t gen = 1;
	const compile::IdPlan ids(cfg, nullptr, gen);
	const auto layout = compile::Layout::plan(cfg, ids, true);
	auto image = compile::Image::zeroed(layout.total);
	compile::TableWriter w(image.data(), layout, cfg, ids, {});
	uint64_t header = *w.commit(gen);
	abi::TableView v(image.data(), header);
	const uint32_t alpha = v.tenant_by_name("alpha");
	CHECK(vtep_addresses(v, alpha) == std::vector<std::string>{"192.0.2.2"});

	routes::EvpnRib rib;
	fill(rib);
	REQUIRE(w.upsert_tenant(routes::with_evpn(cfg.tenants[0], cfg.node, rib), 2));
	header = *w.commit(2);
	v = abi::TableView(image.data(), header);
	CHECK(vtep_addresses(v, alpha) ==
	      std::vector<std::string>{"192.0.2.2", "192.0.2.3", "192.0.2.4"});
	CHECK(static_macs(v, alpha) == std::map<uint8_t, uint8_t>{{0x03, 3}, {0x04, 4}, {0x99, 2}});

	// The RR withdraws VTEP .3's routes: its MAC and its place in the flood list go.
	feed(rib,
	     test::evpn_withdraw({test::evpn_multicast("192.0.2.3:2", "192.0.2.3"),
	                          test::evpn_mac_ip("65000:10", "02:00:00:00:00:03", "", 10)}));
	REQUIRE(routes::evpn_tenants_changed(cfg, rib.take_changed()) == std::vector<size_t>{0});
	REQUIRE(w.upsert_tenant(routes::with_evpn(cfg.tenants[0], cfg.node, rib), 3));
	header = *w.commit(3);
	v = abi::TableView(image.data(), header);
	CHECK(vtep_addresses(v, alpha) == std::vector<std::string>{"192.0.2.2", "192.0.2.4"});
	CHECK(static_macs(v, alpha) == std::map<uint8_t, uint8_t>{{0x04, 4}, {0x99, 2}});
}

TEST_CASE("evpn tenants: show evpn vni, mac and vteps", "[evpn][shell]")
{
	struct Evpn : test::FakeBackend {
		std::optional<std::vector<shell::EvpnTenant>> state;
		std::optional<std::vector<shell::EvpnTenant>> evpn() const override
		{
			return state;
		}
	} b;
	shell::Shell sh(b);
	shell::Session s;
	CHECK(sh.exec(s, "show evpn vni").output.starts_with("% EVPN is not configured"));

	b.state.emplace();
	b.state->push_back({"alpha", 10, 3000, {ip("192.0.2.3"), ip("192.0.2.4")}, {}});
	b.state->back().macs.push_back(
	    {mac("02:00:00:00:00:03"), ip("192.0.2.3"), true, 4, {ip("10.1.0.3")}});
	b.state->back().local.push_back(mac("02:00:00:00:00:0a"));
	b.state->push_back({"gamma", 30, 0, {ip("192.0.2.3")}, {}});

	const auto vni = nlohmann::json::parse(sh.exec(s, "show evpn vni json").output);
	REQUIRE(vni["vnis"].size() == 2);
	CHECK(vni["vnis"][0]["l3Vni"] == 3000);
	CHECK(vni["vnis"][0]["remoteMacs"] == 1);
	CHECK(vni["vnis"][0]["localMacs"] == 1);
	CHECK(vni["vnis"][1]["l3Vni"].is_null());
	const std::string text = sh.exec(s, "show evpn vni").output;
	CHECK(text.find("192.0.2") == std::string::npos);  // counts, not lists
	CHECK(text.find("alpha") != std::string::npos);

	const auto macs =
	    nlohmann::json::parse(sh.exec(s, "show evpn mac tenant alpha json").output);
	REQUIRE(macs["macs"].size() == 2);
	CHECK(macs["macs"][0]["type"] == "remote");
	CHECK(macs["macs"][0]["vtep"] == "192.0.2.3");
	CHECK(macs["macs"][0]["sticky"] == true);
	CHECK(macs["macs"][0]["ips"][0] == "10.1.0.3");
	CHECK(macs["macs"][1]["type"] == "local");
	CHECK(macs["macs"][1]["mac"] == "02:00:00:00:00:0a");
	CHECK(macs["macs"][1]["vtep"].is_null());
	const std::string mac_text = sh.exec(s, "show evpn mac").output;
	CHECK(mac_text.find("sticky") != std::string::npos);
	CHECK(mac_text.starts_with("1 remote MACs, 1 local MACs\n"));
	CHECK(sh.exec(s, "show evpn mac tenant nobody").output ==
	      "% No EVPN tenant named nobody\n");

	const auto vteps = nlohmann::json::parse(sh.exec(s, "show evpn vteps json").output);
	REQUIRE(vteps["vteps"].size() == 2);
	CHECK(vteps["vteps"][0]["vtep"] == "192.0.2.3");
	CHECK(vteps["vteps"][0]["vnis"] == nlohmann::json::array({10, 30}));
	CHECK(vteps["vteps"][0]["remoteMacs"] == 1);
	CHECK(vteps["vteps"][1]["tenants"] == nlohmann::json::array({"alpha"}));
}
