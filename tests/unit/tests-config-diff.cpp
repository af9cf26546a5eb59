#include <catch2/catch.hpp>

#include <algorithm>

#include "common/config/loader.hpp"
#include "control/reload/diff.hpp"
#include "tests/unit/fixtures.hpp"

namespace config = tsunagi::config;

namespace {

const char* kBase = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1, vtep: 192.0.2.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: u0, role: underlay, device: d2, address: 192.0.2.1/24 }
tenants:
  - { name: x, vni: 10, hybrid_vlan: 100, attachments: [ { port: a0, vlan: 5 } ], vteps: [192.0.2.2] }
  - { name: y, vni: 11, hybrid_vlan: 101, attachments: [ { port: a0, vlan: 6 } ] }
)";

bool has(const std::vector<std::string>& lines, const std::string& text)
{
	return std::any_of(lines.begin(), lines.end(),
	                   [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

std::string replace(std::string s, const std::string& from, const std::string& to)
{
	s.replace(s.find(from), from.size(), to);
	return s;
}

}  // namespace

TEST_CASE("identical configurations have no differences", "[config][diff]")
{
	CHECK(config::diff(tsunagi::test::load_config(kBase), tsunagi::test::load_config(kBase))
	          .empty());
}

TEST_CASE("an added tenant is one + line with its keys", "[config][diff]")
{
	const std::string more =
	    std::string(kBase) +
	    "  - { name: z, vni: 12, hybrid_vlan: 102, attachments: [ { port: a0, vlan: 7 } ] }\n";
	const auto d =
	    config::diff(tsunagi::test::load_config(kBase), tsunagi::test::load_config(more));
	REQUIRE(d.size() == 1);
	CHECK(d[0].rfind("+ tenant z", 0) == 0);
	CHECK(has(d, "vni 12"));
	CHECK(has(d, "a0/7"));
}

TEST_CASE("a removed tenant is one - line", "[config][diff]")
{
	const auto d = config::diff(
	    tsunagi::test::load_config(kBase),
	    tsunagi::test::load_config(replace(kBase,
	                                       "  - { name: y, vni: 11, hybrid_vlan: 101, "
	                                       "attachments: [ { port: a0, vlan: 6 } ] }\n",
	                                       "")));
	REQUIRE(d.size() == 1);
	CHECK(d[0] == "- tenant y");
}

TEST_CASE("a changed tenant names the keys that changed with old and new values", "[config][diff]")
{
	const auto d =
	    config::diff(tsunagi::test::load_config(kBase),
	                 tsunagi::test::load_config(replace(kBase, "vteps: [192.0.2.2]",
	                                                    "vteps: [192.0.2.2, 192.0.2.3]")));
	REQUIRE(d.size() == 1);
	CHECK(d[0] == "~ tenant x: vteps [192.0.2.2] -> [192.0.2.2, 192.0.2.3]");
}

TEST_CASE("port and node changes are reported too", "[config][diff]")
{
	const auto d = config::diff(tsunagi::test::load_config(kBase),
	                            tsunagi::test::load_config(replace(
	                                replace(kBase, "device: d0", "device: d9"),
	                                "vtep: 192.0.2.1 }", "vtep: 192.0.2.1, mac_aging: 60 }")));
	CHECK(has(d, "~ port a0: device d0 -> d9"));
	CHECK(has(d, "~ node: mac_aging 300 -> 60"));
}
