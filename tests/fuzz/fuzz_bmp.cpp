// libFuzzer target: the route feed (BMP stream, mirrored BGP messages, VPN import, the EVPN
// RIB), which reads what bgpd sends, i.e. what carriers and route reflectors send. Whatever
// the bytes: no crash, no read out of bounds, no leak, and the RIBs' bookkeeping stays
// consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <tuple>

#include "common/config/values.hpp"
#include "control/routes/bmp.hpp"
#include "control/routes/evpn_rib.hpp"
#include "control/routes/vpn_rib.hpp"

using namespace tsunagi;

namespace {

// Two VRFs importing the route targets the seeds carry; the seeds' peer is an Option-B peer,
// and 172.31.0.2 the neighbour of two Option-A links, one per VRF, told apart by AS.
const config::Config& node_config()
{
	static const config::Config cfg = [] {
		config::Config c;
		c.node.asn = 65000;
		for (const char* name : {"red", "blue"}) {
			config::Tenant t;
			t.name = name;
			t.vrf.emplace();
			t.vrf->rd = "65000:1";
			t.vrf->import_rts = {std::string(name) == "red" ? "2516:1001"
			                                                : "2516:9999"};
			c.tenants.push_back(t);
		}
		config::Peer p;
		p.name = "carrier";
		p.option = config::PeerOption::B;
		p.port = "ix0";
		p.address = config::parse_ip("203.0.113.1");
		p.tenants = {"red", "blue"};
		c.peers.push_back(p);
		for (const auto& [name, asn, tenant] : {std::tuple{"link-red", 2497u, "red"},
		                                        std::tuple{"link-blue", 17676u, "blue"}}) {
			config::Peer a;
			a.name = name;
			a.option = config::PeerOption::A;
			a.port = "ix1";
			a.asn = asn;
			config::OptionAVrf v;
			v.tenant = tenant;
			v.vlan = 801;
			v.address = *config::parse_prefix("172.31.0.1/30");
			v.neighbor = *config::parse_ip("172.31.0.2");
			a.vrfs.push_back(v);
			c.peers.push_back(a);
		}
		return c;
	}();
	return cfg;
}

// The EVPN RIB's answers agree with its change list, and once every path is stale and the
// hold has run out nothing is left in any slot: what paths add, their removal takes away.
void check_evpn(routes::EvpnRib& rib)
{
	const auto changes = rib.take_changed();
	for (const uint32_t vni : changes.flood) {
		const auto vteps = rib.flood(vni);
		for (size_t i = 1; i < vteps.size(); ++i) {
			if (vteps[i - 1] == vteps[i]) {
				std::abort();  // distinct
			}
		}
	}
	for (const auto& [vni, mac] : changes.macs) {
		rib.mac(vni, mac);
	}
	for (const auto& [vni, prefix] : changes.prefixes) {
		if (prefix.length > (prefix.addr.v6 ? 128 : 32)) {
			std::abort();
		}
		rib.prefix(vni, prefix);
	}
	rib.mark_all_stale();
	rib.tick(1000000, {2000, 400});
	const auto left = rib.slots();
	if (rib.paths() != 0 || left[0] + left[1] + left[2] != 0) {
		std::abort();
	}
	rib.take_changed();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	routes::VpnRib rib(node_config());
	routes::EvpnRib evpn;
	routes::BmpStream stream;
	// Two chunks: framing must not depend on how the bytes arrive.
	const size_t cut = size / 2;
	for (const auto& [p, n] : {std::pair{data, cut}, std::pair{data + cut, size - cut}}) {
		stream.feed(p, n);
		while (auto m = stream.next()) {
			const auto d = routes::decode_bmp(m->data(), m->size());
			for (const auto& e : d.events) {
				rib.apply(e);
				evpn.apply(e);
				if (e.kind == routes::Event::Kind::update) {
					for (const auto& r : e.reach) {
						if (r.key.prefix.length >
						    (r.key.prefix.addr.v6 ? 128 : 32)) {
							std::abort();
						}
					}
				}
			}
		}
	}
	// The same bytes as one BGP message from the peer.
	routes::decode_bgp(routes::PeerId{*config::parse_ip("203.0.113.1"), 0}, data, size);
	for (const uint64_t t : {1000, 1500, 4000}) {
		rib.tick(t, {2000, 400});
		evpn.tick(t, {2000, 400});
	}
	check_evpn(evpn);
	rib.mark_all_stale();
	for (const auto& tp : rib.take_changed()) {
		rib.hops(tp);
	}
	size_t imported = 0;
	for (const auto& tp : rib.all_imported()) {
		const auto hops = rib.hops(tp);
		if (hops.empty()) {
			std::abort();  // imported means reachable through at least one path
		}
		for (const auto& h : hops) {
			if (h.link != nullptr && h.link->tenant != tp.tenant) {
				std::abort();  // an Option-A link's routes are its own tenant's
				               // only
			}
		}
		++imported;
	}
	if (imported != rib.imported()) {
		std::abort();
	}
	return 0;
}
