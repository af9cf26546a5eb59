// tsunagi-bench-updates: what a table change costs tsunagid's CPU at table scale
// (DESIGN.md §2: "a single change at 1M entries well under a millisecond"). Builds the
// scale tables the way tsunagid does (compile::TableWriter with room to grow), then times
// single changes edited in place, against building the image anew, and the rate at which
// routes learned at run time go in and out.
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "bench/scale_config.hpp"
#include "common/cli/program.hpp"
#include "control/compile/table_writer.hpp"

namespace po = boost::program_options;
using namespace tsunagi;

namespace {

using Clock = std::chrono::steady_clock;

double us_since(Clock::time_point t0)
{
	return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

struct Built {
	std::vector<uint64_t> memory;
	std::unique_ptr<compile::TableWriter> writer;
	double build_ms;
	uint64_t bytes;
};

// `extra_routes`: room for that many routes learned at run time.
Built build_spare(const config::Config& cfg, uint32_t extra_routes)
{
	Built b;
	const auto t0 = Clock::now();
	const compile::IdPlan ids(cfg, nullptr, 1);
	auto layout = compile::Layout::plan(cfg, ids, true);
	if (extra_routes > 0) {
		const uint64_t slots = compile::map_capacity(extra_routes, true);
		const uint64_t more =
		    16 * (slots - layout.route4_slots) + 64 * uint64_t(extra_routes);
		layout.route4_slots = slots;
		layout.heap += 64 * uint64_t(extra_routes);
		layout.total += more;
	}
	b.memory.assign(layout.total / 8 + 1, 0);
	b.writer = std::make_unique<compile::TableWriter>(b.memory.data(), layout, cfg, ids,
	                                                  std::vector<config::Neighbor>{});
	b.writer->commit(1);
	b.build_ms = us_since(t0) / 1000;
	b.bytes = layout.total;
	b.writer->take_bytes_written();
	return b;
}

Built build(const config::Config& cfg)
{
	return build_spare(cfg, 0);
}

struct Timings {
	std::vector<double> us;
	uint64_t bytes = 0;
	size_t refused = 0;

	void print(const char* what) const
	{
		std::vector<double> s = us;
		std::sort(s.begin(), s.end());
		auto pct = [&](double q) {
			return s.empty() ? 0.0 : s[size_t(q * double(s.size() - 1))];
		};
		std::printf(
		    "  %-44s p50 %7.1f us  p99 %7.1f us  max %7.1f us  %6.0f B written  (%zu "
		    "changes%s)\n",
		    what, pct(0.5), pct(0.99), s.empty() ? 0.0 : s.back(),
		    s.empty() ? 0.0 : double(bytes) / double(s.size()), s.size(),
		    refused != 0 ? ", some needed a new image" : "");
	}
};

// One change: edit, commit the header, and let the previous generation's leftovers go as a
// dataplane that keeps up would.
template <class F>
void timed(Built& b, uint64_t& gen, Timings& t, F change)
{
	++gen;
	const auto t0 = Clock::now();
	const bool ok = change(gen);
	b.writer->commit(gen);
	t.us.push_back(us_since(t0));
	t.refused += !ok;
	t.bytes += b.writer->take_bytes_written();
	b.writer->reclaim(gen - 1);
}

config::IpAddr ip4(uint32_t host_order)
{
	config::IpAddr a;
	for (int i = 0; i < 4; ++i) {
		a.bytes[size_t(i)] = uint8_t(host_order >> (24 - 8 * i));
	}
	return a;
}

}  // namespace

int main(int argc, char** argv)
{
	uint32_t changes = 1000;
	uint32_t inner = 31;
	uint32_t routes = 100000;
	bench::ScaleParams scale;
	po::options_description desc(
	    "tsunagi-bench-updates: the control CPU a table change costs at scale\n\n"
	    "Usage: tsunagi-bench-updates [--changes N] [--inner-vlans N]\n\nOptions");
	desc.add_options()("help,h", "show this help")("changes", po::value(&changes),
	                                               "changes timed per kind (default 1000)")(
	    "inner-vlans", po::value(&inner),
	    "QinQ inner VIDs per (port, VID) in the large table (default 31: 1 015 312 "
	    "attachments)")("tenants", po::value(&scale.tenants), "tenants (default 16000)")(
	    "routes", po::value(&routes),
	    "routes learned and withdrawn at run time (default 100000)");
	po::variables_map vm;
	if (auto rc = cli::parse_options(argc, argv, "tsunagi-bench-updates", desc, vm)) {
		return *rc;
	}

	{
		const config::Config cfg = bench::build_scale_config(scale);
		Built b = build(cfg);
		std::printf(
		    "table changes at %u tenants, %zu attachments: image %.1f MB built in %.1f "
		    "ms\n",
		    scale.tenants, size_t(scale.access_ports) * scale.vlans, double(b.bytes) / 1e6,
		    b.build_ms);
		uint64_t gen = 1;
		Timings add, remove, reload;
		for (uint32_t i = 0; i < changes; ++i) {
			config::Tenant t;
			t.name = "extra" + std::to_string(i);
			t.vni = bench::kVniBase + scale.tenants + i;
			t.attachments.push_back(
			    {{}, "acc0", uint16_t(1 + i % 4094), uint16_t(4000 + i / 4094)});
			t.vteps.push_back(ip4(bench::remote_vtep_ip(i % scale.remote_vteps)));
			timed(b, gen, add,
			      [&](uint64_t g) { return b.writer->upsert_tenant(t, g); });
			timed(b, gen, remove,
			      [&](uint64_t g) { return b.writer->remove_tenant(t.name, g); });
		}
		add.print("add one tenant");
		remove.print("remove one tenant");
		// A reload compares every tenant of the new file with what the image holds.
		config::Config more = cfg;
		more.tenants.push_back(config::Tenant{});
		more.tenants.back().name = "reloaded";
		more.tenants.back().vni = bench::kVniBase + 2 * scale.tenants + changes;
		more.tenants.back().attachments.push_back({{}, "acc1", 7, 4001});
		for (uint32_t i = 0; i < std::min<uint32_t>(changes, 20); ++i) {
			timed(b, gen, reload, [&](uint64_t g) {
				return b.writer->apply(i % 2 == 0 ? more : cfg, {}, g);
			});
		}
		reload.print("reload adding/removing one tenant");
	}

	if (routes > 0) {
		// Routes learned at run time (what a feed from FRR calls): Option-B routes into
		// 1 000 VRFs, one at a time, then withdrawn.
		bench::ScaleParams vrfs = scale;
		vrfs.vrfs = 1000;
		vrfs.routes = 1000;  // one configured route per VRF: the VRFs exist
		const config::Config cfg = bench::build_scale_config(vrfs);
		Built b = build_spare(cfg, routes);
		std::printf("learned routes into %u VRFs: image %.1f MB built in %.0f ms\n",
		            vrfs.vrfs, double(b.bytes) / 1e6, b.build_ms);
		tsunagi::abi::NexthopEntry hop{};
		hop.kind = tsunagi::abi::NexthopKind::option_b;
		hop.port = bench::interconnect_port(vrfs);
		hop.n_labels = 1;
		hop.resolved = 1;
		const std::vector<tsunagi::abi::NexthopEntry> hops{hop};
		uint64_t gen = 1;
		for (const bool add : {true, false}) {
			const auto t0 = Clock::now();
			uint32_t refused = 0;
			for (uint32_t i = 0; i < routes; ++i) {
				const uint32_t t = i % vrfs.vrfs;
				config::IpPrefix p;
				const uint32_t a = bench::vpn_route_prefix(t, 1000 + i / vrfs.vrfs);
				p.addr.bytes = {uint8_t(a >> 24), uint8_t(a >> 16), uint8_t(a >> 8),
				                0};
				p.length = 24;
				std::vector<tsunagi::abi::NexthopEntry> h = hops;
				h[0].labels[0] = 16 + i;
				const std::string name = "t" + std::to_string(t);
				refused += add ? !b.writer->set_route(name, p, h, gen)
				               : !b.writer->remove_route(name, p, gen);
				if (i % 1000 == 999) {
					b.writer->commit(
					    ++gen);  // a generation per thousand, as a feed batches
					b.writer->reclaim(gen - 1);
				}
			}
			b.writer->commit(++gen);
			const double s = us_since(t0) / 1e6;
			std::printf("  %-44s %9.0f routes/s  (%u routes in %.2f s%s)\n",
			            add ? "learn a route" : "withdraw a route", routes / s, routes,
			            s, refused != 0 ? ", some refused" : "");
		}
	}

	if (inner > 0) {
		bench::ScaleParams big = scale;
		big.inner_vlans = inner;
		const config::Config cfg = bench::build_scale_config(big);
		Built b = build(cfg);
		const size_t entries = size_t(big.access_ports) * big.vlans * inner;
		std::printf(
		    "table changes at %zu attachments over %u tenants: image %.1f MB built in %.0f "
		    "ms\n",
		    entries, big.tenants, double(b.bytes) / 1e6, b.build_ms);
		uint64_t gen = 1;
		Timings one;
		for (uint32_t i = 0; i < changes; ++i) {
			// Tenant k gains one attachment, then loses it again.
			config::Tenant t = cfg.tenants[(i * 7919) % big.tenants];
			t.attachments.push_back(
			    {{}, "acc7", uint16_t(1 + i % 4094), uint16_t(inner + 1 + i / 4094)});
			timed(b, gen, one,
			      [&](uint64_t g) { return b.writer->upsert_tenant(t, g); });
			timed(b, gen, one, [&](uint64_t g) {
				return b.writer->upsert_tenant(
				    cfg.tenants[(i * 7919) % big.tenants], g);
			});
		}
		one.print("one attachment added or removed");
	}
	return 0;
}
