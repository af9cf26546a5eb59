#include "control/reload/diff.hpp"

#include <map>
#include <sstream>

#include "common/config/values.hpp"

namespace tsunagi::config {

namespace {

// An entity as (key, value) strings, in a fixed order, so two can be compared key by key.
using Fields = std::vector<std::pair<std::string, std::string>>;

template <class T, class F>
std::string list(const std::vector<T>& v, F fmt)
{
	std::string s = "[";
	for (size_t i = 0; i < v.size(); ++i) {
		s += (i ? ", " : "") + fmt(v[i]);
	}
	return s + "]";
}

std::string ip(const IpAddr& a)
{
	return to_string(a);
}
std::string prefix(const IpPrefix& p)
{
	return to_string(p);
}

// Sessions and timers in one value: FRR applies any change of them in place.
std::string evpn(const std::optional<Evpn>& e)
{
	if (!e) {
		return "-";
	}
	return "peers " +
	       list(e->peers,
	            [](const EvpnPeer& p) {
		            return ip(p.address) + (p.asn ? " as " + std::to_string(p.asn) : "");
	            }) +
	       " keepalive " + std::to_string(e->keepalive_s) + " hold " +
	       std::to_string(e->hold_s);
}

Fields fields(const Node& n)
{
	return {{"asn", std::to_string(n.asn)},
	        {"router_id", ip(n.router_id)},
	        {"router_mac", n.router_mac ? to_string(*n.router_mac) : "-"},
	        {"vtep", list(n.vteps, ip)},
	        {"runtime_dir", n.runtime_dir},
	        {"group", n.group.empty() ? "-" : n.group},
	        {"mac_aging", std::to_string(n.mac_aging_s)},
	        {"evpn", evpn(n.evpn)}};
}

Fields fields(const Port& p)
{
	return {{"role", to_string(p.role)},
	        {"device", p.device},
	        {"mac", p.mac ? to_string(*p.mac) : "-"},
	        {"address", list(p.addresses, prefix)},
	        {"gateway", list(p.gateways, ip)},
	        {"mtu", std::to_string(p.mtu)}};
}

std::string attachment(const Attachment& a)
{
	return a.port + "/" + std::to_string(a.vlan) +
	       (a.inner_vlan ? "/" + std::to_string(a.inner_vlan) : "");
}

Fields fields(const Tenant& t)
{
	Fields f = {{"vni", std::to_string(t.vni)},
	            {"hybrid_vlan", std::to_string(t.hybrid_vlan)},
	            {"attachments", list(t.attachments, attachment)},
	            {"vteps", list(t.vteps, ip)},
	            {"mac_limit", std::to_string(t.mac_limit)},
	            {"static_macs", list(t.static_macs, [](const StaticMac& s) {
		             return to_string(s.mac) + "@" +
		                    (s.vtep ? ip(*s.vtep) : s.port + "/" + std::to_string(s.vlan));
	             })}};
	f.push_back({"evpn", t.evpn ? "true" : "-"});
	if (t.vrf) {
		f.push_back({"vrf.rd", t.vrf->rd});
		f.push_back({"vrf.label", t.vrf->label ? std::to_string(*t.vrf->label) : "auto"});
		f.push_back({"vrf.gateway", list(t.vrf->gateways, prefix)});
		f.push_back({"vrf.l3_vni", std::to_string(t.vrf->l3_vni)});
		f.push_back(
		    {"vrf.static_routes", list(t.vrf->static_routes, [](const StaticRoute& r) {
			     return prefix(r.prefix) + " via " + ip(r.via);
		     })});
	} else {
		f.push_back({"vrf", "-"});
	}
	return f;
}

Fields fields(const Peer& p)
{
	return {{"option", p.option == PeerOption::A ? "A" : "B"},
	        {"port", p.port},
	        {"asn", std::to_string(p.asn)},
	        {"address", p.address ? ip(*p.address) : "-"},
	        {"tenants", list(p.tenants, [](const std::string& s) { return s; })},
	        {"vrfs", list(p.vrfs, [](const OptionAVrf& v) {
		         return v.tenant + "/" + std::to_string(v.vlan) + " " + ip(v.neighbor);
	         })}};
}

Fields fields(const Neighbor& n)
{
	return {{"mac", to_string(n.mac)}};
}

std::string name_of(const Port& p)
{
	return p.name;
}
std::string name_of(const Tenant& t)
{
	return t.name;
}
std::string name_of(const Peer& p)
{
	return p.name;
}
std::string name_of(const Neighbor& n)
{
	return (n.tenant.empty() ? n.port + (n.vlan ? "." + std::to_string(n.vlan) : "")
	                         : "tenant " + n.tenant) +
	       " " + ip(n.address);
}

std::string summary(const Fields& f)
{
	std::string s;
	for (const auto& [k, v] : f) {
		if (v != "-" && v != "[]" && v != "0") {
			s += " " + k + " " + v;
		}
	}
	return s;
}

void compare(const Fields& a, const Fields& b, const std::string& what,
             std::vector<std::string>& out)
{
	std::string changes;
	for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
		if (a[i].first == b[i].first && a[i].second != b[i].second) {
			changes += (changes.empty() ? "" : "; ") + a[i].first + " " + a[i].second +
			           " -> " + b[i].second;
		}
	}
	if (a.size() != b.size() && changes.empty()) {
		changes = summary(a) + " ->" + summary(b);
	}
	if (!changes.empty()) {
		out.push_back("~ " + what + ": " + changes);
	}
}

template <class T>
void compare_all(const std::vector<T>& before, const std::vector<T>& after, const std::string& kind,
                 std::vector<std::string>& out)
{
	std::map<std::string, const T*> old_by_name, new_by_name;
	for (const auto& x : before) {
		old_by_name[name_of(x)] = &x;
	}
	for (const auto& x : after) {
		new_by_name[name_of(x)] = &x;
	}
	for (const auto& [name, x] : old_by_name) {
		if (!new_by_name.count(name)) {
			out.push_back("- " + kind + " " + name);
		}
	}
	for (const auto& [name, x] : new_by_name) {
		auto it = old_by_name.find(name);
		if (it == old_by_name.end()) {
			out.push_back("+ " + kind + " " + name + summary(fields(*x)));
		} else {
			compare(fields(*it->second), fields(*x), kind + " " + name, out);
		}
	}
}

}  // namespace

std::vector<std::string> diff(const Config& before, const Config& after)
{
	std::vector<std::string> out;
	if (before.node.name != after.node.name) {
		out.push_back("~ node: name " + before.node.name + " -> " + after.node.name);
	}
	compare(fields(before.node), fields(after.node), "node", out);
	compare_all(before.ports, after.ports, "port", out);
	compare_all(before.neighbors, after.neighbors, "neighbor", out);
	compare_all(before.tenants, after.tenants, "tenant", out);
	compare_all(before.peers, after.peers, "peer", out);
	return out;
}

}  // namespace tsunagi::config
