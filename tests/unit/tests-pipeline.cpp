#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <rte_ip.h>

#include <cstring>

#include "dataplane/pkt/stripped_tag.hpp"
#include "tests/unit/fixtures.hpp"
#include "tests/unit/packet_builder.hpp"

namespace abi = tsunagi::abi;
namespace dp = tsunagi::dp;
namespace test = tsunagi::test;
namespace pkt = tsunagi::pkt;
namespace compile = tsunagi::compile;
using tsunagi::test::load_config;
using namespace tsunagi::test;
using dp::Drop;

namespace {

const char* kConfig = R"(
node:
  name: t1
  asn: 65000
  router_id: 10.255.0.1
  vtep: [192.0.2.1, "2001:db8::1"]
ports:
  - { name: cloud0, role: access, device: null0, mac: "02:00:00:00:01:01" }
  - { name: srv0, role: access, device: null1, mac: "02:00:00:00:01:02" }
  - { name: bb0, role: trunk, device: null2, mac: "02:00:00:00:01:03" }
  - { name: core0, role: underlay, device: null3, mac: "02:00:00:00:01:04",
      address: [192.0.2.1/24, "2001:db8::1/64"], gateway: 192.0.2.254, mtu: 1600 }
neighbors:
  - { port: core0, address: 192.0.2.254, mac: "02:bb:00:00:00:fe" }
  - { port: core0, address: 192.0.2.2, mac: "02:bb:00:00:00:02" }
  - { port: core0, address: "2001:db8::2", mac: "02:bb:00:00:00:62" }
tenants:
  - name: red
    vni: 100001
    hybrid_vlan: 3001
    attachments:
      - { port: cloud0, vlan: 1234 }
      - { port: srv0, vlan: 100, inner_vlan: 20 }
    vteps: [192.0.2.2, 198.51.100.7, "2001:db8::2"]
    mac_limit: 3
  - name: blue
    vni: 100002
    hybrid_vlan: 3002
    attachments:
      - { port: cloud0, vlan: 1235 }
      - { port: srv0, vlan: 200 }
)";

const MacBytes kH1 = mac("02:00:00:00:00:01");
const MacBytes kH2 = mac("02:00:00:00:00:02");
const MacBytes kBcast = mac("ff:ff:ff:ff:ff:ff");
const MacBytes kCore = mac("02:00:00:00:01:04");
const MacBytes kRemote = mac("02:bb:00:00:00:02");

Bytes frame(const MacBytes& dst, const MacBytes& src)
{
	return ipv4_udp_frame(dst, src, 0x0a010001, 0x0a010002, 1000, 2000);
}

const Emitted* on(const std::vector<Emitted>& out, const std::string& port)
{
	for (const auto& e : out) {
		if (e.port == port) {
			return &e;
		}
	}
	return nullptr;
}

}  // namespace

TEST_CASE("a known unicast frame is translated between attachments keeping PCP and DEI",
          "[pipeline][rewrite]")
{
	Harness h(kConfig);
	// Teach the pipeline where H2 lives (QinQ attachment srv0 100/20).
	h.send("srv0", with_tags(frame(kBcast, kH2), {{0x88a8, 100}, {0x8100, 20}}));
	auto out = h.send("cloud0", with_tags(frame(kH2, kH1), {{0x8100, 0xb000 | 1234}}));
	REQUIRE(out.size() == 1);
	CHECK(out[0].port == "srv0");
	const Bytes& b = out[0].bytes;
	CHECK(be16(b, 12) == 0x88a8);
	CHECK(be16(b, 14) == (0xb000 | 100));
	CHECK(be16(b, 16) == 0x8100);
	CHECK(be16(b, 18) == (0xb000 | 20));
	CHECK(be16(b, 20) == 0x0800);
	const Bytes orig = frame(kH2, kH1);
	CHECK(Bytes(b.begin() + 22, b.end()) == Bytes(orig.begin() + 14, orig.end()));
}

TEST_CASE("unknown destinations flood to every member but the ingress one", "[pipeline][flood]")
{
	Harness h(kConfig);
	auto out = h.send("cloud0", with_tags(frame(kBcast, kH1), {{0x8100, 1234}}));
	// srv0 (QinQ), bb0 (trunk), and two resolved VTEPs; 198.51.100.7 goes via the gateway.
	REQUIRE(out.size() == 5);
	CHECK(on(out, "cloud0") == nullptr);
	REQUIRE(on(out, "bb0") != nullptr);
	CHECK(be16(on(out, "bb0")->bytes, 14) == 3001);
	size_t vxlan = 0;
	for (const auto& e : out) {
		vxlan += e.port == "core0";
	}
	CHECK(vxlan == 3);
	CHECK(h.counters().tenants[0].rx_packets == 1);
	CHECK(h.counters().tenants[0].tx_packets == 5);
}

namespace {

// What three floods give, in order, from a pipeline whose flood copies share the frame's
// payload (`chains`) or are whole copies: single-tagged in (every member's tags grow or
// stay), QinQ in (they shrink), and from a VTEP (the inner frame, untagged).
std::vector<std::vector<Emitted>> floods(bool chains, size_t payload)
{
	Harness h(kConfig);
	h.pipeline().set_chain_ports(chains ? ~uint64_t{0} : 0);
	const Bytes big = ipv4_udp_frame(kBcast, kH1, 0x0a010001, 0x0a010002, 1000, 2000, payload);
	const Bytes qinq = with_tags(frame(kBcast, kH2), {{0x88a8, 100}, {0x8100, 20}});
	return {h.send("cloud0", with_tags(big, {{0x8100, 0xa000 | 1234}})), h.send("srv0", qinq),
	        h.send("core0", vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 100001,
	                               frame(kBcast, kH2)))};
}

}  // namespace

TEST_CASE("flood copies that share the frame's payload leave byte for byte as whole copies",
          "[pipeline][flood]")
{
	const unsigned free_before = rte_mempool_avail_count(test_pool());
	for (size_t payload : {size_t(18), size_t(1400)}) {
		const auto shared = floods(true, payload);
		const auto copied = floods(false, payload);
		REQUIRE(shared.size() == copied.size());
		for (size_t i = 0; i < shared.size(); ++i) {
			REQUIRE(shared[i].size() == copied[i].size());
			CHECK(!shared[i].empty());
			for (size_t j = 0; j < shared[i].size(); ++j) {
				CHECK(shared[i][j].port == copied[i][j].port);
				INFO("flood " << i << " copy " << j << " to " << shared[i][j].port);
				const Bytes& a = shared[i][j].bytes;
				const Bytes& b = copied[i][j].bytes;
				size_t k = 0;
				while (k < a.size() && k < b.size() && a[k] == b[k]) {
					++k;
				}
				INFO("sizes " << a.size() << " " << b.size() << ", first difference at " << k);
				CHECK(a == b);
			}
		}
	}
	// Every header segment, indirect segment and the frames they shared went back.
	CHECK(rte_mempool_avail_count(test_pool()) == free_before);
}

TEST_CASE("flood copies dropped on their way out free what they share", "[pipeline][flood]")
{
	Harness h(kConfig);
	const unsigned free_before = rte_mempool_avail_count(test_pool());
	// Fits core0's MTU of 1600 in VXLAN but not the access ports' 1500: the copies to the
	// attachments are dropped after sharing the frame's payload.
	const Bytes big = ipv4_udp_frame(kBcast, kH1, 0x0a010001, 0x0a010002, 1000, 2000, 1480);
	auto out = h.send("bb0", with_tags(big, {{0x8100, 3001}}));
	CHECK(out.size() == 3);
	CHECK(h.drops(Drop::mtu_exceeded) == 2);
	CHECK(h.counters().flooded == 1);
	CHECK(rte_mempool_avail_count(test_pool()) == free_before);
}

TEST_CASE("a trunk frame is classified by hybrid_vlan and never leaks to another tenant",
          "[pipeline][isolation]")
{
	Harness h(kConfig);
	auto out = h.send("bb0", with_tags(frame(kBcast, kH1), {{0x8100, 3002}}));
	REQUIRE(out.size() == 2);
	for (const auto& e : out) {
		CHECK((e.port == "cloud0" || e.port == "srv0"));
	}
	CHECK(be16(on(out, "cloud0")->bytes, 14) == 1235);
	CHECK(be16(on(out, "srv0")->bytes, 14) == 200);
}

TEST_CASE("VXLAN encapsulation over IPv4 follows DESIGN section 3", "[pipeline][encap]")
{
	Harness h(kConfig);
	// H2 lives behind 192.0.2.2.
	h.send("core0",
	       vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 100001, frame(kBcast, kH2)));
	const Bytes inner = frame(kH2, kH1);
	auto out = h.send("cloud0", with_tags(inner, {{0x8100, 0xe000 | 1234}}));
	REQUIRE(out.size() == 1);
	const Bytes& b = out[0].bytes;
	CHECK(out[0].port == "core0");
	CHECK(Bytes(b.begin(), b.begin() + 6) == Bytes(kRemote.begin(), kRemote.end()));
	CHECK(Bytes(b.begin() + 6, b.begin() + 12) == Bytes(kCore.begin(), kCore.end()));
	CHECK(be16(b, 12) == 0x0800);
	CHECK(b[14] == 0x45);
	CHECK(be16(b, 16) == 20 + 8 + 8 + inner.size());
	CHECK(be16(b, 20) == 0x4000);  // DF
	CHECK(b[22] == 64);
	CHECK(b[23] == 17);
	CHECK(rte_raw_cksum(b.data() + 14, 20) == 0xffff);
	CHECK(be32(b, 26) == 0xc0000201);
	CHECK(be32(b, 30) == 0xc0000202);
	const uint16_t sport = be16(b, 34);
	CHECK(sport >= 49152);
	CHECK(be16(b, 36) == 4789);
	CHECK(be16(b, 38) == 8 + 8 + inner.size());
	CHECK(be16(b, 40) == 0);
	CHECK(b[42] == 0x08);
	CHECK((be32(b, 46) >> 8) == 100001);
	CHECK(Bytes(b.begin() + 50, b.end()) == inner);  // untagged inner frame

	// Same flow, same source port; another flow spreads.
	auto again = h.send("cloud0", with_tags(inner, {{0x8100, 1234}}));
	CHECK(be16(again[0].bytes, 34) == sport);
}

TEST_CASE("VXLAN over IPv6 carries a valid UDP checksum and hop limit 64", "[pipeline][encap]")
{
	Harness h(kConfig);
	h.send("core0", vxlan6(kCore, mac("02:bb:00:00:00:62"), "2001:db8::2", "2001:db8::1",
	                       100001, frame(kBcast, kH2)));
	auto out = h.send("cloud0", with_tags(frame(kH2, kH1), {{0x8100, 1234}}));
	REQUIRE(out.size() == 1);
	const Bytes& b = out[0].bytes;
	CHECK(be16(b, 12) == 0x86dd);
	CHECK(b[14 + 6] == 17);
	CHECK(b[14 + 7] == 64);
	CHECK(be16(b, 54 + 2) == 4789);
	const auto* ip6 = reinterpret_cast<const rte_ipv6_hdr*>(b.data() + 14);
	CHECK(be16(b, 54 + 6) != 0);
	CHECK(rte_ipv6_udptcp_cksum_verify(ip6, b.data() + 54) == 0);
}

TEST_CASE("decapsulated frames reach attachments with PCP 0 and never return to VTEPs",
          "[pipeline][decap]")
{
	Harness h(kConfig);
	auto out = h.send(
	    "core0", vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 100001, frame(kBcast, kH2)));
	REQUIRE(out.size() == 3);  // cloud0, srv0, bb0; split horizon keeps it off the VTEPs
	CHECK(on(out, "core0") == nullptr);
	CHECK(be16(on(out, "cloud0")->bytes, 14) == 1234);
	CHECK(be16(on(out, "bb0")->bytes, 14) == 3001);
}

TEST_CASE("underlay packets that fail a check are dropped under their reason",
          "[pipeline][decap][drops]")
{
	Harness h(kConfig);
	const Bytes inner = frame(kBcast, kH2);
	CHECK(
	    h.send("core0", vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 999, inner)).empty());
	CHECK(h.drops(Drop::unknown_vni) == 1);
	CHECK(h.send("core0", vxlan4(kCore, kRemote, "192.0.2.9", "192.0.2.1", 100001, inner))
	          .empty());
	CHECK(h.drops(Drop::unknown_vtep) == 1);
	// A VTEP of tenant red cannot inject into tenant blue.
	CHECK(h.send("core0", vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 100002, inner))
	          .empty());
	CHECK(h.drops(Drop::unknown_vtep) == 2);
	CHECK(h.send("core0", vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 100001, inner, 0))
	          .empty());
	CHECK(h.drops(Drop::malformed) == 1);
	CHECK(h.send("core0", vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.77", 100001, inner))
	          .empty());
	CHECK(h.drops(Drop::not_vxlan) == 1);
	Bytes bad = vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 100001, inner);
	bad[14 + 10] ^= 0xff;  // IPv4 header checksum
	CHECK(h.send("core0", bad).empty());
	CHECK(h.drops(Drop::malformed) == 2);
	Bytes cut = vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 100001, inner);
	cut.resize(40);
	CHECK(h.send("core0", cut).empty());
	CHECK(h.drops(Drop::malformed) == 3);
}

TEST_CASE("access frames without an attachment are dropped as unknown_vlan", "[pipeline][drops]")
{
	Harness h(kConfig);
	CHECK(h.send("cloud0", frame(kBcast, kH1)).empty());  // untagged
	CHECK(h.send("cloud0", with_tags(frame(kBcast, kH1), {{0x8100, 999}})).empty());
	CHECK(h.send("srv0", with_tags(frame(kBcast, kH1), {{0x8100, 100}})).empty());  // QinQ only
	CHECK(h.send("bb0", with_tags(frame(kBcast, kH1), {{0x8100, 1234}})).empty());
	CHECK(h.drops(Drop::unknown_vlan) == 4);
	CHECK(h.send("cloud0", Bytes(10, 0)).empty());
	CHECK(h.drops(Drop::malformed) == 1);
}

TEST_CASE("frames larger than the egress MTU are dropped, never fragmented", "[pipeline][mtu]")
{
	Harness h(kConfig);
	h.send("core0",
	       vxlan4(kCore, kRemote, "192.0.2.2", "192.0.2.1", 100001, frame(kBcast, kH2)));
	// core0 MTU 1600: inner 1551 bytes + 50 - 14 = 1587 fits; 1600 - 36 + 1 does not.
	auto fits = ipv4_udp_frame(kH2, kH1, 1, 2, 3, 4, 1564 - 42);
	auto big = ipv4_udp_frame(kH2, kH1, 1, 2, 3, 4, 1565 - 42);
	CHECK(h.send("cloud0", with_tags(fits, {{0x8100, 1234}})).size() == 1);
	CHECK(h.send("cloud0", with_tags(big, {{0x8100, 1234}})).empty());
	CHECK(h.drops(Drop::mtu_exceeded) == 1);
}

TEST_CASE("mac_limit drops frames from new MACs beyond the limit", "[pipeline][mac-limit]")
{
	Harness h(kConfig);
	for (uint8_t i = 1; i <= 4; ++i) {
		MacBytes src = kH1;
		src[5] = uint8_t(0x10 + i);
		h.send("cloud0", with_tags(frame(kBcast, src), {{0x8100, 1234}}));
	}
	CHECK(h.drops(Drop::mac_limit) == 1);
	CHECK(h.macs().dynamic_count(0) == 3);
}

TEST_CASE("a frame for the member it came from is filtered", "[pipeline][drops]")
{
	Harness h(kConfig);
	h.send("cloud0", with_tags(frame(kBcast, kH2), {{0x8100, 1234}}));
	CHECK(h.send("cloud0", with_tags(frame(kH2, kH1), {{0x8100, 1234}})).empty());
	CHECK(h.drops(Drop::filtered) == 1);
}

TEST_CASE("a multicast source MAC is dropped", "[pipeline][drops]")
{
	Harness h(kConfig);
	CHECK(h.send("cloud0", with_tags(frame(kBcast, kBcast), {{0x8100, 1234}})).empty());
	CHECK(h.drops(Drop::bad_src_mac) == 1);
}

namespace {

// A frame as af_packet hands it over with RX VLAN strip: the outer tag in metadata.
rte_mbuf* stripped(const Bytes& untagged, uint16_t tci)
{
	rte_mbuf* m = rte_pktmbuf_alloc(test::test_pool());
	std::memcpy(rte_pktmbuf_append(m, uint16_t(untagged.size())), untagged.data(),
	            untagged.size());
	m->vlan_tci = tci;
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	return m;
}

Bytes bytes_of(rte_mbuf* m)
{
	return Bytes(rte_pktmbuf_mtod(m, uint8_t*),
	             rte_pktmbuf_mtod(m, uint8_t*) + rte_pktmbuf_data_len(m));
}

}  // namespace

TEST_CASE("a stripped tag comes back as 0x8100, or as 0x88a8 when a C-tag follows",
          "[pkt][af_packet]")
{
	const Bytes plain = frame(kBcast, kH1);
	rte_mbuf* pkts[3] = {stripped(plain, 0x6000 | 1234),
	                     stripped(with_tags(plain, {{0x8100, 20}}), 100), nullptr};
	pkts[2] = rte_pktmbuf_alloc(test::test_pool());
	std::memcpy(rte_pktmbuf_append(pkts[2], uint16_t(plain.size())), plain.data(),
	            plain.size());
	pkt::restore_stripped_tags(pkts, 3);
	CHECK(bytes_of(pkts[0]) == with_tags(plain, {{0x8100, 0x6000 | 1234}}));
	CHECK(bytes_of(pkts[1]) == with_tags(plain, {{0x88a8, 100}, {0x8100, 20}}));
	CHECK(bytes_of(pkts[2]) == plain);  // nothing was stripped: untouched
	CHECK((pkts[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) == 0);
	rte_pktmbuf_free_bulk(pkts, 3);
}

TEST_CASE("learned MACs survive a reload that adds a tenant ahead of theirs", "[pipeline][ids]")
{
	Harness h(kConfig);
	h.send("srv0", with_tags(frame(kBcast, kH2), {{0x8100, 200}}));  // H2 learned in blue
	// A tenant inserted first in the YAML: numbered from scratch it would shift blue.
	std::string yaml = kConfig;
	yaml.replace(yaml.find("  - name: red"), 0,
	             "  - { name: green, vni: 7, hybrid_vlan: 3007, attachments: [ { port: cloud0, "
	             "vlan: 77 } ] }\n");
	const auto cfg = load_config(yaml);
	const abi::TableView first = h.tables();
	const auto kept = compile::compile(cfg, 2, {}, &first);
	h.pipeline().use_tables(abi::TableView(kept.data()));
	auto out = h.send("cloud0", with_tags(frame(kH2, kH1), {{0x8100, 1235}}));
	CHECK(out.size() == 1);  // still known: unicast to srv0, no flood
	// Renumbered (no previous image: a new id epoch): blue's index moved, its MACs are
	// forgotten rather than read as another tenant's.
	const auto renumbered = compile::compile(cfg, 3);
	h.pipeline().use_tables(abi::TableView(renumbered.data()));
	out = h.send("cloud0", with_tags(frame(kH2, kH1), {{0x8100, 1235}}));
	CHECK(out.size() == 2);  // flooded to srv0 and bb0
}
