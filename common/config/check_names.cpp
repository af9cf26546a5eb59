// Pass 2: the ports, the node, and what names and addresses point at.
#include "common/config/check.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

void check(Ctx& ctx, Parsed& p)
{
	Checker(ctx, p).run();
}

void Checker::index()
{
	Unique names(ctx_), devices(ctx_);
	for (size_t i = 0; i < p_.cfg.ports.size(); ++i) {
		const Port& port = p_.cfg.ports[i];
		const Fields& f = p_.ports[i].f;
		if (f.has("name")) {
			names.add(port.name, "port name " + quote(port.name), f.at("name"),
			          f.p("name"), f.path);
			ports_.try_emplace(port.name, i);
			port_names_.push_back(port.name);
		}
		if (f.has("device"))
			devices.add(port.device, "device " + quote(port.device), f.at("device"),
			            f.p("device"), "port " + quote(port.name));
	}
	Unique tnames(ctx_);
	for (size_t i = 0; i < p_.cfg.tenants.size(); ++i) {
		const Tenant& t = p_.cfg.tenants[i];
		const Fields& f = p_.tenants[i].f;
		if (!f.has("name"))
			continue;
		tnames.add(t.name, "tenant name " + quote(t.name), f.at("name"), f.p("name"),
		           f.path);
		tenants_.try_emplace(t.name, i);
		tenant_names_.push_back(t.name);
	}
	Unique pnames(ctx_);
	for (size_t i = 0; i < p_.cfg.peers.size(); ++i) {
		const Fields& f = p_.peers[i].f;
		if (f.has("name"))
			pnames.add(p_.cfg.peers[i].name, "peer name " + quote(p_.cfg.peers[i].name),
			           f.at("name"), f.p("name"), f.path);
	}
}

// The port named at f[key], or nullptr after reporting it unknown.
const Port* Checker::port(const Fields& f, std::string_view key, const std::string& name)
{
	auto it = ports_.find(name);
	if (it != ports_.end())
		return &p_.cfg.ports[it->second];
	ctx_.error(f.at(key), f.p(key),
	           "unknown port " + quote(name) + suggestion(name, port_names_));
	return nullptr;
}

const Tenant* Checker::tenant(Mark at, const std::string& path, const std::string& name)
{
	auto it = tenants_.find(name);
	if (it != tenants_.end())
		return &p_.cfg.tenants[it->second];
	ctx_.error(at, path, "unknown tenant " + quote(name) + suggestion(name, tenant_names_));
	return nullptr;
}

const PortAux& Checker::aux_of(const Port* port) const
{
	return p_.ports[static_cast<size_t>(port - p_.cfg.ports.data())];
}

// An address that must lie inside one of `subnets` (a port's addresses, a VRF's gateways).
bool Checker::check_inside(Mark at, const std::string& path, const IpAddr& a,
                           const std::vector<IpPrefix>& subnets, const std::string& where)
{
	bool any_family = false;
	for (const auto& s : subnets) {
		if (s.addr.v6 != a.v6)
			continue;
		any_family = true;
		if (s.addr == a) {
			ctx_.error(at, path, to_string(a) + " is " + where + "'s own address");
			return false;
		}
		if (prefix_contains(s, a))
			return true;
	}
	if (!any_family) {
		ctx_.error(at, path,
		           to_string(a) + " is " + family(a) + " but " + where + " has no " +
		               family(a) + " address");
		return false;
	}
	std::string list;
	for (const auto& s : subnets)
		if (s.addr.v6 == a.v6)
			list += (list.empty() ? "" : ", ") + to_string(s);
	ctx_.error(at, path, to_string(a) + " is not inside " + where + "'s subnet " + list);
	return false;
}

void Checker::check_node()
{
	const Node& node = p_.cfg.node;
	const NodeAux& aux = p_.node;
	for (size_t i = 0; i < node.vteps.size(); ++i) {
		bool found = false;
		for (const Port& port : p_.cfg.ports) {
			if (port.role != PortRole::underlay)
				continue;
			for (const auto& a : port.addresses)
				if (a.addr == node.vteps[i])
					found = true;
		}
		if (!found)
			ctx_.error(aux.vteps[i].mark, aux.vteps[i].path,
			           "VTEP " + to_string(node.vteps[i]) +
			               " is not the address of any underlay port");
	}
	if (!aux.f.has("vtep_key") && aux.f.path == "node") {
		for (size_t i = 0; i < p_.cfg.tenants.size(); ++i) {
			if (p_.cfg.tenants[i].vteps.empty())
				continue;
			ctx_.error(aux.f.mark, aux.f.path,
			           "missing required key \"vtep\" (tenant " +
			               quote(p_.cfg.tenants[i].name) +
			               " has vteps, which need a VXLAN source address)");
			break;
		}
	}
}

void Checker::check_ports()
{
	Unique addresses(ctx_);
	for (size_t i = 0; i < p_.cfg.ports.size(); ++i) {
		const Port& port = p_.cfg.ports[i];
		const PortAux& aux = p_.ports[i];
		const std::string owner = "port " + quote(port.name);
		for (size_t k = 0; k < port.addresses.size(); ++k)
			addresses.add(to_string(port.addresses[k].addr),
			              "address " + to_string(port.addresses[k].addr),
			              aux.addresses[k].mark, aux.addresses[k].path, owner);
		if (!aux.f.has("role"))
			continue;
		const bool l3 =
		    port.role == PortRole::underlay || port.role == PortRole::interconnect;
		if (!l3) {
			if (aux.has_address_key)
				ctx_.error(aux.address_mark, aux.f.p("address"),
				           std::string("only underlay and interconnect "
				                       "ports take an address; this is ") +
				               role_phrase(port.role));
			if (aux.has_gateway_key)
				ctx_.error(aux.gateway_mark, aux.f.p("gateway"),
				           std::string("only underlay and interconnect "
				                       "ports take a gateway; this is ") +
				               role_phrase(port.role));
			continue;
		}
		if (port.role == PortRole::underlay && !aux.has_address_key)
			ctx_.error(aux.f.mark, aux.f.path,
			           "an underlay port needs an address (missing required "
			           "key \"address\")");
		if (!aux.has_address_key && aux.has_gateway_key) {
			ctx_.error(aux.gateway_mark, aux.f.p("gateway"),
			           "a gateway needs the port's address");
			continue;
		}
		if (aux.address_error)
			continue;  // reported already
		for (size_t k = 0; k < port.gateways.size(); ++k) {
			check_inside(aux.gateways[k].mark, aux.gateways[k].path, port.gateways[k],
			             port.addresses, "the port");
		}
	}
}

}  // namespace tsunagi::config::load
