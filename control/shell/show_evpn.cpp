#include "control/shell/show_evpn.hpp"

#include <algorithm>
#include <map>

#include "common/config/values.hpp"
#include "control/shell/text_table.hpp"

namespace tsunagi::shell {

namespace {

const char* kNoEvpn = "% EVPN is not configured on this node (node.evpn), or FRR is not run";

Json addresses(const std::vector<config::IpAddr>& list)
{
	Json out = Json::array();
	for (const auto& a : list) {
		out.push_back(config::to_string(a));
	}
	return out;
}

}  // namespace

Shown show_evpn_vni(const Backend& b)
{
	const auto state = b.evpn();
	if (!state) {
		return {{}, kNoEvpn};
	}
	Json list = Json::array();
	for (const auto& t : *state) {
		list.push_back({{"vni", t.vni},
		                {"tenant", t.tenant},
		                {"l3Vni", t.l3_vni != 0 ? Json(t.l3_vni) : Json(nullptr)},
		                {"remoteVteps", addresses(t.flood)},
		                {"remoteMacs", t.macs.size()},
		                {"localMacs", t.local.size()}});
	}
	return {{{"vnis", list}}, ""};
}

Shown show_evpn_mac(const Backend& b, const std::string& tenant)
{
	const auto state = b.evpn();
	if (!state) {
		return {{}, kNoEvpn};
	}
	const bool known =
	    tenant.empty() || std::any_of(state->begin(), state->end(),
	                                  [&](const EvpnTenant& t) { return t.tenant == tenant; });
	if (!known) {
		return {{}, "% No EVPN tenant named " + tenant};
	}
	Json list = Json::array();
	for (const auto& t : *state) {
		if (!tenant.empty() && t.tenant != tenant) {
			continue;
		}
		for (const auto& m : t.macs) {
			list.push_back({{"tenant", t.tenant},
			                {"vni", t.vni},
			                {"mac", config::to_string(m.mac)},
			                {"type", "remote"},
			                {"vtep", config::to_string(m.vtep)},
			                {"sticky", m.sticky},
			                {"sequence", m.seq},
			                {"ips", addresses(m.ips)}});
		}
		for (const auto& m : t.local) {
			list.push_back({{"tenant", t.tenant},
			                {"vni", t.vni},
			                {"mac", config::to_string(m)},
			                {"type", "local"},
			                {"vtep", nullptr},
			                {"sticky", false},
			                {"sequence", nullptr},
			                {"ips", Json::array()}});
		}
	}
	return {{{"macs", list}}, ""};
}

Shown show_evpn_vteps(const Backend& b)
{
	const auto state = b.evpn();
	if (!state) {
		return {{}, kNoEvpn};
	}
	struct Vtep {
		Json vnis = Json::array();
		Json tenants = Json::array();
		uint64_t macs = 0;
	};
	std::map<std::string, Vtep> by_address;
	for (const auto& t : *state) {
		for (const auto& a : t.flood) {
			Vtep& v = by_address[config::to_string(a)];
			v.vnis.push_back(t.vni);
			v.tenants.push_back(t.tenant);
		}
		for (const auto& m : t.macs) {
			++by_address[config::to_string(m.vtep)].macs;
		}
	}
	Json list = Json::array();
	for (const auto& [address, v] : by_address) {
		list.push_back({{"vtep", address},
		                {"vnis", v.vnis},
		                {"tenants", v.tenants},
		                {"remoteMacs", v.macs}});
	}
	return {{{"vteps", list}}, ""};
}

std::string evpn_vni_text(const Json& d)
{
	TextTable tt({"VNI", "Tenant", "L3 VNI", "Remote VTEPs", "Remote MACs", "Local MACs"});
	for (const auto& v : d["vnis"]) {
		tt.row({cell(v["vni"]), cell(v["tenant"]), cell(v["l3Vni"]),
		        u(v["remoteVteps"].size()), cell(v["remoteMacs"]), cell(v["localMacs"])});
	}
	return tt.render();
}

std::string evpn_mac_text(const Json& d)
{
	TextTable tt({"Tenant", "VNI", "MAC", "VTEP", "Seq", "Flags", "IPs"});
	uint64_t local = 0;
	for (const auto& m : d["macs"]) {
		const bool is_local = m["type"] == "local";
		local += is_local;
		tt.row({cell(m["tenant"]), cell(m["vni"]), cell(m["mac"]),
		        is_local ? "local" : cell(m["vtep"]), cell(m["sequence"]),
		        m["sticky"].get<bool>() ? "sticky" : "-", cell(m["ips"])});
	}
	return u(d["macs"].size() - local) + " remote MACs, " + u(local) + " local MACs\n" +
	       tt.render();
}

std::string evpn_vteps_text(const Json& d)
{
	TextTable tt({"VTEP", "VNIs", "Tenants", "Remote MACs"});
	for (const auto& v : d["vteps"]) {
		tt.row(
		    {cell(v["vtep"]), cell(v["vnis"]), cell(v["tenants"]), cell(v["remoteMacs"])});
	}
	return tt.render();
}

}  // namespace tsunagi::shell
