#include "control/frr/render.hpp"

#include <sstream>

#include "common/config/values.hpp"
#include "common/shm/names.hpp"
#include "control/compile/vrf_plan.hpp"
#include "control/frr/render_evpn.hpp"

namespace tsunagi::frr {

using config::IpPrefix;

namespace {

void address_family(std::ostringstream& o, const config::Config& cfg, const config::Tenant& t,
                    uint32_t label, bool v6)
{
	const config::Vrf& vrf = *t.vrf;
	o << " address-family " << (v6 ? "ipv6" : "ipv4") << " unicast\n";
	o << "  redistribute static\n";
	for (const auto& peer : cfg.peers) {
		for (const auto& a : peer.vrfs) {
			if (a.tenant == t.name && a.neighbor.v6 == v6) {
				o << "  neighbor " << config::to_string(a.neighbor)
				  << " activate\n";
			}
		}
	}
	// Without Option-A sessions the VPN routes are the default instance's own (render()),
	// and this instance only feeds EVPN.
	if (has_option_a(cfg, t)) {
		o << "  label vpn export " << label << "\n";
		o << "  rd vpn export " << vrf.rd << "\n";
		for (const auto& rt : vrf.import_rts) {
			o << "  rt vpn import " << rt << "\n";
		}
		for (const auto& rt : vrf.export_rts) {
			o << "  rt vpn export " << rt << "\n";
		}
		o << "  export vpn\n  import vpn\n";
	}
	o << " exit-address-family\n";
}

}  // namespace

Labels labels_of(const abi::TableView& tables)
{
	Labels out;
	for (uint32_t i = 0; i < tables.tenants.size; ++i) {
		if (tables.tenants[i].live && tables.vrfs[i].live) {
			out[std::string(tables.name(tables.tenants[i].name))] =
			    tables.vrfs[i].label;
		}
	}
	return out;
}

std::string vrf_name(const config::Tenant& t)
{
	return t.name;
}

bool has_option_a(const config::Config& cfg, const config::Tenant& t)
{
	for (const auto& peer : cfg.peers) {
		for (const auto& a : peer.vrfs) {
			if (a.tenant == t.name) {
				return true;
			}
		}
	}
	return false;
}

namespace {

// The prefixes a tenant's VRF announces: its gateway subnets and static routes, masked.
std::vector<IpPrefix> announced(const config::Tenant& t)
{
	std::vector<IpPrefix> out;
	for (const auto& g : t.vrf->gateways) {
		out.push_back(compile::masked(g));
	}
	for (const auto& r : t.vrf->static_routes) {
		out.push_back(compile::masked(r.prefix));
	}
	return out;
}

const config::Tenant* tenant_named(const config::Config& cfg, const std::string& name)
{
	for (const auto& t : cfg.tenants) {
		if (t.name == name) {
			return &t;
		}
	}
	return nullptr;
}

// Route maps: what each tenant's exported routes carry, and what each carrier may receive
// (the route targets of its own tenants only, so no carrier learns another's customers
// or the routes of another carrier).
void route_maps(std::ostringstream& o, const config::Config& cfg)
{
	for (const auto& t : cfg.tenants) {
		if (t.vrf && !has_option_a(cfg, t) && !t.vrf->export_rts.empty()) {
			o << "route-map " << export_map(t) << " permit 10\n set extcommunity rt";
			for (const auto& rt : t.vrf->export_rts) {
				o << " " << rt;
			}
			o << "\nexit\n!\n";
		}
	}
	for (const auto& peer : cfg.peers) {
		if (peer.option != config::PeerOption::B || !peer.address) {
			continue;
		}
		bool any = false;
		for (const auto& name : peer.tenants) {
			const config::Tenant* t = tenant_named(cfg, name);
			for (const auto& rt :
			     t && t->vrf ? t->vrf->export_rts : std::vector<std::string>{}) {
				o << "bgp extcommunity-list standard " << peer_list(peer)
				  << " permit rt " << rt << "\n";
				any = true;
			}
		}
		// A route map that matches nothing denies everything.
		o << "route-map " << peer_map(peer) << (any ? " permit" : " deny") << " 10\n";
		if (any) {
			o << " match extcommunity " << peer_list(peer) << "\n";
		}
		o << "exit\n!\n";
	}
}

// The route feed: bgpd mirrors what the carriers and EVPN peers send to tsunagid, every
// address family (docs/frr.md, docs/evpn.md).
void bmp_target(std::ostringstream& o, const Options& opt)
{
	if (opt.bmp_port != 0) {
		o << " !\n bmp targets tsunagid\n  bmp connect 127.0.0.1 port " << opt.bmp_port
		  << " min-retry 100 max-retry 1000\n  bmp mirror\n exit\n";
	}
}

}  // namespace

std::string export_map(const config::Tenant& t)
{
	return "TSUNAGI-EXPORT-" + t.name;
}

std::string peer_map(const config::Peer& p)
{
	return "TSUNAGI-TO-" + p.name;
}

std::string peer_list(const config::Peer& p)
{
	return "TSUNAGI-RT-" + p.name;
}

std::string render(const config::Config& cfg, const Labels& labels, const Options& opt)
{
	auto label_of = [&](const config::Tenant& t) {
		const auto label = labels.find(t.name);
		return label != labels.end() ? label->second : t.vrf->label.value_or(0);
	};
	std::ostringstream o;
	o << "! Rendered by tsunagid from " << cfg.file << "; changes here are overwritten.\n";
	o << "frr version 8.4\nfrr defaults traditional\nhostname " << cfg.node.name << "\n";
	o << "service integrated-vtysh-config\n!\n";
	// The dataplane forwards, never the kernel behind the punt interfaces. Said
	// explicitly, or FRR's reload tool would switch kernel forwarding on.
	o << "no ip forwarding\nno ipv6 forwarding\n!\n";
	evpn_zebra(o, cfg);

	// A VRF with Option-A sessions or an L3 VNI is an FRR VRF: its prefixes are blackholes
	// there (the dataplane, not the kernel, holds them) that BGP may announce.
	for (const auto& t : cfg.tenants) {
		if (!has_frr_vrf(cfg, t)) {
			continue;
		}
		o << "vrf " << vrf_name(t) << "\n";
		evpn_vrf_vni(o, t);
		for (const auto& p : announced(t)) {
			o << " " << (p.addr.v6 ? "ipv6" : "ip") << " route " << config::to_string(p)
			  << " blackhole\n";
		}
		o << "exit-vrf\n!\n";
	}
	// Option-B links carry labelled routes: FRR must accept them as forwardable.
	for (const auto& peer : cfg.peers) {
		if (peer.option == config::PeerOption::B) {
			o << "interface " << shm::punt_interface(peer.port)
			  << "\n mpls bgp forwarding\nexit\n!\n";
		}
	}
	route_maps(o, cfg);

	o << "router bgp " << cfg.node.asn << "\n";
	o << " bgp router-id " << config::to_string(cfg.node.router_id) << "\n";
	o << " no bgp ebgp-requires-policy\n no bgp default ipv4-unicast\n";
	o << " bgp graceful-restart\n";
	bool carriers = false;
	for (const auto& peer : cfg.peers) {
		if (peer.option == config::PeerOption::B && peer.address) {
			const std::string a = config::to_string(*peer.address);
			o << " neighbor " << a << " remote-as " << peer.asn << "\n";
			o << " neighbor " << a << " description " << peer.name << "\n";
			carriers = true;
		}
	}
	evpn_neighbors(o, cfg);
	for (const bool v6 : {false, true}) {
		if (!carriers) {
			break;
		}
		o << " !\n address-family " << (v6 ? "ipv6" : "ipv4") << " vpn\n";
		for (const auto& peer : cfg.peers) {
			if (peer.option == config::PeerOption::B && peer.address) {
				const std::string a = config::to_string(*peer.address);
				o << "  neighbor " << a << " activate\n";
				o << "  neighbor " << a << " route-map " << peer_map(peer)
				  << " out\n";
			}
		}
		// A VRF without Option-A sessions needs no FRR VRF: its prefixes are announced
		// as VPN routes with the VRF's RD, label and export route targets.
		for (const auto& t : cfg.tenants) {
			if (!t.vrf || has_option_a(cfg, t)) {
				continue;
			}
			for (const auto& p : announced(t)) {
				if (p.addr.v6 == v6) {
					o << "  network " << config::to_string(p) << " rd "
					  << t.vrf->rd << " label " << label_of(t);
					if (!t.vrf->export_rts.empty()) {
						o << " route-map " << export_map(t);
					}
					o << "\n";
				}
			}
		}
		o << " exit-address-family\n";
	}
	evpn_address_family(o, cfg);
	bmp_target(o, opt);
	o << "exit\n!\n";

	for (const auto& t : cfg.tenants) {
		if (!has_frr_vrf(cfg, t)) {
			continue;
		}
		o << "router bgp " << cfg.node.asn << " vrf " << vrf_name(t) << "\n";
		o << " bgp router-id " << config::to_string(cfg.node.router_id) << "\n";
		o << " no bgp ebgp-requires-policy\n bgp graceful-restart\n";
		for (const auto& peer : cfg.peers) {
			for (const auto& a : peer.vrfs) {
				if (a.tenant == t.name) {
					const std::string n = config::to_string(a.neighbor);
					o << " neighbor " << n << " remote-as " << peer.asn << "\n";
					o << " neighbor " << n << " description " << peer.name
					  << "\n";
				}
			}
		}
		o << " !\n";
		address_family(o, cfg, t, label_of(t), false);
		o << " !\n";
		address_family(o, cfg, t, label_of(t), true);
		evpn_vrf_address_family(o, t);
		// BMP targets are per BGP instance: the VRF's sessions feed tsunagid through a
		// connection of their own. A VRF with only an L3 VNI has no sessions: its
		// type-5 routes arrive over the EVPN sessions of the default instance.
		if (has_option_a(cfg, t)) {
			bmp_target(o, opt);
		}
		o << "exit\n!\n";
	}
	return o.str();
}

}  // namespace tsunagi::frr
