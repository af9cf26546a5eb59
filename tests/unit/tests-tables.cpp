#include <catch2/catch.hpp>

#include <cstring>

#include "common/abi/table_view.hpp"
#include "common/config/loader.hpp"
#include "control/compile/compiler.hpp"
#include "dataplane/pkt/flow_hash.hpp"
#include "tests/unit/fixtures.hpp"
#include "tests/unit/packet_builder.hpp"

namespace abi = tsunagi::abi;
namespace compile = tsunagi::compile;
namespace config = tsunagi::config;
using tsunagi::test::kSmallNode;
using tsunagi::test::load_config;

TEST_CASE("a compiled image passes its own checks and names its ports and tenants", "[tables]")
{
	const auto img = compile::compile(load_config(kSmallNode), 7);
	REQUIRE(abi::TableView::check(img.data(), img.size()).empty());
	const abi::TableView t(img.data());
	CHECK(t.generation() == 7);
	CHECK(t.ports.size == 3);
	CHECK(t.port_by_name("t0") == 1);
	CHECK(t.tenant_by_name("x") == 0);
	CHECK(t.tenant_by_name("y") == abi::kNone);
	// Members: the trunk first, then two attachments, then two VTEPs.
	const auto flood = t.flood_list(0);
	REQUIRE(flood.size == 5);
	CHECK(t.members[flood[0]].kind == abi::MemberKind::trunk);
	CHECK(t.members[flood[4]].kind == abi::MemberKind::vtep);
	const uint64_t s = t.access_map.find(abi::access_key(0, true, 6, 7));
	REQUIRE(abi::ref_value(s) != abi::kNone);
	CHECK(abi::ref_aux(s) == 0);
	CHECK(t.members[abi::ref_value(s)].inner_vlan == 7);
	CHECK(t.access_map.find(abi::access_key(0, false, 6, 0)) == abi::kEmptyRef);
	// Single tags: one VLAN map entry per (port, VID), the trunk's at the hybrid VLAN.
	CHECK(t.vlan_ref(0, 6) == abi::kEmptyRef);
	CHECK(abi::ref_aux(t.vlan_ref(0, 5)) == 0);
	CHECK(t.members[abi::ref_value(t.vlan_ref(0, 5))].vlan == 5);
	CHECK(abi::ref_value(t.vlan_ref(1, 100)) == flood[0]);
	CHECK(abi::ref_aux(t.vlan_ref(1, 100)) == 0);
	CHECK(t.vlan_ref(1, 101) == abi::kEmptyRef);
	CHECK(t.vlan_ref(0, 100) == abi::kEmptyRef);
	CHECK(t.header().static_count == 1);
	const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x99};
	const uint64_t st = t.static_map.find(abi::static_mac_key(0, mac));
	REQUIRE(abi::ref_value(st) != abi::kNone);
	CHECK(t.members[abi::ref_value(st)].vlan == 5);
}

TEST_CASE("ports without a mac get a locally administered one from their position", "[tables]")
{
	const auto img = compile::compile(load_config(kSmallNode), 1);
	const abi::TableView t(img.data());
	const uint8_t want[6] = {0x02, 0x54, 0x53, 0x00, 0x00, 0x02};
	CHECK(std::memcmp(t.ports[2].mac, want, 6) == 0);
}

TEST_CASE("a VTEP outside the underlay subnet is reached through the gateway", "[tables]")
{
	const auto img = compile::compile(load_config(kSmallNode), 1);
	const abi::TableView t(img.data());
	REQUIRE(t.vteps.size == 2);
	// 192.0.2.2 is on-link but has no neighbour entry: unresolved until ARP supplies one.
	CHECK(t.vteps[0].resolved == 0);
	CHECK(t.vteps[1].resolved == 1);
	const uint8_t gw[6] = {0x02, 0xbb, 0x00, 0x00, 0x00, 0xfe};
	CHECK(std::memcmp(t.vteps[1].dst_mac, gw, 6) == 0);
	CHECK(t.vteps[1].out_port == 2);
}

TEST_CASE("a table image of another ABI version is refused with a clear message", "[tables]")
{
	auto img = compile::compile(load_config(kSmallNode), 1);
	img.header().abi_version = abi::kAbiVersion + 1;
	const std::string why = abi::TableView::check(img.data(), img.size());
	CHECK_THAT(why, Catch::Contains("ABI version") && Catch::Contains("does not match"));
	img.header().abi_version = abi::kAbiVersion;
	img.header().magic = 0;
	CHECK_THAT(abi::TableView::check(img.data(), img.size()), Catch::Contains("magic"));
}

TEST_CASE("a truncated or inconsistent table image is refused", "[tables]")
{
	auto img = compile::compile(load_config(kSmallNode), 1);
	CHECK_FALSE(abi::TableView::check(img.data(), img.size() - 1).empty());
	CHECK_FALSE(abi::TableView::check(img.data(), 16).empty());
	img.header().members.offset = img.size();
	img.header().members.count = 1;
	CHECK_THAT(abi::TableView::check(img.data(), img.size()), Catch::Contains("outside"));
}

TEST_CASE("an image whose static map or ring is out of bounds or misshapen is refused", "[tables]")
{
	auto img = compile::compile(load_config(kSmallNode), 1);
	REQUIRE(abi::TableView::check(img.data(), img.size()).empty());
	const abi::Header good = img.header();
	auto refused = [&](auto edit) {
		img.header() = good;
		edit(img.header());
		return abi::TableView::check(img.data(), img.size()).find("outside") !=
		       std::string::npos;
	};
	CHECK(refused([&](abi::Header& h) { h.static_map.offset = img.size(); }));
	CHECK(refused([](abi::Header& h) { h.static_map.count <<= 40; }));
	CHECK(refused([](abi::Header& h) { h.static_map.count += 1; }));
	CHECK(refused([](abi::Header& h) { h.static_log.count = 0; }));
	CHECK(refused([](abi::Header& h) { h.static_log.count = 3; }));
	CHECK(refused([](abi::Header& h) { h.static_log.offset += 4; }));
	CHECK(refused([&](abi::Header& h) { h.static_log.offset = img.size() - 16; }));
}

TEST_CASE("the flow hash depends on the flow and not on the payload", "[pkt]")
{
	namespace test = tsunagi::test;
	const auto a = test::mac("02:00:00:00:00:01"), b = test::mac("02:00:00:00:00:02");
	auto f1 = test::ipv4_udp_frame(a, b, 1, 2, 1000, 2000, 20);
	auto f2 = test::ipv4_udp_frame(a, b, 1, 2, 1000, 2000, 40);
	auto f3 = test::ipv4_udp_frame(a, b, 1, 2, 1001, 2000, 20);
	const auto h = [](const test::Bytes& f) {
		return tsunagi::pkt::flow_hash(f.data(), uint32_t(f.size()));
	};
	CHECK(h(f1) == h(f2));
	CHECK(h(f1) != h(f3));
	for (uint32_t x : {h(f1), h(f3)}) {
		const uint16_t port = tsunagi::pkt::vxlan_src_port(x);
		CHECK(port >= 49152);
	}
}

namespace {

std::string with_tenant(const std::string& yaml, const std::string& tenant)
{
	return yaml + tenant;
}

const char* kTenantY =
    "  - { name: y, vni: 11, hybrid_vlan: 101, attachments: [ { port: a0, vlan: 8 } ] }\n";

}  // namespace

TEST_CASE("a recompiled image keeps every surviving tenant's and member's index", "[tables][ids]")
{
	const auto before = compile::compile(load_config(with_tenant(kSmallNode, kTenantY)), 1);
	const abi::TableView old(before.data());
	// Remove x (the first tenant), keep y, add z.
	std::string next = with_tenant(kSmallNode, kTenantY);
	next.replace(next.find("  - name: x"),
	             next.find("  - { name: y") - next.find("  - name: x"), "");
	next +=
	    "  - { name: z, vni: 12, hybrid_vlan: 102, attachments: [ { port: a0, vlan: 9 } ] }\n";
	const auto after = compile::compile(load_config(next), 2, {}, &old);
	REQUIRE(abi::TableView::check(after.data(), after.size()).empty());
	const abi::TableView now(after.data());
	CHECK(now.header().id_epoch == old.header().id_epoch);
	CHECK(now.tenant_by_name("y") == old.tenant_by_name("y"));
	CHECK(now.tenant_by_name("x") == abi::kNone);
	CHECK(now.tenant_by_name("z") == old.tenants.size);  // appended, x's index left unused
	CHECK(now.tenants[old.tenant_by_name("x")].live == 0);
	const uint64_t y_old = old.vlan_ref(0, 8);
	const uint64_t y_new = now.vlan_ref(0, 8);
	REQUIRE((y_old != abi::kEmptyRef && y_new != abi::kEmptyRef));
	CHECK(abi::ref_value(y_new) == abi::ref_value(y_old));
	// x's members are holes now, and nothing new took their indexes.
	const uint64_t x_old = old.vlan_ref(0, 5);
	REQUIRE(x_old != abi::kEmptyRef);
	CHECK(now.members[abi::ref_value(x_old)].kind == abi::MemberKind::unused);
	CHECK(now.vlan_ref(0, 5) == abi::kEmptyRef);
}

TEST_CASE("without a previous image, or when holes dominate, indexes start a new epoch",
          "[tables][ids]")
{
	const auto first = compile::compile(load_config(kSmallNode), 5);
	const abi::TableView a(first.data());
	CHECK(a.header().id_epoch == 5);
	// Churn one tenant through many names: holes pile up until the plan renumbers.
	auto img = compile::compile(load_config(kSmallNode), 6, {}, &a);
	uint32_t epoch_changes = 0;
	for (int i = 0; i < 200; ++i) {
		const abi::TableView prev(img.data());
		std::string yaml = kSmallNode;
		yaml.replace(yaml.find("name: x"), 7, "name: x" + std::to_string(i));
		auto next = compile::compile(load_config(yaml), uint64_t(7 + i), {}, &prev);
		const abi::TableView now(next.data());
		epoch_changes += now.header().id_epoch != prev.header().id_epoch;
		CHECK(now.tenants.size <= 2 * 1 + 64 + 1);
		img = std::move(next);
	}
	CHECK(epoch_changes >= 1);
}
