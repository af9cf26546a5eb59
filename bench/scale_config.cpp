#include "bench/scale_config.hpp"

#include <string>

namespace tsunagi::bench {

namespace {

config::IpAddr ip4(uint32_t host_order)
{
	config::IpAddr a;
	a.bytes[0] = uint8_t(host_order >> 24);
	a.bytes[1] = uint8_t(host_order >> 16);
	a.bytes[2] = uint8_t(host_order >> 8);
	a.bytes[3] = uint8_t(host_order);
	return a;
}

}  // namespace

config::Config build_scale_config(const ScaleParams& p)
{
	config::Config cfg;
	cfg.file = "<bench scale config>";
	cfg.node.name = "bench";
	cfg.node.asn = 65000;
	cfg.node.router_id = ip4(kLocalVtep);
	cfg.node.vteps.push_back(ip4(kLocalVtep));

	for (uint32_t i = 0; i < p.access_ports; ++i) {
		config::Port port;
		port.name = "acc" + std::to_string(i);
		port.role = config::PortRole::access;
		port.device = "bench";
		cfg.ports.push_back(port);
	}
	config::Port ul;
	ul.name = "ul0";
	ul.role = config::PortRole::underlay;
	ul.device = "bench";
	ul.addresses.push_back(config::IpPrefix{ip4(kLocalVtep), 24});
	ul.gateways.push_back(ip4(kGateway));
	// A VXLAN underlay carries full-size customer frames plus 50 bytes of headers.
	ul.mtu = 9000;
	cfg.ports.push_back(ul);

	config::Neighbor gw;
	gw.port = ul.name;
	gw.address = ip4(kGateway);
	gw.mac = config::Mac{{0x02, 0x47, 0x57, 0x00, 0x00, 0x01}};
	cfg.neighbors.push_back(gw);

	cfg.tenants.resize(p.tenants);
	for (uint32_t t = 0; t < p.tenants; ++t) {
		config::Tenant& ten = cfg.tenants[t];
		ten.name = "t" + std::to_string(t);
		ten.vni = kVniBase + t;
		for (uint32_t k = 0; k < p.vteps_per_tenant; ++k) {
			ten.vteps.push_back(ip4(tenant_vtep_ip(p, t, k)));
		}
	}
	const uint32_t first_inner = p.inner_vlans == 0 ? 0 : 1;
	for (uint32_t inner = first_inner; inner <= p.inner_vlans; ++inner) {
		for (uint32_t port = 0; port < p.access_ports; ++port) {
			for (uint32_t vid = 1; vid <= p.vlans; ++vid) {
				config::Attachment a;
				a.port = cfg.ports[port].name;
				a.vlan = uint16_t(vid);
				a.inner_vlan = uint16_t(inner);
				cfg.tenants[attachment_tenant(p, port, vid, inner)]
				    .attachments.push_back(a);
			}
		}
	}
	if (p.vrfs > 0) {
		config::Port ix;
		ix.name = "ix0";
		ix.role = config::PortRole::interconnect;
		ix.device = "bench";
		ix.addresses.push_back(config::IpPrefix{ip4(kCarrier + 1), 30});
		cfg.ports.push_back(ix);
		config::Neighbor carrier;
		carrier.port = ix.name;
		carrier.address = ip4(kCarrier);
		carrier.mac = config::Mac{{0x02, 0xcc, 0x00, 0x00, 0x00, 0x01}};
		cfg.neighbors.push_back(carrier);
		config::Peer peer;
		peer.name = "carrier";
		peer.option = config::PeerOption::B;
		peer.port = ix.name;
		peer.asn = 2516;
		peer.address = ip4(kCarrier);
		const uint32_t per = p.routes / p.vrfs;
		peer.static_vpn_routes.reserve(size_t(per) * p.vrfs);
		for (uint32_t t = 0; t < p.vrfs && t < p.tenants; ++t) {
			config::Tenant& ten = cfg.tenants[t];
			ten.vrf = config::Vrf{};
			ten.vrf->label = 1000 + t;
			ten.vrf->rd = "65000:" + std::to_string(t);
			ten.vrf->gateways.push_back(config::IpPrefix{ip4(0x0a000001), 24});
			peer.tenants.push_back(ten.name);
			for (uint32_t j = 0; j < per; ++j) {
				config::StaticVpnRoute r;
				r.tenant = ten.name;
				r.prefix = config::IpPrefix{ip4(vpn_route_prefix(t, j)), 24};
				r.labels = {vpn_route_label(p, t, j)};
				peer.static_vpn_routes.push_back(std::move(r));
			}
		}
		cfg.peers.push_back(std::move(peer));
	}
	return cfg;
}

}  // namespace tsunagi::bench
