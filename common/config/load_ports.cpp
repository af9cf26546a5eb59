// The `ports:` and `neighbors:` sections.
#include "common/config/load_context.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

const std::map<std::string, PortRole, std::less<>> kRoles = {
    {"access", PortRole::access},
    {"trunk", PortRole::trunk},
    {"underlay", PortRole::underlay},
    {"interconnect", PortRole::interconnect},
};

void parse_ports(Ctx& ctx, const Val& v, Parsed& out)
{
	auto items = read_list(ctx, v);
	if (!items)
		return;
	for (const Val& iv : *items) {
		auto m = read_map(ctx, iv,
		                  {"name", "role", "device", "mac", "address", "gateway", "mtu"});
		if (!m)
			continue;
		Port port;
		PortAux aux;
		aux.f = fields_of(*m);
		port.mark = m->mark;
		if (auto* e = require(ctx, *m, "name")) {
			if (auto s = read_string(ctx, e->val)) {
				if (!valid_name(*s))
					ctx.error(e->val.mark, e->val.path,
					          "port name " + quote(*s) + " must be 1" + kDash +
					              "31 characters of letters, digits, '_', '.' "
					              "and '-'");
				else
					take<std::string>(s, aux.f, "name", e->val,
					                  [&](auto& x) { port.name = x; });
			}
		}
		if (auto* e = require(ctx, *m, "role")) {
			if (want_scalar(ctx, e->val, "a role")) {
				auto it = kRoles.find(e->val.node.Scalar());
				if (it == kRoles.end()) {
					std::vector<std::string> names;
					for (auto& [k, r] : kRoles)
						names.push_back(k);
					ctx.error(e->val.mark, e->val.path,
					          "unknown role " + quote(e->val.node.Scalar()) +
					              suggestion(e->val.node.Scalar(), names) +
					              "; expected access, trunk, underlay or "
					              "interconnect");
				} else {
					port.role = it->second;
					aux.f.set("role", e->val.mark);
				}
			}
		}
		if (auto* e = require(ctx, *m, "device")) {
			auto s = read_string(ctx, e->val);
			if (s && !valid_device(*s)) {
				ctx.error(
				    e->val.mark, e->val.path,
				    "device " + quote(*s) +
				        " is not a DPDK device: a PCI address (0000:3b:00.0) or a "
				        "virtual device with its arguments "
				        "(net_af_packet0,iface=veth0), at most 255 of letters, "
				        "digits and _ . : , = / + - @ % [ ]");
				s.reset();
			}
			take<std::string>(s, aux.f, "device", e->val,
			                  [&](auto& x) { port.device = x; });
		}
		if (auto* e = m->get("mac"))
			take<Mac>(read_mac(ctx, e->val, true, "port MAC"), aux.f, "mac", e->val,
			          [&](auto& x) { port.mac = x; });
		if (auto* e = m->get("address")) {
			aux.has_address_key = true;
			aux.address_mark = e->val.mark;
			const size_t before = ctx.count();
			for (auto& [p, at] : read_per_family<IpPrefix>(ctx, e->val, read_if_prefix,
			                                               addr_of_prefix)) {
				port.addresses.push_back(p);
				aux.addresses.push_back(at);
			}
			aux.address_error = ctx.count() != before;
		}
		if (auto* e = m->get("gateway")) {
			aux.has_gateway_key = true;
			aux.gateway_mark = e->val.mark;
			for (auto& [a, at] :
			     read_per_family<IpAddr>(ctx, e->val, read_host, addr_itself)) {
				port.gateways.push_back(a);
				aux.gateways.push_back(at);
			}
		}
		if (auto* e = m->get("mtu"))
			take<int64_t>(read_int(ctx, e->val, "MTU", 68, 9216), aux.f, "mtu", e->val,
			              [&](auto& x) { port.mtu = static_cast<uint32_t>(x); });
		out.cfg.ports.push_back(std::move(port));
		out.ports.push_back(std::move(aux));
	}
}

void parse_neighbors(Ctx& ctx, const Val& v, Parsed& out)
{
	auto items = read_list(ctx, v);
	if (!items)
		return;
	for (const Val& iv : *items) {
		auto m = read_map(ctx, iv, {"port", "vlan", "tenant", "address", "mac"});
		if (!m)
			continue;
		Neighbor n;
		Fields f = fields_of(*m);
		n.mark = m->mark;
		const bool has_port = m->has("port"), has_tenant = m->has("tenant");
		if (has_port && has_tenant)
			ctx.error(m->mark, m->path,
			          "give either port (an underlay or interconnect neighbour) or "
			          "tenant (a host "
			          "in a tenant segment), not both");
		else if (!has_port && !has_tenant)
			ctx.error(m->mark, m->path, "missing required key \"port\" or \"tenant\"");
		if (auto* e = m->get("port"))
			take<std::string>(read_string(ctx, e->val), f, "port", e->val,
			                  [&](auto& x) { n.port = x; });
		if (auto* e = m->get("tenant"))
			take<std::string>(read_string(ctx, e->val), f, "tenant", e->val,
			                  [&](auto& x) { n.tenant = x; });
		if (auto* e = m->get("vlan")) {
			if (!has_port)
				ctx.error(e->key_mark, e->val.path,
				          "vlan is only for a neighbour on a port");
			else if (!take<int64_t>(
			             read_int(ctx, e->val, "VLAN", 1, 4094), f, "vlan", e->val,
			             [&](auto& x) { n.vlan = static_cast<uint16_t>(x); }))
				f.set("vlan_bad", e->val.mark);
		}
		if (auto* e = require(ctx, *m, "address"))
			take<IpAddr>(read_host(ctx, e->val), f, "address", e->val,
			             [&](auto& x) { n.address = x; });
		if (auto* e = require(ctx, *m, "mac"))
			take<Mac>(read_mac(ctx, e->val, true, "neighbour MAC"), f, "mac", e->val,
			          [&](auto& x) { n.mac = x; });
		out.cfg.neighbors.push_back(std::move(n));
		out.neighbors.push_back(std::move(f));
	}
}

}  // namespace tsunagi::config::load
