#include "control/shell/show_text.hpp"

#include <ctime>
#include <map>

#include "control/shell/show_evpn.hpp"
#include "control/shell/text_table.hpp"

namespace tsunagi::shell {

std::string u(uint64_t v)
{
	return std::to_string(v);
}

std::string cell(const Json& v)
{
	if (v.is_null()) {
		return "-";
	}
	if (v.is_string()) {
		return v.get<std::string>();
	}
	if (v.is_boolean()) {
		return v.get<bool>() ? "yes" : "no";
	}
	if (v.is_array()) {
		std::string s;
		for (const auto& e : v) {
			s += (s.empty() ? "" : ",") + cell(e);
		}
		return s.empty() ? "-" : s;
	}
	return v.dump();
}

namespace {

std::string tenants_text(const Json& d)
{
	TextTable tt({"Tenant", "VNI", "Hybrid-VLAN", "Attachments", "VTEPs", "VRF", "RX-packets",
	              "TX-packets"});
	for (const auto& t : d["tenants"]) {
		tt.row({cell(t["name"]), cell(t["vni"]), cell(t["hybridVlan"]),
		        cell(t["attachments"]), cell(t["vteps"]), cell(t["vrf"]),
		        cell(t["rxPackets"]), cell(t["txPackets"])});
	}
	return tt.render();
}

std::string tenant_text(const Json& d)
{
	std::string s = "Tenant " + cell(d["name"]) + "\n  VNI " + cell(d["vni"]) +
	                ", hybrid VLAN " + cell(d["hybridVlan"]) + ", MAC limit " +
	                (d["macLimit"] == 0 ? std::string("none") : cell(d["macLimit"])) + ", " +
	                cell(d["staticMacs"]) + " static MACs\n  Attachments:\n";
	for (const auto& a : d["attachments"]) {
		s += "    " + cell(a["port"]) + " vlan " + cell(a["vlan"]) +
		     (a["innerVlan"] == 0 ? "" : " inner " + cell(a["innerVlan"])) + "\n";
	}
	s += "  VTEPs: " + cell(d["vteps"]) + "\n";
	if (!d["vrf"].is_null()) {
		const auto& v = d["vrf"];
		s += "  VRF: rd " + cell(v["rd"]) + ", label " + cell(v["label"]) + ", import " +
		     cell(v["importRouteTargets"]) + ", export " + cell(v["exportRouteTargets"]) +
		     "\n    gateways " + cell(v["gateways"]) + ", " + cell(v["staticRoutes"]) +
		     " static routes\n";
	}
	const auto& c = d["counters"];
	s += "  RX " + cell(c["rxPackets"]) + " packets, " + cell(c["rxBytes"]) + " bytes; TX " +
	     cell(c["txPackets"]) + " packets, " + cell(c["txBytes"]) + " bytes\n";
	return s;
}

std::string attachments_text(const Json& d)
{
	TextTable tt({"Port", "VLAN", "Inner", "Tenant", "Hybrid-VLAN"});
	for (const auto& a : d["attachments"]) {
		tt.row({cell(a["port"]), cell(a["vlan"]),
		        a["innerVlan"] == 0 ? "-" : cell(a["innerVlan"]), cell(a["tenant"]),
		        cell(a["hybridVlan"])});
	}
	return tt.render();
}

std::string vteps_text(const Json& d)
{
	TextTable tt({"VTEP", "Port", "Next-hop MAC", "Tenants"});
	for (const auto& v : d["vteps"]) {
		tt.row({cell(v["vtep"]), cell(v["port"]),
		        v["resolved"].get<bool>() ? cell(v["nextHopMac"]) : "(unresolved)",
		        cell(v["tenants"])});
	}
	return tt.render();
}

std::string vrf_routes_text(const Json& d)
{
	std::string s = "VRF " + cell(d["vrf"]) + ": " + u(d["routes"].size()) + " routes\n";
	TextTable tt({"Prefix", "Next hop"});
	for (const auto& r : d["routes"]) {
		bool first = true;
		for (const auto& h : r["nextHops"]) {
			std::string via = cell(h["type"]);
			if (h.contains("port")) {
				via += " " + cell(h["port"]) +
				       (h.contains("vlan") ? "." + cell(h["vlan"]) : "");
			}
			if (h.contains("labels")) {
				via += " label " + cell(h["labels"]);
			}
			if (h.contains("mac")) {
				via += " " + (h["mac"].is_null() ? "(unresolved)" : cell(h["mac"]));
			}
			tt.row({first ? cell(r["prefix"]) : "", via});
			first = false;
		}
	}
	return s + tt.render();
}

std::string interfaces_text(const Json& d)
{
	TextTable tt({"Interface", "Role", "MAC", "Addresses", "MTU", "RX-packets", "RX-bytes",
	              "TX-packets", "TX-bytes", "Punted"});
	for (const auto& p : d["interfaces"]) {
		tt.row({cell(p["name"]), cell(p["role"]), cell(p["mac"]), cell(p["addresses"]),
		        cell(p["mtu"]), cell(p["rxPackets"]), cell(p["rxBytes"]),
		        cell(p["txPackets"]), cell(p["txBytes"]), cell(p["puntedPackets"])});
	}
	return tt.render();
}

std::string drops_text(const Json& d)
{
	TextTable tt({"Reason", "Packets", "Description"});
	for (const auto& r : d["drops"]) {
		tt.row({cell(r["reason"]), cell(r["packets"]), cell(r["description"])});
	}
	return tt.render() + "Total: " + cell(d["total"]) + "\n";
}

std::string dataplane_text(const Json& d)
{
	const auto& t = d["tables"];
	return "Dataplane: " +
	       (d["running"].get<bool>()
	            ? "running, pid " + cell(d["pid"]) + ", " + cell(d["workers"]) +
	                  " workers, heartbeat " + cell(d["heartbeatAgeMs"]) + " ms ago"
	            : std::string("not running")) +
	       "\nTable generation: published " + cell(d["publishedGeneration"]) + ", in use " +
	       cell(d["inUseGeneration"]) + "\nUpdate latency: " +
	       (d["updateLatencyUs"].is_null() ? "-" : cell(d["updateLatencyUs"]) + " us") +
	       "\nImage: " + cell(d["imageBytes"]) + " bytes; " + cell(t["ports"]) + " ports, " +
	       cell(t["tenants"]) + " tenants, " + cell(t["members"]) + " members, " +
	       cell(t["vteps"]) + " VTEPs, " + cell(t["staticMacs"]) + " static MACs\n";
}

std::string mac_table_text(const Json& d)
{
	TextTable tt({"Tenant", "MAC", "Where", "Type", "Age"});
	for (const auto& e : d["entries"]) {
		const std::string where =
		    !e["vtep"].is_null()
		        ? "vtep " + cell(e["vtep"])
		        : cell(e["port"]) + " vlan " + cell(e["vlan"]) +
		              (e["innerVlan"] == 0 ? "" : " inner " + cell(e["innerVlan"]));
		tt.row({cell(e["tenant"]), cell(e["mac"]), where, cell(e["type"]),
		        e["ageSeconds"].is_null() ? "-" : cell(e["ageSeconds"]) + "s"});
	}
	return tt.render() + u(d["entries"].size()) + " entries\n";
}

std::string config_history_text(const Json& d)
{
	TextTable tt({"Rollback", "Applied", "Origin", "Bytes"});
	for (const auto& e : d["history"]) {
		char when[32] = "-";
		const time_t t = time_t(e["appliedAt"].get<uint64_t>());
		tm utc{};
		gmtime_r(&t, &utc);
		std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &utc);
		tt.row({e["rollback"] == 0 ? "running" : cell(e["rollback"]), when,
		        cell(e["origin"]), cell(e["bytes"])});
	}
	return tt.render() + (d["confirmDeadlineSeconds"].is_null()
	                          ? ""
	                          : "Rolls back in " + cell(d["confirmDeadlineSeconds"]) +
	                                " s unless confirmed\n");
}

std::string running_config_text(const Json& d)
{
	return d["yaml"].get<std::string>();
}

}  // namespace

std::string render_text(const std::string& command, const Json& d)
{
	using Render = std::string (*)(const Json&);
	static const std::map<std::string, Render, std::less<>> kRenders = {
	    {"tenants", tenants_text},
	    {"tenant", tenant_text},
	    {"attachments", attachments_text},
	    {"vteps", vteps_text},
	    {"vrf-routes", vrf_routes_text},
	    {"interfaces", interfaces_text},
	    {"drops", drops_text},
	    {"dataplane", dataplane_text},
	    {"mac-table", mac_table_text},
	    {"config-history", config_history_text},
	    {"running-config", running_config_text},
	    {"evpn-vni", evpn_vni_text},
	    {"evpn-mac", evpn_mac_text},
	    {"evpn-vteps", evpn_vteps_text},
	};
	const auto it = kRenders.find(command);
	return it != kRenders.end() ? it->second(d) : d.dump(2) + "\n";
}

}  // namespace tsunagi::shell
