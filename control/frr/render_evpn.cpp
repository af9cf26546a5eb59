#include "control/frr/render_evpn.hpp"

#include "common/config/values.hpp"
#include "control/frr/render.hpp"

namespace tsunagi::frr {

bool has_frr_vrf(const config::Config& cfg, const config::Tenant& t)
{
	return t.vrf && (has_option_a(cfg, t) || t.vrf->l3_vni != 0);
}

void evpn_zebra(std::ostream& o, const config::Config& cfg)
{
	if (cfg.node.evpn) {
		o << "ip nht resolve-via-default\n!\n";
	}
}

void evpn_neighbors(std::ostream& o, const config::Config& cfg)
{
	if (!cfg.node.evpn) {
		return;
	}
	const config::Evpn& evpn = *cfg.node.evpn;
	for (const auto& peer : evpn.peers) {
		const std::string a = config::to_string(peer.address);
		o << " neighbor " << a << " remote-as " << (peer.asn != 0 ? peer.asn : cfg.node.asn)
		  << "\n";
		o << " neighbor " << a << " description evpn\n";
		o << " neighbor " << a << " timers " << evpn.keepalive_s << " " << evpn.hold_s
		  << "\n";
		// Sessions to route reflectors run between VTEPs: the reflector may accept only
		// the VTEP address, and with it the session does not move when another underlay
		// address is added.
		for (const auto& vtep : cfg.node.vteps) {
			if (vtep.v6 == peer.address.v6) {
				o << " neighbor " << a << " update-source "
				  << config::to_string(vtep) << "\n";
			}
		}
	}
}

void evpn_address_family(std::ostream& o, const config::Config& cfg)
{
	if (!cfg.node.evpn) {
		return;
	}
	o << " !\n address-family l2vpn evpn\n";
	for (const auto& peer : cfg.node.evpn->peers) {
		o << "  neighbor " << config::to_string(peer.address) << " activate\n";
	}
	o << "  advertise-all-vni\n exit-address-family\n";
}

void evpn_vrf_vni(std::ostream& o, const config::Tenant& t)
{
	if (t.vrf && t.vrf->l3_vni != 0) {
		o << " vni " << t.vrf->l3_vni << "\n";
	}
}

void evpn_vrf_address_family(std::ostream& o, const config::Tenant& t)
{
	if (!t.vrf || t.vrf->l3_vni == 0) {
		return;
	}
	o << " !\n address-family l2vpn evpn\n  advertise ipv4 unicast\n"
	     "  advertise ipv6 unicast\n exit-address-family\n";
}

}  // namespace tsunagi::frr
