// libFuzzer target: the packet pipeline, which reads every byte that arrives on a port.
// The input is a burst of frames, each on a port of every role (access, trunk, underlay,
// interconnect with Option-A and Option-B carriers), against tables with tenants, VRFs,
// static MACs, routes of every next-hop kind and learned MACs. Whatever the bytes: no read
// or write outside the frame or the tables, no leaked or doubly freed mbuf, every frame
// either sent, punted or counted as dropped, and what leaves is a frame a port can send.
//
// Input layout: a sequence of records [port selector][length hi][length lo][bytes…]; a
// record cut short takes what is left. Up to 32 frames go in one call of Pipeline::run, as
// a burst from one port does, so the stages see frames that depend on each other.
#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/abi/table_view.hpp"
#include "common/config/loader.hpp"
#include "control/compile/compiler.hpp"
#include "dataplane/pipeline/pipeline.hpp"
#include "dataplane/runtime/eal_setup.hpp"

using namespace tsunagi;

namespace {

// The golden base topology with both carriers and every table a frame can hit.
constexpr const char* kConfig = R"(
node:
  name: fuzz
  asn: 65000
  router_id: 10.255.0.1
  vtep: [192.0.2.1, "2001:db8:ffff::1"]
ports:
  - { name: acc0, role: access, device: "fuzz0", mac: "02:00:00:00:01:01" }
  - { name: acc1, role: access, device: "fuzz1", mac: "02:00:00:00:01:02" }
  - { name: trk0, role: trunk, device: "fuzz2", mac: "02:00:00:00:01:03" }
  - name: core0
    role: underlay
    device: "fuzz3"
    mac: "02:00:00:00:01:04"
    address: [192.0.2.1/24, "2001:db8:ffff::1/64"]
    gateway: [192.0.2.254, "2001:db8:ffff::fe"]
    mtu: 1600
  - { name: ix0, role: interconnect, device: "fuzz4", mac: "02:00:00:00:01:05", address: 203.0.113.2/30 }
  - { name: ix1, role: interconnect, device: "fuzz5", mac: "02:00:00:00:01:06" }
neighbors:
  - { port: core0, address: 192.0.2.254, mac: "02:bb:00:00:00:fe" }
  - { port: core0, address: 192.0.2.2, mac: "02:bb:00:00:00:02" }
  - { port: core0, address: "2001:db8:ffff::fe", mac: "02:bb:00:00:01:fe" }
  - { port: core0, address: "2001:db8:ffff::2", mac: "02:bb:00:00:01:02" }
  - { tenant: red, address: "10.1.0.10", mac: "02:00:00:aa:05:00" }
  - { tenant: red, address: "2001:db8:1::10", mac: "02:00:00:aa:05:00" }
  - { tenant: blue, address: "10.2.0.10", mac: "02:00:00:aa:05:20" }
  - { port: ix0, address: 203.0.113.1, mac: "02:cc:00:00:01:01" }
tenants:
  - name: red
    vni: 100001
    hybrid_vlan: 3001
    mac_limit: 64
    static_macs:
      - { mac: "02:00:00:00:5a:01", port: acc0, vlan: 1234 }
      - { mac: "02:00:00:00:5a:04", vtep: 192.0.2.2 }
    attachments:
      - { port: acc0, vlan: 1234 }
      - { port: acc1, vlan: 100, inner_vlan: 20 }
    vteps: [192.0.2.2, 198.51.100.7, "2001:db8:ffff::2"]
    vrf:
      rd: "65000:1"
      route_targets: { import: ["65000:1"], export: ["65000:1"] }
      gateway: [10.1.0.1/24, "2001:db8:1::1/64"]
      static_routes:
        - { prefix: "10.82.0.0/16", via: "10.50.0.1" }
        - { prefix: "10.83.0.0/16", via: "10.1.0.10" }
  - name: blue
    vni: 100002
    hybrid_vlan: 3002
    attachments:
      - { port: acc0, vlan: 1235 }
      - { port: acc1, vlan: 100 }
    vteps: [192.0.2.2]
    vrf:
      rd: "65000:2"
      route_targets: { import: ["65000:2"], export: ["65000:2"] }
      gateway: [10.2.0.1/24, "2001:db8:2::1/64"]
peers:
  - name: carrier-b
    option: B
    port: ix0
    address: 203.0.113.1
    asn: 2516
    tenants: [red, blue]
    static_vpn_routes:
      - { tenant: red, prefix: 10.50.0.0/16, labels: [3000, 4000] }
      - { tenant: red, prefix: "2001:db8:50::/48", labels: [3001, 4001] }
      - { tenant: red, prefix: 0.0.0.0/0, labels: [5000] }
      - { tenant: blue, prefix: 10.50.0.0/16, labels: [6000] }
  - name: carrier-a
    option: A
    port: ix1
    asn: 65010
    vrfs:
      - { tenant: red, vlan: 801, address: 198.51.100.1/30, neighbor: 198.51.100.2 }
)";

constexpr uint16_t kBurst = 32;

// Checks what the pipeline hands out, then frees it: a frame a port could put on the wire.
class CheckingSink final : public dp::TxSink {
public:
	explicit CheckingSink(uint16_t ports) : ports_(ports) {}
	uint64_t out = 0;

	void send(uint16_t port, rte_mbuf** pkts, uint16_t n) override { take(port, pkts, n); }
	void punt(uint16_t port, rte_mbuf** pkts, uint16_t n) override { take(port, pkts, n); }

private:
	void take(uint16_t port, rte_mbuf** pkts, uint16_t n)
	{
		if (port >= ports_) {
			std::fprintf(stderr, "frame sent to port %u of %u\n", port, ports_);
			std::abort();
		}
		for (uint16_t i = 0; i < n; ++i) {
			const rte_mbuf* m = pkts[i];
			// A flood copy may be a chain: its own header segment in front of the
			// frame's payload, shared (dataplane/pipeline/flood.cpp).
			uint32_t segs = 0;
			uint32_t bytes = 0;
			for (const rte_mbuf* s = m; s != nullptr; s = s->next) {
				segs++;
				bytes += rte_pktmbuf_data_len(s);
			}
			if (rte_pktmbuf_pkt_len(m) < 14 || rte_pktmbuf_data_len(m) < 14 ||
			    segs != m->nb_segs || bytes != rte_pktmbuf_pkt_len(m)) {
				std::fprintf(
				    stderr,
				    "frame of %u bytes (%u in its first segment, %u in its %u "
				    "segments, nb_segs %u) leaves\n",
				    rte_pktmbuf_pkt_len(m), rte_pktmbuf_data_len(m), bytes, segs,
				    unsigned(m->nb_segs));
				std::abort();
			}
			// Every byte of what leaves is read, so the sanitizer sees any that is not
			// the frame's.
			volatile uint8_t sum = 0;
			for (const rte_mbuf* s = m; s != nullptr; s = s->next) {
				const auto* p = rte_pktmbuf_mtod(s, const uint8_t*);
				for (uint32_t k = 0; k < rte_pktmbuf_data_len(s); ++k) {
					sum = uint8_t(sum + p[k]);
				}
			}
		}
		out += n;
		rte_pktmbuf_free_bulk(pkts, n);
	}
	uint16_t ports_;
};

struct World {
	compile::Image image;
	std::unique_ptr<abi::TableView> tables;
	rte_mempool* pool = nullptr;
	std::unique_ptr<dp::MacTable> macs;
	std::unique_ptr<dp::WorkerCounters> counters;
	std::unique_ptr<dp::Pipeline> pipeline;
	uint16_t ports = 0;
	uint32_t now = 1000;
};

World* world = nullptr;

uint64_t packets_in_play(const World& w)
{
	return rte_mempool_in_use_count(w.pool);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
	auto loaded = config::load_string(kConfig, "<fuzz pipeline config>");
	if (!loaded.config) {
		for (const auto& e : loaded.errors) {
			std::fprintf(stderr, "%s\n", e.to_string().c_str());
		}
		std::abort();
	}
	world = new World;
	world->image = compile::compile(*loaded.config, 1);
	if (auto why = abi::TableView::check(world->image.data(), world->image.size());
	    !why.empty()) {
		std::fprintf(stderr, "tables: %s\n", why.c_str());
		std::abort();
	}
	world->tables = std::make_unique<abi::TableView>(world->image.data());
	world->ports = uint16_t(world->tables->ports.size);
	dp::EalOptions eal;
	eal.memory_mb = 256;
	eal.file_prefix = "tsunagi-fuzz-" + std::to_string(getpid());
	if (auto err = dp::eal_init(eal); !err.empty()) {
		std::fprintf(stderr, "%s\n", err.c_str());
		std::abort();
	}
	world->pool = dp::make_packet_pool("fuzz", 4095, true);
	if (world->pool == nullptr) {
		std::abort();
	}
	world->macs = std::make_unique<dp::MacTable>(4096);
	world->counters = std::make_unique<dp::WorkerCounters>();
	world->pipeline =
	    std::make_unique<dp::Pipeline>(*world->macs, *world->counters, world->pool);
	world->pipeline->use_tables(*world->tables);
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	World& w = *world;
	CheckingSink sink(w.ports);
	dp::TxBuffers tx(sink, *w.counters);
	rte_mbuf* burst[kBurst];
	uint16_t n = 0;
	uint16_t burst_port = 0;
	const uint64_t in_play = packets_in_play(w);
	// Flood copies share the frame's payload to the ports that can send chains and are
	// whole copies to the others: which ports can, the input's length decides, so one
	// input always takes the same paths.
	static constexpr uint64_t kChains[] = {~uint64_t{0}, 0, 0x5555'5555'5555'5555ull,
	                                       0xaaaa'aaaa'aaaa'aaaaull};
	w.pipeline->set_chain_ports(kChains[size % 4]);
	auto flush = [&] {
		if (n != 0) {
			w.pipeline->run(burst_port, burst, n, w.now, tx);
			tx.flush_all();
			n = 0;
		}
	};
	size_t at = 0;
	while (at < size) {
		const uint16_t port = uint16_t(data[at] % w.ports);
		size_t len = size - at - 1;
		if (size - at >= 3) {
			len = std::min<size_t>(size_t(data[at + 1]) << 8 | data[at + 2],
			                       size - at - 3);
			at += 3;
		} else {
			at += 1;
		}
		rte_mbuf* m = rte_pktmbuf_alloc(w.pool);
		if (m == nullptr) {
			std::abort();  // the pool holds 4 095 and a call never keeps one
		}
		len = std::min<size_t>(len, rte_pktmbuf_tailroom(m));
		std::memcpy(rte_pktmbuf_append(m, uint16_t(len)), data + at, len);
		at += len;
		if (n != 0 && (port != burst_port || n == kBurst)) {
			flush();
		}
		burst_port = port;
		burst[n++] = m;
	}
	flush();
	// Time moves on between inputs, so learned MACs age and neighbours expire too.
	w.pipeline->age(++w.now, w.macs->capacity());
	if (packets_in_play(w) != in_play) {
		std::fprintf(stderr, "%ld mbufs not returned to the pool\n",
		             long(packets_in_play(w)) - long(in_play));
		std::abort();
	}
	return 0;
}
