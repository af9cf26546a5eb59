// Tenant isolation: whatever arrives, nothing leaves on another tenant's member.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <tuple>

#include "tests/unit/packet_builder.hpp"

namespace test = tsunagi::test;
using test::Bytes;
using test::MacBytes;

namespace {

const char* kThreeTenants = R"(
node: { name: iso, asn: 65000, router_id: 10.255.0.1, vtep: 192.0.2.1 }
ports:
  - { name: a0, role: access, device: net_null0, mac: "02:00:00:00:01:01" }
  - { name: a1, role: access, device: net_null1, mac: "02:00:00:00:01:02" }
  - { name: t0, role: trunk, device: net_null2, mac: "02:00:00:00:01:03" }
  - { name: u0, role: underlay, device: net_null3, mac: "02:00:00:00:01:04", address: 192.0.2.1/24 }
neighbors:
  - { port: u0, address: 192.0.2.2, mac: "02:bb:00:00:00:02" }
  - { port: u0, address: 192.0.2.3, mac: "02:bb:00:00:00:03" }
tenants:
  - name: t-a
    vni: 5001
    hybrid_vlan: 501
    attachments: [ { port: a0, vlan: 10 }, { port: a1, vlan: 10 }, { port: a1, vlan: 30, inner_vlan: 7 } ]
    vteps: [192.0.2.2]
  - name: t-b
    vni: 5002
    hybrid_vlan: 502
    attachments: [ { port: a0, vlan: 20 }, { port: a1, vlan: 30, inner_vlan: 8 } ]
    vteps: [192.0.2.2, 192.0.2.3]
  - name: t-c
    vni: 5003
    hybrid_vlan: 503
    attachments: [ { port: a0, vlan: 11 }, { port: a1, vlan: 11 } ]
    vteps: [192.0.2.3]
    mac_limit: 6
)";

constexpr int kNone = -1;

// The test's own model of which tenant a frame belongs to.
struct Model {
	std::map<std::tuple<std::string, bool, uint16_t, uint16_t>, int> access = {
	    {{"a0", false, 10, 0}, 0}, {{"a1", false, 10, 0}, 0}, {{"a1", true, 30, 7}, 0},
	    {{"a0", false, 20, 0}, 1}, {{"a1", true, 30, 8}, 1},  {{"a0", false, 11, 0}, 2},
	    {{"a1", false, 11, 0}, 2}};
	std::map<uint16_t, int> trunk = {{501, 0}, {502, 1}, {503, 2}};
	std::map<uint32_t, int> vni = {{5001, 0}, {5002, 1}, {5003, 2}};

	int of_output(const test::Emitted& e) const
	{
		const Bytes& b = e.bytes;
		if (e.port == "u0") {
			auto it = vni.find(test::be32(b, 46) >> 8);
			return it == vni.end() ? kNone : it->second;
		}
		const uint16_t tpid = test::be16(b, 12);
		const uint16_t vid = test::be16(b, 14) & 0xfff;
		if (e.port == "t0") {
			auto it = trunk.find(vid);
			return tpid == 0x8100 && it != trunk.end() ? it->second : kNone;
		}
		const bool qinq = tpid == 0x88a8;
		const uint16_t inner = qinq ? test::be16(b, 18) & 0xfff : 0;
		auto it = access.find({e.port, qinq, vid, inner});
		return it == access.end() ? kNone : it->second;
	}
};

}  // namespace

TEST_CASE("100 000 random frames over three tenants never leave on another tenant's member",
          "[pipeline][isolation]")
{
	test::Harness h(kThreeTenants, 1024);
	Model model;
	std::mt19937 rng(20261123);
	const std::vector<std::string> access_ports = {"a0", "a1"};
	const std::vector<uint16_t> vids = {10, 11, 20, 30, 99, 501, 502, 503};
	const std::vector<uint32_t> vnis = {5001, 5002, 5003, 6000};
	const std::vector<std::string> vteps = {"192.0.2.2", "192.0.2.3", "192.0.2.9"};
	auto host = [&](uint8_t i) { return MacBytes{0x02, 0, 0, 0, 0x77, i}; };
	const MacBytes bcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const MacBytes u0 = test::mac("02:00:00:00:01:04");

	size_t emitted = 0, leaked = 0, unclassified_out = 0;
	for (uint32_t i = 0; i < 100'000; ++i) {
		// Hosts share MAC addresses across tenants on purpose.
		const MacBytes dst = rng() % 4 == 0 ? bcast : host(uint8_t(rng() % 12));
		const MacBytes src = host(uint8_t(rng() % 12));
		const Bytes inner = test::ipv4_udp_frame(dst, src, rng(), rng(), uint16_t(rng()),
		                                         uint16_t(rng()), rng() % 64);
		const uint16_t pcp = uint16_t((rng() % 16) << 12);
		std::string port;
		Bytes f;
		int tenant = kNone;
		switch (rng() % 3) {
			case 0: {
				port = access_ports[rng() % 2];
				const uint16_t vid = vids[rng() % vids.size()];
				if (rng() % 3 == 0) {
					const uint16_t in = uint16_t(7 + rng() % 3);
					f = test::with_tags(
					    inner, {{0x88a8, uint16_t(pcp | vid)}, {0x8100, in}});
					auto it = model.access.find({port, true, vid, in});
					tenant = it == model.access.end() ? kNone : it->second;
				} else {
					f = test::with_tags(inner, {{0x8100, uint16_t(pcp | vid)}});
					auto it = model.access.find({port, false, vid, 0});
					tenant = it == model.access.end() ? kNone : it->second;
				}
				break;
			}
			case 1: {
				port = "t0";
				const uint16_t vid = vids[rng() % vids.size()];
				f = test::with_tags(inner, {{0x8100, uint16_t(pcp | vid)}});
				auto it = model.trunk.find(vid);
				tenant = it == model.trunk.end() ? kNone : it->second;
				break;
			}
			default: {
				port = "u0";
				const uint32_t vni = vnis[rng() % vnis.size()];
				const std::string& vtep = vteps[rng() % vteps.size()];
				f = test::vxlan4(u0, test::mac("02:bb:00:00:00:02"), vtep,
				                 "192.0.2.1", vni, inner);
				auto it = model.vni.find(vni);
				const bool listed = it != model.vni.end() &&
				                    ((it->second == 0 && vtep == "192.0.2.2") ||
				                     (it->second == 1 && vtep != "192.0.2.9") ||
				                     (it->second == 2 && vtep == "192.0.2.3"));
				tenant = listed ? it->second : kNone;
				break;
			}
		}
		const auto out = h.send(port, f, 1000 + i / 1000);
		for (const auto& e : out) {
			++emitted;
			const int t = model.of_output(e);
			if (t == kNone) {
				++unclassified_out;
			} else if (t != tenant) {
				++leaked;
			}
		}
	}
	INFO("frames emitted: " << emitted);
	CHECK(emitted > 30'000);  // many frames are invalid on purpose
	CHECK(unclassified_out == 0);
	CHECK(leaked == 0);
}
