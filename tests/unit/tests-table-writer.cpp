// Tables edited in place (control/compile/table_writer): the same lookups as an image built
// anew, writes in proportion to the change, nothing reused while readers may hold it, and
// readers never seeing a torn entry while edits run.
#include <atomic>
#include <cstring>
#include <iomanip>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "common/config/loader.hpp"
#include "control/compile/compiler.hpp"
#include "control/compile/table_writer.hpp"
#include "control/compile/vrf_plan.hpp"
#include "fixtures.hpp"
#include "packet_builder.hpp"

using namespace tsunagi;
using tsunagi::test::kNodeAndPorts;
using tsunagi::test::load_config;

namespace {

// A random tenant configuration, changed a little at a time.
struct Model {
	struct Tenant {
		uint32_t vni;
		uint16_t hybrid;
		std::set<std::pair<int, int>> attachments;  // (port 0/1, vlan)
		std::set<int> vteps;                        // index into kRemotes
		bool static_mac;
		uint32_t mac_limit;
		// The VRF and what reaches it: a label (0: automatic), a static route via a
		// host, that host's neighbour entry, an Option-B route, an Option-A link.
		bool vrf = false;
		uint32_t label = 0;
		bool static_route = false, host = false, vpn = false, option_a = false;
	};
	static constexpr const char* kRemotes[] = {"192.0.2.2", "192.0.2.3", "203.0.113.9",
	                                           "198.51.100.7"};
	std::map<int, Tenant> tenants;         // by number: tenant "tN"
	std::map<int, std::set<int>> learned;  // routes learned at run time (route()), by tenant
	bool gateway_neighbor = true;
	std::mt19937 rng{7};

	int pick(int n) { return int(rng() % unsigned(n)); }

	bool vlan_free(int port, int vlan) const
	{
		for (const auto& [n, t] : tenants) {
			if (t.attachments.contains({port, vlan})) {
				return false;
			}
		}
		return true;
	}

	void add_attachment(Tenant& t)
	{
		for (int tries = 0; tries < 20; ++tries) {
			const int port = pick(2), vlan = 1 + pick(60);
			if (vlan_free(port, vlan)) {
				t.attachments.insert({port, vlan});
				return;
			}
		}
	}

	template <class F>
	uint32_t unused(F used, uint32_t lo, uint32_t span)
	{
		for (;;) {
			const uint32_t v = lo + uint32_t(pick(int(span)));
			if (!used(v)) {
				return v;
			}
		}
	}

	void add_tenant(int n)
	{
		Tenant t{};
		t.vni = unused(
		    [&](uint32_t v) { return any([&](const Tenant& o) { return o.vni == v; }); },
		    1000, 100);
		t.hybrid = uint16_t(unused(
		    [&](uint32_t v) { return any([&](const Tenant& o) { return o.hybrid == v; }); },
		    100, 80));
		for (int i = pick(3); i-- > 0;) {
			add_attachment(t);
		}
		for (int i = pick(3); i-- > 0;) {
			t.vteps.insert(pick(4));
		}
		t.static_mac = false;
		t.mac_limit = uint32_t(pick(3) * 10);
		t.vrf = pick(3) != 0;
		t.label = pick(2) != 0 ? 2000 + uint32_t(n) : 0;
		t.static_route = pick(2) != 0;
		t.host = pick(2) != 0;
		t.vpn = pick(2) != 0;
		t.option_a = pick(2) != 0;
		tenants[n] = t;
	}

	template <class P>
	bool any(P p) const
	{
		for (const auto& [n, t] : tenants) {
			if (p(t)) {
				return true;
			}
		}
		return false;
	}

	void mutate()
	{
		const int what = pick(11);
		if (what == 0 || tenants.size() < 3) {
			int n = 0;
			while (tenants.contains(n)) {
				++n;
			}
			add_tenant(n);
			return;
		}
		auto it = std::next(tenants.begin(), pick(int(tenants.size())));
		Tenant& t = it->second;
		switch (what) {
			case 1:
				learned.erase(it->first);
				tenants.erase(it);
				break;
			case 2:
				add_attachment(t);
				break;
			case 3:
				if (!t.attachments.empty()) {
					t.attachments.erase(
					    std::next(t.attachments.begin(),
					              pick(int(t.attachments.size()))));
				}
				break;
			case 4:
				t.vni = unused(
				    [&](uint32_t v) {
					    return any([&](const Tenant& o) { return o.vni == v; });
				    },
				    1000, 100);
				break;
			case 5:
				t.hybrid = uint16_t(unused(
				    [&](uint32_t v) {
					    return any(
					        [&](const Tenant& o) { return o.hybrid == v; });
				    },
				    100, 80));
				break;
			case 6: {
				const int r = pick(4);
				if (!t.vteps.erase(r)) {
					t.vteps.insert(r);
				}
				break;
			}
			case 7:
				t.static_mac = !t.static_mac;
				t.mac_limit = uint32_t(pick(3) * 10);
				break;
			case 8:
				switch (pick(6)) {
					case 0:
						t.vrf = !t.vrf;
						learned.erase(it->first);  // a VRF gone forgets
						                           // what it learned
						break;
					case 1:
						t.label =
						    t.label != 0 ? 0 : 2000 + uint32_t(it->first);
						break;
					case 2:
						t.static_route = !t.static_route;
						break;
					case 3:
						t.host = !t.host;
						break;
					case 4:
						t.vpn = !t.vpn;
						break;
					default:
						t.option_a = !t.option_a;
						break;
				}
				break;
			case 9:
				if (t.vrf) {
					const int r = pick(6);
					if (!learned[it->first].erase(r)) {
						learned[it->first].insert(r);
					}
				}
				break;
			default:
				gateway_neighbor = !gateway_neighbor;
				break;
		}
	}

	// Learned route r: one shadowed by the static route, three /24s, an IPv6 /48, a default.
	static config::IpPrefix route(int r)
	{
		auto p4 = [](uint8_t a, uint8_t b, uint8_t c, uint8_t len) {
			config::IpPrefix p;
			p.addr.bytes = {a, b, c, 0};
			p.length = len;
			return p;
		};
		switch (r) {
			case 0:
				return p4(10, 200, 0, 16);
			case 4: {
				config::IpPrefix p;
				p.addr.v6 = true;
				p.addr.bytes = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0x04};
				p.length = 48;
				return p;
			}
			case 5:
				return p4(0, 0, 0, 0);
			default:
				return p4(172, 20, uint8_t(r), 24);
		}
	}
	static std::vector<abi::NexthopEntry> hops(int r)
	{
		abi::NexthopEntry nh{};
		nh.kind = abi::NexthopKind::option_b;
		nh.port = 4;  // ix0
		nh.n_labels = 1;
		nh.labels[0] = 50000 + uint32_t(r);
		nh.resolved = 1;
		nh.dst_mac[0] = 2;
		return {nh, nh};  // ECMP over two identical hops: the count is what matters
	}

	std::string yaml() const
	{
		std::ostringstream y;
		y << kNodeAndPorts;
		y << "neighbors:\n  - { port: ix0, address: 203.0.113.1, mac: "
		     "\"02:cc:00:00:00:01\" }\n";
		if (gateway_neighbor) {
			y << "  - { port: u0, address: 192.0.2.254, mac: \"02:bb:00:00:00:fe\" }\n"
			  << "  - { port: u0, address: 192.0.2.2, mac: \"02:bb:00:00:00:02\" }\n";
		}
		for (const auto& [n, t] : tenants) {
			if (!t.vrf) {
				continue;
			}
			if (t.host) {
				y << "  - { tenant: t" << n << ", address: 10." << n
				  << ".0.10, mac: \"02:00:00:00:00:0a\" }\n";
			}
			if (t.option_a) {
				y << "  - { port: ix1, vlan: " << 800 + n << ", address: 198.18."
				  << n << ".2, mac: \"02:cc:00:00:00:02\" }\n";
			}
		}
		y << "tenants:\n";
		for (const auto& [n, t] : tenants) {
			y << "  - name: t" << n << "\n    vni: " << t.vni
			  << "\n    hybrid_vlan: " << t.hybrid << "\n    mac_limit: " << t.mac_limit
			  << "\n    attachments: [";
			for (const auto& [port, vlan] : t.attachments) {
				y << " { port: a" << port << ", vlan: " << vlan << " },";
			}
			y << " ]\n    vteps: [";
			for (int v : t.vteps) {
				y << " " << kRemotes[v] << ",";
			}
			y << " ]\n";
			if (t.vrf) {
				y << "    vrf:\n      rd: \"65000:" << n << "\"\n";
				if (t.label != 0) {
					y << "      label: " << t.label << "\n";
				}
				y << "      gateway: [10." << n << ".0.1/24, \"2001:db8:" << n
				  << "::1/64\"]\n";
				if (t.static_route) {
					y << "      static_routes: [ { prefix: 10.200.0.0/16, via: "
					     "10."
					  << n
					  << ".0.10 }, { prefix: \"2001:db8:ffff::/48\", via: "
					     "\"2001:db8:"
					  << n << "::10\" } ]\n";
				}
			}
			if (t.static_mac && !t.attachments.empty()) {
				const auto& [port, vlan] = *t.attachments.begin();
				y << "    static_macs: [ { mac: \"02:00:00:00:" << std::hex
				  << std::setw(2) << std::setfill('0') << (n & 0xff) << std::dec
				  << ":99\", port: a" << port << ", vlan: " << vlan << " } ]\n";
			}
		}
		std::ostringstream b, a;
		for (const auto& [n, t] : tenants) {
			if (t.vrf && t.vpn) {
				b << " t" << n << ",";
			}
			if (t.vrf && t.option_a) {
				a << "\n      - { tenant: t" << n << ", vlan: " << 800 + n
				  << ", address: 198.18." << n << ".1/30, neighbor: 198.18." << n
				  << ".2 }";
			}
		}
		if (!b.str().empty() || !a.str().empty()) {
			y << "peers:\n";
		}
		if (!b.str().empty()) {
			y << "  - name: pb\n    option: B\n    port: ix0\n    address: "
			     "203.0.113.1\n"
			  << "    asn: 2516\n    tenants: [" << b.str()
			  << " ]\n    static_vpn_routes:\n";
			for (const auto& [n, t] : tenants) {
				if (t.vrf && t.vpn) {
					y << "      - { tenant: t" << n << ", prefix: 172.16." << n
					  << ".0/24, labels: [" << 30000 + n << ", 16] }\n"
					  << "      - { tenant: t" << n
					  << ", prefix: 10.200.0.0/16, labels: [" << 31000 + n
					  << "] }\n";
				}
			}
		}
		if (!a.str().empty()) {
			y << "  - name: pa\n    option: A\n    port: ix1\n    asn: 65010\n    vrfs:"
			  << a.str() << "\n";
		}
		return y.str();
	}
};

std::string hex(const void* p, size_t n)
{
	std::ostringstream s;
	for (size_t i = 0; i < n; ++i) {
		s << std::hex << std::setw(2) << std::setfill('0')
		  << unsigned(static_cast<const uint8_t*>(p)[i]);
	}
	return s.str();
}

// What one of two descriptions has and the other lacks.
std::string difference(const std::set<std::string>& a, const std::set<std::string>& b)
{
	std::string out;
	for (const auto& x : a) {
		if (!b.contains(x)) {
			out += "only edited: " + x + "\n";
		}
	}
	for (const auto& x : b) {
		if (!a.contains(x)) {
			out += "only fresh:  " + x + "\n";
		}
	}
	return out;
}

// Everything a lookup can return, in words that do not depend on indexes: two images with
// the same description forward every frame alike.
std::set<std::string> describe(const abi::TableView& t)
{
	std::set<std::string> d;
	auto tenant = [&](uint32_t i) {
		return i < t.tenants.size && t.tenants[i].live
		           ? std::string(t.name(t.tenants[i].name))
		           : "<dead " + std::to_string(i) + ">";
	};
	auto member = [&](uint32_t m) {
		const abi::MemberEntry& e = t.members[m];
		std::ostringstream s;
		s << tenant(t.tenant_of(m)) << "/" << int(e.kind) << "/" << e.port << "/" << e.vlan
		  << "/" << e.inner_vlan << "/" << int(e.qinq);
		if (e.kind == abi::MemberKind::vtep) {
			abi::VtepEntry v = t.vteps[t.vtep_of(m)];
			s << "/" << hex(&v, sizeof(v));
		}
		return s.str();
	};
	for (uint32_t i = 0; i < t.tenants.size; ++i) {
		const auto& te = t.tenants[i];
		if (!te.live) {
			CHECK(abi::flood_count(t.flood_of(i)) == 0);
			continue;
		}
		std::string f = "T " + tenant(i) + " " + std::to_string(te.vni) + " " +
		                std::to_string(te.hybrid_vlan) + " " +
		                std::to_string(te.mac_limit) + ":";
		for (uint32_t m : t.flood_list(i)) {
			CHECK(t.tenant_of(m) == i);
			f += " " + member(m);
		}
		d.insert(f);
	}
	auto slots = [&](const auto& map, const char* tag, auto key_text) {
		for (uint64_t i = 0; i <= map.mask; ++i) {
			const auto& s = map.slots[i];
			const uint32_t v = abi::ref_value(s.ref);
			if (v == abi::kNone || v == abi::kTombstone) {
				continue;
			}
			CHECK(map.find(s.key) == s.ref);  // reachable by probing
			d.insert(std::string(tag) + key_text(s.key) + " -> " +
			         (tag[0] == 'V' ? tenant(v)
			                        : tenant(abi::ref_aux(s.ref)) + " " + member(v)));
		}
	};
	slots(t.access_map, "A ", [](uint64_t k) { return std::to_string(k); });
	slots(t.vni_map, "V ", [](uint64_t k) { return std::to_string(k); });
	slots(t.vtep_map, "R ",
	      [](const abi::VtepKey& k) { return std::to_string(k.vni) + "/" + hex(k.ip, 16); });
	for (uint16_t port = 0; port < t.ports.size; ++port) {
		for (uint16_t vid = 0; vid < abi::kVlanSlots; ++vid) {
			const uint64_t ref = t.vlan_ref(port, vid);
			if (abi::ref_value(ref) != abi::kNone) {
				d.insert("L " + std::to_string(port) + "/" + std::to_string(vid) +
				         " -> " + tenant(abi::ref_aux(ref)) + " " +
				         member(abi::ref_value(ref)));
			}
		}
	}
	auto hops = [&](uint64_t ref) {
		std::string out;
		for (uint32_t i = 0; i < abi::route_count(ref); ++i) {
			abi::NexthopEntry nh =
			    t.nexthop(abi::ref_value(ref) + i * abi::kNexthopWords);
			// A shared next hop with the route's own label reads as one with the label.
			if (const uint32_t own = abi::route_label_plus_one(ref); own != 0) {
				nh.n_labels = 1;
				nh.labels[0] = own - 1;
			}
			const std::string owner =
			    nh.kind == abi::NexthopKind::segment ? tenant(nh.tenant) : "";
			nh.tenant = 0;
			out += " " + owner + "/" + hex(&nh, sizeof(nh));
		}
		return out;
	};
	auto label = [](uint32_t l) {
		return l >= compile::kAutoLabelBase ? std::string("auto") : std::to_string(l);
	};
	for (uint32_t i = 0; i < t.tenants.size; ++i) {
		const abi::VrfEntry& v = t.vrfs[i];
		if (v.live) {
			std::set<uint32_t> own(std::begin(v.local4), std::end(v.local4));
			own.erase(0);
			std::string owns;
			for (uint32_t a : own) {
				owns += " " + std::to_string(a);
			}
			d.insert("VRF " + tenant(i) + " " + label(v.label) + " " +
			         std::to_string(v.len4) + " " + std::to_string(v.len6[0]) + "/" +
			         std::to_string(v.len6[1]) + "/" + std::to_string(v.len6[2]) +
			         owns);
		} else {
			CHECK(v.len4 == 0);
		}
	}
	for (uint64_t i = 0; i <= t.route4_map.mask; ++i) {
		const auto& s = t.route4_map.slots[i];
		if (abi::ref_value(s.ref) < abi::kTombstone) {
			CHECK(t.route4_map.find(s.key) == s.ref);
			// Reachable: its length is one the VRF has, or it is one of the VRF's own
			// addresses kept in its entry.
			const abi::VrfEntry& v = t.vrfs[uint32_t(s.key >> 40)];
			const bool own = ((s.key >> 32) & 0xff) == 32 &&
			                 std::count(std::begin(v.local4), std::end(v.local4),
			                            uint32_t(s.key)) == 1;
			CHECK((((v.len4 >> ((s.key >> 32) & 0xff)) & 1) == 1 || own));
			d.insert("R4 " + tenant(uint32_t(s.key >> 40)) + " " +
			         std::to_string(s.key & 0xffffffffffull) + hops(s.ref));
		}
	}
	for (uint64_t i = 0; i <= t.route6_map.mask; ++i) {
		const auto& s = t.route6_map.slots[i];
		if (abi::ref_value(s.ref) < abi::kTombstone) {
			CHECK(t.route6_map.find(s.key) == s.ref);
			d.insert("R6 " + tenant(s.key.tenant) + " " + hex(s.key.addr, 16) + "/" +
			         std::to_string(s.key.len) + hops(s.ref));
		}
	}
	for (uint64_t i = 0; i <= t.label_map.mask; ++i) {
		const auto& s = t.label_map.slots[i];
		if (abi::ref_value(s.ref) < abi::kTombstone) {
			d.insert("L " + label(uint32_t(s.key)) + " " +
			         tenant(abi::ref_value(s.ref)));
		}
	}
	for (uint64_t i = 0; i <= t.vlan_vrf_map.mask; ++i) {
		const auto& s = t.vlan_vrf_map.slots[i];
		if (abi::ref_value(s.ref) < abi::kTombstone) {
			d.insert("A " + std::to_string(s.key) + " " +
			         tenant(abi::ref_value(s.ref)));
		}
	}
	t.for_each_static([&](uint64_t key, uint32_t m) {
		d.insert("S " + std::to_string(key & 0xffffffffffffull) + " " +
		         tenant(uint32_t(key >> 48)) + " " + member(m));
	});
	return d;
}

// An image kept current in place, as tsunagid keeps one.
struct Live {
	compile::Image image;
	std::unique_ptr<compile::TableWriter> writer;
	uint64_t header = 0;

	Live(const config::Config& cfg, uint64_t gen, const abi::TableView* previous = nullptr)
	{
		const compile::IdPlan ids(cfg, previous, gen);
		const auto layout = compile::Layout::plan(cfg, ids, true);
		image = compile::Image::zeroed(layout.total);
		writer = std::make_unique<compile::TableWriter>(image.data(), layout, cfg, ids,
		                                                std::vector<config::Neighbor>{});
		header = *writer->commit(gen);
	}
	abi::TableView view() const { return abi::TableView(image.data(), header); }
};

config::Config many_tenants(int n)
{
	config::Config cfg = load_config(kNodeAndPorts);
	for (int i = 0; i < n; ++i) {
		config::Tenant t;
		t.name = "c" + std::to_string(i);
		t.vni = 10000 + uint32_t(i);
		t.hybrid_vlan = uint16_t(1 + i % 4094);
		t.attachments.push_back(
		    {{}, i % 2 ? "a1" : "a0", uint16_t(1 + i % 4094), uint16_t(1 + i / 4094)});
		cfg.tenants.push_back(t);
	}
	return cfg;
}

}  // namespace

TEST_CASE("edited in place, an image answers every lookup as one built anew", "[tables][writer]")
{
	Model model;
	for (int i = 0; i < 6; ++i) {
		model.add_tenant(i);
	}
	uint64_t gen = 1;
	Live live(load_config(model.yaml()), gen);
	int in_place = 0, rebuilt = 0, with_routes = 0, learned_routes = 0;
	std::map<int, std::set<int>> applied;
	for (int step = 0; step < 300; ++step) {
		model.mutate();
		const config::Config cfg = load_config(model.yaml());
		++gen;
		const abi::TableView before = live.view();
		std::map<std::string, uint32_t> kept;
		for (const auto& t : cfg.tenants) {
			kept[t.name] = before.tenant_by_name(t.name);
		}
		if (live.writer->apply(cfg, {}, gen)) {
			// What tsunagid's route feed would do: the learned routes that changed.
			for (const auto& [n, rs] : applied) {
				for (int r : rs) {
					if (!model.learned[n].contains(r)) {
						live.writer->remove_route("t" + std::to_string(n),
						                          Model::route(r), gen);
					}
				}
			}
			for (const auto& [n, rs] : model.learned) {
				for (int r : rs) {
					if (!applied[n].contains(r)) {
						REQUIRE(live.writer->set_route(
						    "t" + std::to_string(n), Model::route(r),
						    Model::hops(r), gen));
					}
				}
			}
			live.header = *live.writer->commit(gen);
			++in_place;
			// Edited in place: every tenant that stayed kept its index.
			for (const auto& [name, index] : kept) {
				if (index != abi::kNone) {
					CHECK(live.view().tenant_by_name(name) == index);
				}
			}
		} else {
			live = Live(cfg, gen, &before);
			for (const auto& [n, rs] : model.learned) {
				for (int r : rs) {
					REQUIRE(live.writer->set_route("t" + std::to_string(n),
					                               Model::route(r),
					                               Model::hops(r), gen));
				}
			}
			live.header = *live.writer->commit(gen);
			++rebuilt;
		}
		applied = model.learned;
		live.writer->reclaim(gen - 1);  // a dataplane one generation behind
		Live fresh(cfg, gen);
		for (const auto& [n, rs] : model.learned) {
			for (int r : rs) {
				REQUIRE(fresh.writer->set_route(
				    "t" + std::to_string(n), Model::route(r), Model::hops(r), gen));
				++learned_routes;
			}
		}
		fresh.header = *fresh.writer->commit(gen);
		INFO("step " << step << "\n" << model.yaml());
		const auto edited = describe(live.view());
		const auto anew = describe(fresh.view());
		with_routes +=
		    std::count_if(edited.begin(), edited.end(),
		                  [](const std::string& x) { return x.starts_with("R4 "); }) > 4;
		INFO(difference(edited, anew));
		REQUIRE(edited == anew);
	}
	CHECK(in_place > 250);
	CHECK(with_routes > 200);  // most steps had VRFs with routes of every kind
	CHECK(learned_routes > 300);
	CHECK(rebuilt >= 1);  // the reserved room runs out now and then
}

TEST_CASE("a port or node change is not edited in place and changes nothing", "[tables][writer]")
{
	Live live(load_config(tsunagi::test::kSmallNode), 1);
	const std::vector<uint64_t> before(
	    static_cast<const uint64_t*>(live.image.data()),
	    static_cast<const uint64_t*>(live.image.data()) + live.image.size() / 8);
	std::string yaml = tsunagi::test::kSmallNode;
	yaml.replace(yaml.find("device: d0"), 10, "device: d0, mtu: 9000");
	CHECK_FALSE(live.writer->apply(load_config(yaml), {}, 2));
	yaml = tsunagi::test::kSmallNode;
	yaml.replace(yaml.find("name: n1"), 8, "name: n2");
	CHECK_FALSE(live.writer->apply(load_config(yaml), {}, 2));
	CHECK(std::memcmp(before.data(), live.image.data(), before.size() * 8) == 0);
}

TEST_CASE("adding one tenant to 4 000 writes only that tenant", "[tables][writer]")
{
	config::Config cfg = many_tenants(4000);
	Live live(cfg, 1);
	const auto* words = static_cast<const uint8_t*>(live.image.data());
	const std::vector<uint8_t> before(words, words + live.image.size());
	live.writer->take_bytes_written();

	config::Tenant t;
	t.name = "newcomer";
	t.vni = 5;
	t.hybrid_vlan = 4094;
	t.attachments.push_back({{}, "a0", 4000, 4000});
	REQUIRE(live.writer->upsert_tenant(t, 2));
	live.header = *live.writer->commit(2);
	const uint64_t written = live.writer->take_bytes_written();
	size_t lines = 0;
	for (size_t i = 0; i < before.size(); i += 64) {
		lines += std::memcmp(&before[i], words + i,
		                     std::min<size_t>(64, before.size() - i)) != 0;
	}
	INFO("image " << live.image.size() << " bytes; " << written << " written, " << lines
	              << " cache lines differ");
	CHECK(written < 1024);
	CHECK(lines <= 16);
	const abi::TableView v = live.view();
	CHECK(v.tenant_by_name("newcomer") == 4000);
	CHECK(abi::ref_aux(v.access_map.find(abi::access_key(0, true, 4000, 4000))) == 4000);
	CHECK(v.tenant_by_name("c3999") == 3999);

	REQUIRE(live.writer->remove_tenant("c17", 3));
	live.header = *live.writer->commit(3);
	CHECK(live.writer->take_bytes_written() < 1024);
	CHECK(live.view().tenant_by_name("c17") == abi::kNone);
	CHECK(live.view().vni_map.find(10017) == abi::kEmptyRef);
}

TEST_CASE("nothing a reader may hold is reused before the dataplane moves past it",
          "[tables][writer]")
{
	SECTION("heap blocks")
	{
		compile::Heap heap(1024, 1024 + 4096);
		const uint64_t a = heap.alloc(100);
		heap.retire(a, 100, 5);
		CHECK(heap.alloc(100) != a);
		heap.reclaim(4);
		CHECK(heap.alloc(100) != a);
		heap.reclaim(5);
		CHECK(heap.alloc(100) == a);
		CHECK(heap.alloc(8192) == 0);  // beyond the region
	}
	SECTION("tombstones")
	{
		std::vector<abi::U64Slot> slots(8);
		compile::SlotEditor<abi::U64Slot>::clear(slots.data(), 8);
		compile::SlotEditor<abi::U64Slot> map(slots.data(), 8);
		REQUIRE(map.put(1, abi::make_ref(10, 0)));
		REQUIRE(map.erase(1, 3));
		const auto tomb = std::find_if(slots.begin(), slots.end(), [](const auto& s) {
			return abi::ref_value(s.ref) == abi::kTombstone;
		});
		REQUIRE(tomb != slots.end());
		// The same key again lands elsewhere while readers may still compare the old one.
		REQUIRE(map.put(1, abi::make_ref(11, 0)));
		CHECK(tomb->key == 1);
		CHECK(abi::ref_value(tomb->ref) == abi::kTombstone);
		REQUIRE(map.erase(1, 4));
		REQUIRE(map.put(5, abi::make_ref(5, 0)));
		REQUIRE(map.erase(5, 5));
		CHECK(map.tombstones() == 3);
		// Once no reader holds them, tombstones that end their run are empty again.
		map.reclaim(4);
		CHECK(map.tombstones() == 1);
		REQUIRE(map.put(1, abi::make_ref(12, 0)));
		CHECK(map.get(1) == abi::make_ref(12, 0));
		// Half full, tombstones counted: no more inserts.
		CHECK(map.put(2, abi::make_ref(2, 0)));
		CHECK(map.put(3, abi::make_ref(3, 0)));
		CHECK_FALSE(map.put(4, abi::make_ref(4, 0)));
		// One inside a run is reused in place.
		map.reclaim(5);
		CHECK(map.put(4, abi::make_ref(4, 0)));
		CHECK(map.tombstones() == 0);
	}
}

TEST_CASE("readers never see a torn or foreign entry while tenants come and go", "[tables][writer]")
{
	config::Config cfg = many_tenants(1000);
	Live live(cfg, 1);
	const abi::TableView view = live.view();
	// Tenants c0..c99 stay; c100..c199 are removed and re-added, changed, over and over.
	std::vector<std::pair<uint64_t, uint32_t>> stable;
	for (uint32_t i = 0; i < 100; ++i) {
		const auto& a = cfg.tenants[i].attachments[0];
		stable.emplace_back(
		    abi::access_key(a.port == "a1" ? 1 : 0, true, a.vlan, a.inner_vlan), i);
	}
	std::atomic<bool> stop{false};
	std::atomic<uint64_t> wrong{0}, lookups{0};
	std::thread reader([&] {
		while (!stop.load(std::memory_order_relaxed)) {
			for (const auto& [key, tenant] : stable) {
				const uint64_t ref = view.access_map.find(key);
				const uint32_t m = abi::ref_value(ref);
				wrong += abi::ref_aux(ref) != tenant || m >= view.members.size ||
				         view.tenant_of(m) != tenant ||
				         abi::flood_count(view.flood_of(tenant)) != 2 ||
				         abi::ref_aux(view.vlan_ref(
				             2, cfg.tenants[tenant].hybrid_vlan)) != tenant;
				++lookups;
			}
		}
	});
	while (lookups.load() < 10000) {
		std::this_thread::yield();
	}
	uint64_t gen = 1, rebuilds = 0;
	for (int round = 0; round < 1200; ++round) {
		const int i = 100 + round % 100;
		config::Tenant t = cfg.tenants[i];
		t.attachments[0].vlan = uint16_t(2000 + (round % 7));
		t.attachments[0].inner_vlan = uint16_t(i);
		++gen;
		const bool ok = round % 3 == 0 ? live.writer->remove_tenant(t.name, gen)
		                               : live.writer->upsert_tenant(t, gen);
		rebuilds += !ok;
		live.header = *live.writer->commit(gen);
		live.writer->reclaim(gen - 1);
	}
	stop = true;
	reader.join();
	INFO(lookups.load() << " lookups");
	CHECK(lookups.load() > 0);
	CHECK(wrong.load() == 0);
	CHECK(rebuilds == 0);  // the reserved room sufficed: no new image was needed
}

TEST_CASE("a VRF added in place routes and answers ARP like one built with the image",
          "[tables][writer][pipeline]")
{
	const std::string plain = std::string(tsunagi::test::kSmallNode) +
	                          "  - name: y\n    vni: 11\n    hybrid_vlan: 101\n"
	                          "    attachments: [ { port: a0, vlan: 9 } ]\n";
	std::string routed = plain;
	routed.replace(
	    routed.find("neighbors:\n"), 11,
	    "neighbors:\n  - { tenant: y, address: 10.9.0.10, mac: \"02:00:00:00:09:0a\" }\n");
	routed += "    vrf: { rd: \"65000:9\", gateway: [10.9.0.1/24] }\n";
	Live live(load_config(plain), 1);
	live.writer->take_bytes_written();
	REQUIRE(live.writer->apply(load_config(routed), {}, 2));
	live.header = *live.writer->commit(2);
	const uint64_t written = live.writer->take_bytes_written();
	INFO(written << " bytes written");
	CHECK(written < 2048);

	tsunagi::test::Harness h(plain);
	h.pipeline().use_tables(live.view());
	const auto rmac = tsunagi::test::mac("02:00:0a:ff:00:01");
	const auto host = tsunagi::test::mac("02:00:00:00:09:0b");
	// ARP for the gateway, from the attachment (a0, VLAN 9).
	tsunagi::test::Bytes arp(42, 0);
	std::fill_n(arp.begin(), 6, 0xff);
	std::copy(host.begin(), host.end(), arp.begin() + 6);
	const uint8_t body[] = {0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1};
	std::copy(std::begin(body), std::end(body), arp.begin() + 12);
	std::copy(host.begin(), host.end(), arp.begin() + 22);
	const uint8_t spa[] = {10, 9, 0, 11}, tpa[] = {10, 9, 0, 1};
	std::copy(std::begin(spa), std::end(spa), arp.begin() + 28);
	std::copy(std::begin(tpa), std::end(tpa), arp.begin() + 38);
	const auto replies = h.send("a0", tsunagi::test::with_tags(arp, {{0x8100, 9}}));
	REQUIRE(replies.size() == 1);
	CHECK(replies[0].port == "a0");
	CHECK(tsunagi::test::be16(replies[0].bytes, 24) == 2);  // ARP reply, after the tag
	// Routed to the host of the segment (known by its neighbour entry; flooded to the
	// trunk and the attachment: its MAC is not learned yet).
	const auto frame = tsunagi::test::with_tags(
	    tsunagi::test::ipv4_udp_frame(rmac, host, 0x0a09000b, 0x0a09000a, 1, 2), {{0x8100, 9}});
	const auto out = h.send("a0", frame);
	REQUIRE(out.size() == 2);
	for (const auto& e : out) {
		CHECK(e.bytes[0] == 0x02);
		CHECK(e.bytes[5] == 0x0a);  // the host's MAC
	}
	CHECK(h.drops(dp::Drop::no_route) == 0);
}

TEST_CASE("a route learned from a carrier leaves with its labels to the carrier's learned MAC",
          "[tables][writer][pipeline]")
{
	const std::string yaml = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: ix0, role: interconnect, device: d1, address: 203.0.113.2/30 }
tenants:
  - name: y
    vni: 11
    hybrid_vlan: 101
    attachments: [ { port: a0, vlan: 9 } ]
    vrf: { rd: "65000:9", label: 2001, gateway: [10.9.0.1/24] }
peers:
  - { name: c, option: B, port: ix0, address: 203.0.113.1, asn: 2516, tenants: [y] }
)";
	const auto cfg = load_config(yaml);
	Live live(cfg, 1);
	config::Neighbor carrier;
	carrier.port = "ix0";
	carrier.address = *config::parse_ip("203.0.113.1");
	carrier.mac = config::Mac{{0x02, 0xcc, 0, 0, 0, 1}};
	abi::NexthopEntry nh =
	    compile::carrier_next_hop(cfg, cfg.peers[0], carrier.address, {carrier});
	CHECK(nh.resolved == 1);
	nh.n_labels = 1;
	nh.labels[0] = 30001;
	REQUIRE(live.writer->set_route("y", {*config::parse_ip("172.16.0.0"), 16}, {nh}, 2));
	live.header = *live.writer->commit(2);

	tsunagi::test::Harness h(yaml);
	h.pipeline().use_tables(live.view());
	const auto rmac = tsunagi::test::mac("02:00:0a:ff:00:01");
	const auto host = tsunagi::test::mac("02:00:00:00:09:0b");
	const auto frame = tsunagi::test::with_tags(
	    tsunagi::test::ipv4_udp_frame(rmac, host, 0x0a09000b, 0xac100001, 1, 2), {{0x8100, 9}});
	const auto out = h.send("a0", frame);
	INFO("no_route " << h.drops(dp::Drop::no_route) << " no_neighbor "
	                 << h.drops(dp::Drop::no_neighbor));
	REQUIRE(out.size() == 1);
	CHECK(out[0].port == "ix0");
	CHECK(out[0].bytes[0] == 0x02);
	CHECK(out[0].bytes[1] == 0xcc);
	CHECK(tsunagi::test::be16(out[0].bytes, 12) == 0x8847);
	CHECK(((uint32_t(tsunagi::test::be16(out[0].bytes, 14)) << 16 |
	        tsunagi::test::be16(out[0].bytes, 16)) >>
	       12) == 30001);
}

TEST_CASE("a carrier's single-label routes share one next hop and keep their own labels",
          "[tables][writer][pipeline]")
{
	const std::string yaml = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: ix0, role: interconnect, device: d1, address: 203.0.113.2/30 }
neighbors:
  - { port: ix0, address: 203.0.113.1, mac: "02:cc:00:00:00:01" }
tenants:
  - name: y
    vni: 11
    hybrid_vlan: 101
    attachments: [ { port: a0, vlan: 9 } ]
    vrf: { rd: "65000:9", label: 2001, gateway: [10.9.0.1/24] }
peers:
  - name: c
    option: B
    port: ix0
    address: 203.0.113.1
    asn: 2516
    tenants: [y]
    static_vpn_routes:
      - { tenant: y, prefix: 172.20.0.0/16, labels: [40001] }
      - { tenant: y, prefix: 172.21.0.0/16, labels: [40002] }
      - { tenant: y, prefix: 172.22.0.0/16, labels: [40003, 16] }
)";
	const auto cfg = load_config(yaml);
	Live live(cfg, 1);
	abi::NexthopEntry nh =
	    compile::carrier_next_hop(cfg, cfg.peers[0], *cfg.peers[0].address, {});
	nh.n_labels = 1;
	nh.labels[0] = 30001;
	REQUIRE(live.writer->set_route("y", {*config::parse_ip("172.16.0.0"), 16}, {nh}, 2));
	nh.labels[0] = 30002;
	REQUIRE(live.writer->set_route("y", {*config::parse_ip("172.17.0.0"), 16}, {nh}, 2));
	live.header = *live.writer->commit(2);
	const abi::TableView v = live.view();
	const uint32_t y = v.tenant_by_name("y");
	auto ref_of = [&](uint32_t addr) {
		return v.route4_map.find(abi::route4_key(y, 16, addr));
	};
	// Learned and configured alike: one shared hop for the single-label routes, the label in
	// the ref; a two-label route keeps its own next hop.
	CHECK(abi::ref_value(ref_of(0xac100000)) == abi::ref_value(ref_of(0xac110000)));
	CHECK(abi::route_label_plus_one(ref_of(0xac100000)) == 30001 + 1);
	CHECK(abi::route_label_plus_one(ref_of(0xac110000)) == 30002 + 1);
	CHECK(abi::ref_value(ref_of(0xac140000)) == abi::ref_value(ref_of(0xac150000)));
	CHECK(abi::route_label_plus_one(ref_of(0xac150000)) == 40002 + 1);
	CHECK(abi::route_label_plus_one(ref_of(0xac160000)) == 0);
	CHECK(v.nexthop(abi::ref_value(ref_of(0xac160000))).n_labels == 2);

	// Removing one learned route leaves the shared hop to the other.
	REQUIRE(live.writer->remove_route("y", {*config::parse_ip("172.16.0.0"), 16}, 3));
	live.header = *live.writer->commit(3);
	live.writer->reclaim(3);
	// What was freed is reused: were the shared hop among it, 172.17/16 would change.
	nh.n_labels = 2;
	nh.labels[0] = 50001;
	nh.labels[1] = 50002;
	nh.dst_mac[5] = 0x99;
	for (uint32_t i = 0; i < 8; ++i) {
		REQUIRE(live.writer->set_route(
		    "y", {config::IpAddr{false, {172, 30, uint8_t(i)}}, 24}, {nh}, 4));
	}
	live.header = *live.writer->commit(4);

	tsunagi::test::Harness h(yaml);
	h.pipeline().use_tables(live.view());
	const auto rmac = tsunagi::test::mac("02:00:0a:ff:00:01");
	const auto host = tsunagi::test::mac("02:00:00:00:09:0b");
	auto label_to = [&](uint32_t dst) -> int64_t {
		const auto out = h.send(
		    "a0", tsunagi::test::with_tags(
		              tsunagi::test::ipv4_udp_frame(rmac, host, 0x0a09000b, dst, 1, 2),
		              {{0x8100, 9}}));
		// Only to the carrier's MAC.
		if (out.size() != 1 || out[0].bytes[0] != 0x02 || out[0].bytes[1] != 0xcc ||
		    out[0].bytes[5] != 0x01) {
			return -1;
		}
		return (uint32_t(tsunagi::test::be16(out[0].bytes, 14)) << 16 |
		        tsunagi::test::be16(out[0].bytes, 16)) >>
		       12;
	};
	CHECK(label_to(0xac110001) == 30002);
	CHECK(label_to(0xac100001) == -1);  // withdrawn
	CHECK(label_to(0xac140001) == 40001);
	CHECK(label_to(0xac150001) == 40002);
	CHECK(label_to(0xac160001) == 40003);  // the outer of two
}

TEST_CASE("an Option-A next hop resolves to the MAC the kernel found on its sub-interface",
          "[tables][writer][pipeline]")
{
	const std::string yaml = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: ix0, role: interconnect, device: d1, address: 203.0.113.2/30 }
tenants:
  - name: y
    vni: 11
    hybrid_vlan: 101
    attachments: [ { port: a0, vlan: 9 } ]
    vrf:
      rd: "65000:9"
      gateway: [10.9.0.1/24]
      static_routes: [ { prefix: 172.20.0.0/16, via: 198.51.100.2 } ]
peers:
  - name: c
    option: A
    port: ix0
    asn: 2516
    vrfs: [ { tenant: y, vlan: 801, address: 198.51.100.1/30, neighbor: 198.51.100.2 } ]
)";
	const auto cfg = load_config(yaml);
	config::Neighbor found;
	found.port = "ix0";
	found.vlan = 801;
	found.address = *config::parse_ip("198.51.100.2");
	found.mac = config::Mac{{0x02, 0xcc, 0, 0, 8, 1}};
	config::Neighbor elsewhere = found;
	elsewhere.vlan = 802;  // the same address on another sub-interface is another host
	CHECK(compile::option_a_next_hop(cfg, cfg.peers[0], cfg.peers[0].vrfs[0], found.address, {})
	          .resolved == 0);
	CHECK(compile::option_a_next_hop(cfg, cfg.peers[0], cfg.peers[0].vrfs[0], found.address,
	                                 {elsewhere})
	          .resolved == 0);
	const auto nh = compile::option_a_next_hop(cfg, cfg.peers[0], cfg.peers[0].vrfs[0],
	                                           found.address, {found});
	CHECK(nh.resolved == 1);
	CHECK(nh.kind == abi::NexthopKind::option_a);
	CHECK(nh.vlan == 801);

	Live live(cfg, 1);
	tsunagi::test::Harness h(yaml);
	const auto rmac = tsunagi::test::mac("02:00:0a:ff:00:01");
	const auto host = tsunagi::test::mac("02:00:00:00:09:0b");
	const auto frame = tsunagi::test::with_tags(
	    tsunagi::test::ipv4_udp_frame(rmac, host, 0x0a09000b, 0xac140001, 1, 2), {{0x8100, 9}});
	h.pipeline().use_tables(live.view());
	CHECK(h.send("a0", frame).empty());
	CHECK(h.drops(dp::Drop::no_neighbor) == 1);
	// The kernel found the neighbour: the same configuration is planned again, in place.
	REQUIRE(live.writer->apply(cfg, {found}, 2));
	live.header = *live.writer->commit(2);
	h.pipeline().use_tables(live.view());
	const auto out = h.send("a0", frame);
	REQUIRE(out.size() == 1);
	CHECK(out[0].port == "ix0");
	CHECK(out[0].bytes[5] == 0x01);  // 02:cc:00:00:08:01
	CHECK(out[0].bytes[4] == 0x08);
	CHECK(tsunagi::test::be16(out[0].bytes, 12) == 0x8100);
	CHECK((tsunagi::test::be16(out[0].bytes, 14) & 0xfff) == 801);
}
