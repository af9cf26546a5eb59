#include "control/frr/render.hpp"

#include <sstream>

#include "control/compile/vrf_plan.hpp"
#include "control/config/loader.hpp"
#include "dataplane/shm/names.hpp"

namespace tsunagi::frr {

using config::IpPrefix;

namespace {

std::string prefix(const IpPrefix& p)
{
	return config::to_string(compile::masked(p));
}

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
	o << "  label vpn export " << label << "\n";
	o << "  rd vpn export " << vrf.rd << "\n";
	for (const auto& rt : vrf.import_rts) {
		o << "  rt vpn import " << rt << "\n";
	}
	for (const auto& rt : vrf.export_rts) {
		o << "  rt vpn export " << rt << "\n";
	}
	o << "  export vpn\n  import vpn\n exit-address-family\n";
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

std::string render(const config::Config& cfg, const Labels& labels)
{
	std::ostringstream o;
	o << "! Rendered by tsunagid from " << cfg.file << "; changes here are overwritten.\n";
	o << "frr version 8.4\nfrr defaults traditional\nhostname " << cfg.node.name << "\n";
	o << "service integrated-vtysh-config\n!\n";

	// The tenants' prefixes: the dataplane owns them, so FRR sees them as blackholes it
	// may announce.
	for (const auto& t : cfg.tenants) {
		if (!t.vrf) {
			continue;
		}
		o << "vrf " << vrf_name(t) << "\n";
		for (const auto& g : t.vrf->gateways) {
			o << " " << (g.addr.v6 ? "ipv6" : "ip") << " route " << prefix(g)
			  << " blackhole\n";
		}
		for (const auto& r : t.vrf->static_routes) {
			o << " " << (r.prefix.addr.v6 ? "ipv6" : "ip") << " route "
			  << prefix(r.prefix) << " blackhole\n";
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

	o << "router bgp " << cfg.node.asn << "\n";
	o << " bgp router-id " << config::to_string(cfg.node.router_id) << "\n";
	o << " no bgp ebgp-requires-policy\n no bgp default ipv4-unicast\n";
	bool b4 = false, b6 = false;
	for (const auto& peer : cfg.peers) {
		if (peer.option == config::PeerOption::B && peer.address) {
			const std::string a = config::to_string(*peer.address);
			o << " neighbor " << a << " remote-as " << peer.asn << "\n";
			o << " neighbor " << a << " description " << peer.name << "\n";
			b4 = b6 = true;
		}
	}
	for (const bool v6 : {false, true}) {
		if (!(v6 ? b6 : b4)) {
			continue;
		}
		o << " !\n address-family " << (v6 ? "ipv6" : "ipv4") << " vpn\n";
		for (const auto& peer : cfg.peers) {
			if (peer.option == config::PeerOption::B && peer.address) {
				o << "  neighbor " << config::to_string(*peer.address)
				  << " activate\n";
			}
		}
		o << " exit-address-family\n";
	}
	o << "exit\n!\n";

	for (const auto& t : cfg.tenants) {
		if (!t.vrf) {
			continue;
		}
		o << "router bgp " << cfg.node.asn << " vrf " << vrf_name(t) << "\n";
		o << " bgp router-id " << config::to_string(cfg.node.router_id) << "\n";
		o << " no bgp ebgp-requires-policy\n";
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
		const auto label = labels.find(t.name);
		const uint32_t l = label != labels.end() ? label->second : t.vrf->label.value_or(0);
		o << " !\n";
		address_family(o, cfg, t, l, false);
		o << " !\n";
		address_family(o, cfg, t, l, true);
		o << "exit\n!\n";
	}
	return o.str();
}

}  // namespace tsunagi::frr
