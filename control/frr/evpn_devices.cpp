#include "control/frr/evpn_devices.hpp"

#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "common/config/values.hpp"
#include "control/frr/supervisor.hpp"

namespace tsunagi::frr {

namespace {

constexpr uint32_t kMaxVni = 16777215;
// The worst metric there is: the route only answers where no real one does.
constexpr const char* kRoute = "blackhole default metric 4294967295";

std::vector<std::string> link_names()
{
	std::vector<std::string> out;
	if (struct if_nameindex* list = if_nameindex(); list != nullptr) {
		for (const struct if_nameindex* i = list; i->if_index != 0; ++i) {
			out.emplace_back(i->if_name);
		}
		if_freenameindex(list);
	}
	return out;
}

// Shadow devices must stay silent: an IPv6 link-local address would send router
// solicitations the bridge learns and zebra advertises (notes, section 1).
std::string disable_ipv6(const std::string& link)
{
	if (access("/proc/sys/net/ipv6", F_OK) != 0) {
		return {};  // no IPv6 in this kernel: nothing to silence
	}
	std::ofstream f("/proc/sys/net/ipv6/conf/" + link + "/disable_ipv6");
	f << "1\n";
	f.flush();
	return f ? "" : link + ": cannot disable IPv6";
}

}  // namespace

ShadowNames shadow_names(uint32_t vni)
{
	const std::string n = std::to_string(vni);
	return {"tsb" + n, "tsx" + n, "tsp" + n, "tsq" + n};
}

std::optional<uint32_t> shadow_vni(std::string_view name)
{
	if (name.size() < 4 || name.size() > 11 || name.substr(0, 2) != "ts" ||
	    std::string_view("bxpq").find(name[2]) == std::string_view::npos) {
		return std::nullopt;
	}
	const std::string_view digits = name.substr(3);
	// Only the exact spelling shadow_names() gives: "tsb0100" is somebody else's.
	if (digits[0] == '0' || !std::all_of(digits.begin(), digits.end(),
	                                     [](char c) { return c >= '0' && c <= '9'; })) {
		return std::nullopt;
	}
	const unsigned long v = std::strtoul(std::string(digits).c_str(), nullptr, 10);
	if (v > kMaxVni) {
		return std::nullopt;
	}
	return uint32_t(v);
}

std::optional<config::IpAddr> evpn_vtep(const config::Config& cfg)
{
	for (const auto& v : cfg.node.vteps) {
		if (!v.v6) {
			return v;
		}
	}
	return std::nullopt;
}

std::vector<uint32_t> evpn_vnis(const config::Config& cfg)
{
	std::vector<uint32_t> out;
	if (!cfg.node.evpn || !evpn_vtep(cfg)) {
		return out;
	}
	for (const auto& t : cfg.tenants) {
		if (t.evpn) {
			out.push_back(t.vni);
		}
	}
	std::sort(out.begin(), out.end());
	return out;
}

ShadowPlan plan_shadow_devices(const config::Config& cfg, const std::vector<std::string>& links,
                               bool recreate)
{
	ShadowPlan plan;
	const std::vector<uint32_t> wanted = evpn_vnis(cfg);
	plan.route = !wanted.empty();
	std::map<uint32_t, std::vector<std::string>> present;
	for (const auto& l : links) {
		if (auto vni = shadow_vni(l)) {
			present[*vni].push_back(l);
		}
	}
	for (const auto& [vni, names] : present) {
		const bool want = std::binary_search(wanted.begin(), wanted.end(), vni);
		// The veth pair counts as one: deleting either end deletes both.
		const ShadowNames n = shadow_names(vni);
		const std::set<std::string> have(names.begin(), names.end());
		const bool whole = have.count(n.bridge) && have.count(n.vxlan) &&
		                   have.count(n.port) && have.count(n.peer);
		if (want && whole && !recreate) {
			continue;
		}
		for (const std::string& l : {n.bridge, n.vxlan, n.port}) {
			if (have.count(l) || (l == n.port && have.count(n.peer))) {
				plan.remove.push_back(have.count(l) ? l : n.peer);
			}
		}
		if (want) {
			plan.create.push_back(vni);
		}
	}
	for (const uint32_t vni : wanted) {
		if (!present.count(vni)) {
			plan.create.push_back(vni);
		}
	}
	std::sort(plan.create.begin(), plan.create.end());
	return plan;
}

std::vector<std::string> remove_lines(const ShadowPlan& plan)
{
	std::vector<std::string> out;
	for (const auto& l : plan.remove) {
		out.push_back("link del " + l);
	}
	return out;
}

std::vector<std::string> create_lines(const ShadowPlan& plan, const config::IpAddr& vtep)
{
	std::vector<std::string> out;
	for (const uint32_t vni : plan.create) {
		const ShadowNames n = shadow_names(vni);
		const std::string id = std::to_string(vni);
		out.push_back("link add " + n.bridge + " type bridge");
		out.push_back("link add " + n.vxlan + " type vxlan id " + id + " local " +
		              config::to_string(vtep) + " dstport 4789 nolearning");
		out.push_back("link add " + n.port + " type veth peer name " + n.peer);
		for (const std::string& p : {n.vxlan, n.port}) {
			out.push_back("link set " + p + " master " + n.bridge);
			out.push_back("link set " + p + " type bridge_slave learning off");
		}
	}
	return out;
}

std::vector<std::string> up_lines(const ShadowPlan& plan)
{
	std::vector<std::string> out;
	for (const uint32_t vni : plan.create) {
		const ShadowNames n = shadow_names(vni);
		// The peer stays down: a MAC on the port is advertised all the same (notes,
		// section 2), and no frame can enter.
		for (const std::string& l : {n.vxlan, n.port, n.bridge}) {
			out.push_back("link set " + l + " up");
		}
	}
	return out;
}

std::string EvpnDevices::batch(const std::vector<std::string>& lines, std::vector<std::string>& log)
{
	if (lines.empty()) {
		return {};
	}
	std::string out;
	const int rc = run_batch(ip_, lines, out);
	if (rc != 0) {
		log.push_back("EVPN devices: ip -batch: " + out.substr(0, 500));
	}
	return rc == 0 ? "" : "failed";
}

std::vector<std::string> EvpnDevices::sync(const config::Config& cfg)
{
	std::vector<std::string> log;
	const auto vtep = evpn_vtep(cfg);
	const bool recreate = vtep_ && vtep && *vtep_ != *vtep;
	const ShadowPlan plan = plan_shadow_devices(cfg, link_names(), recreate);
	batch(remove_lines(plan), log);
	for (const auto& l : plan.remove) {
		log.push_back("EVPN devices: removed " + l);
	}
	if (vtep && !plan.create.empty()) {
		batch(create_lines(plan, *vtep), log);
		for (const uint32_t vni : plan.create) {
			const ShadowNames n = shadow_names(vni);
			for (const std::string& l : {n.bridge, n.vxlan, n.port, n.peer}) {
				if (auto err = disable_ipv6(l); !err.empty()) {
					log.push_back("EVPN devices: " + err);
				}
			}
		}
		batch(up_lines(plan), log);
		log.push_back("EVPN devices: made those of " + std::to_string(plan.create.size()) +
		              " VNI(s), VTEP " + config::to_string(*vtep));
	}
	// Unknown at start: a route left by an earlier run goes with its devices.
	const bool change = plan.route ? route_ != true || !plan.create.empty()
	                               : route_ == true || (!route_ && !plan.remove.empty());
	if (change) {
		batch({std::string("route ") + (plan.route ? "replace " : "del ") + kRoute}, log);
		route_ = plan.route;
	}
	if (vtep) {
		vtep_ = vtep;
	}
	return log;
}

}  // namespace tsunagi::frr
