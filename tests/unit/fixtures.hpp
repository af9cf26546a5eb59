// Configurations the unit tests share, and loading them inside a test.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/config/loader.hpp"

namespace tsunagi::test {

// A node with one port of each L2 role, a gateway and its neighbour, and one tenant with
// a single-tag and a QinQ attachment, an on-link and an off-link VTEP and a static MAC.
inline const char* kSmallNode = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1, vtep: 192.0.2.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: t0, role: trunk, device: d1 }
  - { name: u0, role: underlay, device: d2, address: 192.0.2.1/24, gateway: 192.0.2.254 }
neighbors:
  - { port: u0, address: 192.0.2.254, mac: "02:bb:00:00:00:fe" }
tenants:
  - name: x
    vni: 10
    hybrid_vlan: 100
    attachments: [ { port: a0, vlan: 5 }, { port: a0, vlan: 6, inner_vlan: 7 } ]
    vteps: [192.0.2.2, 203.0.113.9]
    static_macs: [ { mac: "02:00:00:00:00:99", port: a0, vlan: 5 } ]
)";

// The configuration `yaml` describes; the test fails if it is invalid.
// A node and ports with no tenants: two access ports, a trunk, an underlay and two
// interconnects, for tests that make their tenants themselves.
inline const char* kNodeAndPorts = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1, vtep: 192.0.2.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: a1, role: access, device: d1 }
  - { name: t0, role: trunk, device: d2 }
  - { name: u0, role: underlay, device: d3, address: 192.0.2.1/24, gateway: 192.0.2.254 }
  - { name: ix0, role: interconnect, device: d4, address: 203.0.113.2/30 }
  - { name: ix1, role: interconnect, device: d5 }
)";

inline config::Config load_config(const std::string& yaml)
{
	auto r = config::load_string(yaml);
	INFO((r.errors.empty() ? std::string() : r.errors.front().to_string()));
	REQUIRE(r.errors.empty());
	return *r.config;
}

// A directory of the test's own under /tmp, removed with everything in it at the end.
struct TempDir {
	std::string path;
	TempDir()
	{
		char tmpl[] = "/tmp/tsunagi-unit-XXXXXX";
		path = mkdtemp(tmpl);
	}
	~TempDir() { std::filesystem::remove_all(path); }
	TempDir(const TempDir&) = delete;
	TempDir& operator=(const TempDir&) = delete;
	// Writes `text` to the file `name` in it; returns its path.
	std::string write(const std::string& name, const std::string& text) const
	{
		std::ofstream(path + "/" + name, std::ios::binary) << text;
		return path + "/" + name;
	}
};

}  // namespace tsunagi::test
