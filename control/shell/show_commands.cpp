#include "control/shell/show_commands.hpp"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include "common/abi/counters.hpp"
#include "common/config/values.hpp"
#include "control/shell/text_table.hpp"

namespace tsunagi::shell {

namespace {

std::string mac_text(const uint8_t* m)
{
	config::Mac mac;
	std::copy_n(m, 6, mac.bytes.begin());
	return config::to_string(mac);
}

Json traffic(const dp::TrafficCounters& c)
{
	return {{"rxPackets", c.rx_packets},
	        {"rxBytes", c.rx_bytes},
	        {"txPackets", c.tx_packets},
	        {"txBytes", c.tx_bytes}};
}

// A tenant's counters, zero when no dataplane runs or the tenant is not published yet.
dp::TrafficCounters tenant_traffic(const Backend& b, const std::optional<DataplaneState>& dp,
                                   const std::string& name)
{
	const abi::TableView t = b.tables();
	if (!dp || !t.valid()) {
		return {};
	}
	const uint32_t i = t.tenant_by_name(name);
	return i < dp->totals.tenants.size() ? dp->totals.tenants[i] : dp::TrafficCounters{};
}

const config::Tenant* find_tenant(const config::Config& c, const std::string& name)
{
	for (const auto& t : c.tenants) {
		if (t.name == name) {
			return &t;
		}
	}
	return nullptr;
}

Json yaml_to_json(const YAML::Node& n)
{
	switch (n.Type()) {
		case YAML::NodeType::Map: {
			Json j = Json::object();
			for (const auto& kv : n) {
				j[kv.first.as<std::string>()] = yaml_to_json(kv.second);
			}
			return j;
		}
		case YAML::NodeType::Sequence: {
			Json j = Json::array();
			for (const auto& e : n) {
				j.push_back(yaml_to_json(e));
			}
			return j;
		}
		case YAML::NodeType::Scalar: {
			const std::string s = n.Scalar();
			// Plain scalars that read as numbers or booleans keep their type; quoted
			// ones stay strings, as YAML itself decides.
			if (n.Tag() == "?") {
				if (s == "true" || s == "false") {
					return s == "true";
				}
				if (!s.empty() && s.size() < 19 &&
				    std::all_of(s.begin(), s.end(),
				                [](char c) { return c >= '0' && c <= '9'; })) {
					return std::stoull(s);
				}
			}
			return s;
		}
		default:
			return nullptr;
	}
}

Json hop_json(const abi::TableView& t, const abi::NexthopEntry& nh)
{
	using K = abi::NexthopKind;
	Json j;
	const Json port = nh.port < t.ports.size ? Json(std::string(t.name(t.ports[nh.port].name)))
	                                         : Json(nullptr);
	switch (nh.kind) {
		case K::unresolved:
			j["type"] = "unresolved";
			break;
		case K::segment:
			j["type"] = "host";
			break;
		case K::option_a:
			j["type"] = "optionA";
			j["port"] = port;
			j["vlan"] = nh.vlan;
			break;
		case K::option_b: {
			j["type"] = "optionB";
			j["port"] = port;
			Json labels = Json::array();
			for (uint8_t i = 0; i < nh.n_labels && i < 4; ++i) {
				labels.push_back(nh.labels[i]);
			}
			j["labels"] = labels;
			break;
		}
		case K::local:
			j["type"] = "local";
			break;
		case K::subif:
			// Answered by the node's kernel and BGP speaker, through the punt path.
			j["type"] = "local";
			j["port"] = port;
			j["vlan"] = nh.vlan;
			break;
		case K::connected:
			j["type"] = "connected";
			break;
	}
	if (nh.kind == K::segment || nh.kind == K::option_a || nh.kind == K::option_b) {
		j["mac"] = nh.resolved != 0 ? Json(mac_text(nh.dst_mac)) : Json(nullptr);
	}
	return j;
}

}  // namespace

Shown show_tenants(const Backend& b)
{
	const auto dp = b.dataplane();
	Json list = Json::array();
	for (const auto& t : b.config().tenants) {
		Json j = {{"name", t.name},
		          {"vni", t.vni},
		          {"hybridVlan", t.hybrid_vlan},
		          {"attachments", t.attachments.size()},
		          {"vteps", t.vteps.size()},
		          {"vrf", t.vrf.has_value()}};
		j.update(traffic(tenant_traffic(b, dp, t.name)));
		list.push_back(std::move(j));
	}
	return {{{"tenants", list}}, ""};
}

Shown show_tenant(const Backend& b, const std::string& name)
{
	const config::Tenant* t = find_tenant(b.config(), name);
	if (t == nullptr) {
		return {{}, "% No tenant named " + name};
	}
	Json atts = Json::array();
	for (const auto& a : t->attachments) {
		atts.push_back({{"port", a.port}, {"vlan", a.vlan}, {"innerVlan", a.inner_vlan}});
	}
	Json vteps = Json::array();
	for (const auto& v : t->vteps) {
		vteps.push_back(config::to_string(v));
	}
	Json j = {{"name", t->name},
	          {"vni", t->vni},
	          {"hybridVlan", t->hybrid_vlan},
	          {"macLimit", t->mac_limit},
	          {"staticMacs", t->static_macs.size()},
	          {"attachments", atts},
	          {"vteps", vteps},
	          {"vrf", nullptr}};
	if (t->vrf) {
		const abi::TableView tv = b.tables();
		const uint32_t i = tv.valid() ? tv.tenant_by_name(name) : abi::kNone;
		Json gws = Json::array();
		for (const auto& g : t->vrf->gateways) {
			gws.push_back(config::to_string(g));
		}
		j["vrf"] = {{"rd", t->vrf->rd},
		            {"label", i < tv.vrfs.size ? Json(tv.vrfs[i].label) : Json(nullptr)},
		            {"importRouteTargets", t->vrf->import_rts},
		            {"exportRouteTargets", t->vrf->export_rts},
		            {"gateways", gws},
		            {"staticRoutes", t->vrf->static_routes.size()}};
	}
	j["counters"] = traffic(tenant_traffic(b, b.dataplane(), name));
	return {j, ""};
}

Shown show_attachments(const Backend& b)
{
	Json list = Json::array();
	for (const auto& t : b.config().tenants) {
		for (const auto& a : t.attachments) {
			list.push_back({{"port", a.port},
			                {"vlan", a.vlan},
			                {"innerVlan", a.inner_vlan},
			                {"tenant", t.name},
			                {"hybridVlan", t.hybrid_vlan}});
		}
	}
	return {{{"attachments", list}}, ""};
}

// The VTEP entries live members point at: an edit writes a VTEP anew (another next hop)
// and leaves the entry it replaced, and the section has room for VTEPs to come.
std::set<uint32_t> live_vteps(const abi::TableView& t)
{
	std::set<uint32_t> out;
	for (uint32_t m = 0; t.valid() && m < t.members.size; ++m) {
		if (t.members[m].kind == abi::MemberKind::vtep && t.member_live(m)) {
			if (const uint32_t v = t.vtep_of(m); v < t.vteps.size) {
				out.insert(v);
			}
		}
	}
	return out;
}

Shown show_vteps(const Backend& b)
{
	const abi::TableView t = b.tables();
	Json list = Json::array();
	const auto evpn = b.evpn();
	if (t.valid()) {
		for (const uint32_t i : live_vteps(t)) {
			const abi::VtepEntry& v = t.vteps[i];
			char addr[INET6_ADDRSTRLEN] = "";
			inet_ntop(v.v6 ? AF_INET6 : AF_INET, v.dst_ip, addr, sizeof(addr));
			Json tenants = Json::array();
			const auto ip = config::parse_ip(addr);
			for (const auto& ten : b.config().tenants) {
				if (ip && std::find(ten.vteps.begin(), ten.vteps.end(), *ip) !=
				              ten.vteps.end()) {
					tenants.push_back(ten.name);
				}
			}
			// An EVPN tenant's remote VTEPs are in the tables, not the YAML.
			for (const auto& e : evpn.value_or(std::vector<EvpnTenant>{})) {
				const bool floods = ip && std::find(e.flood.begin(), e.flood.end(),
				                                    *ip) != e.flood.end();
				const bool has_mac = ip && std::any_of(e.macs.begin(), e.macs.end(),
				                                       [&](const EvpnMac& m) {
					                                       return m.vtep == *ip;
				                                       });
				if ((floods || has_mac) && std::find(tenants.begin(), tenants.end(),
				                                     e.tenant) == tenants.end()) {
					tenants.push_back(e.tenant);
				}
			}
			list.push_back(
			    {{"vtep", addr},
			     {"port", v.out_port < t.ports.size
			                  ? Json(std::string(t.name(t.ports[v.out_port].name)))
			                  : Json(nullptr)},
			     {"resolved", v.resolved != 0},
			     {"nextHopMac",
			      v.resolved != 0 ? Json(mac_text(v.dst_mac)) : Json(nullptr)},
			     {"tenants", tenants}});
		}
	}
	return {{{"vteps", list}}, ""};
}

Shown show_vrf_routes(const Backend& b, const std::string& name)
{
	const config::Tenant* ten = find_tenant(b.config(), name);
	if (ten == nullptr || !ten->vrf) {
		return {{}, "% No VRF named " + name};
	}
	const abi::TableView t = b.tables();
	const uint32_t idx = t.valid() ? t.tenant_by_name(name) : abi::kNone;
	struct Row {
		config::IpPrefix prefix;
		Json doc;
	};
	std::vector<Row> rows;
	auto hops = [&](uint64_t ref) {
		Json list = Json::array();
		for (uint32_t k = 0; k < abi::route_count(ref); ++k) {
			Json h =
			    hop_json(t, t.nexthop(abi::ref_value(ref) + k * abi::kNexthopWords));
			if (const uint32_t own = abi::route_label_plus_one(ref); own != 0) {
				h["labels"] = Json::array({own - 1});
			}
			list.push_back(std::move(h));
		}
		return list;
	};
	if (idx != abi::kNone) {
		const auto& m4 = t.route4_map;
		for (uint64_t i = 0; m4.slots != nullptr && i <= m4.mask; ++i) {
			const uint64_t ref = abi::load_acquire(m4.slots[i].ref);
			const uint64_t key = m4.slots[i].key;
			if (abi::ref_value(ref) >= abi::kTombstone || (key >> 40) != idx) {
				continue;
			}
			config::IpPrefix p;
			p.length = uint8_t(key >> 32);
			const uint32_t a = htonl(uint32_t(key));
			std::memcpy(p.addr.bytes.data(), &a, 4);
			rows.push_back(
			    {p, {{"prefix", config::to_string(p)}, {"nextHops", hops(ref)}}});
		}
		const auto& m6 = t.route6_map;
		for (uint64_t i = 0; m6.slots != nullptr && i <= m6.mask; ++i) {
			const uint64_t ref = abi::load_acquire(m6.slots[i].ref);
			const abi::Route6Key& key = m6.slots[i].key;
			if (abi::ref_value(ref) >= abi::kTombstone || key.tenant != idx) {
				continue;
			}
			config::IpPrefix p;
			p.addr.v6 = true;
			p.length = uint8_t(key.len);
			std::copy_n(key.addr, 16, p.addr.bytes.begin());
			rows.push_back(
			    {p, {{"prefix", config::to_string(p)}, {"nextHops", hops(ref)}}});
		}
	}
	std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
		return std::tie(x.prefix.addr.v6, x.prefix.addr.bytes, x.prefix.length) <
		       std::tie(y.prefix.addr.v6, y.prefix.addr.bytes, y.prefix.length);
	});
	Json list = Json::array();
	for (auto& r : rows) {
		list.push_back(std::move(r.doc));
	}
	return {{{"vrf", name}, {"routes", list}}, ""};
}

Shown show_interfaces(const Backend& b)
{
	const auto dp = b.dataplane();
	const abi::TableView t = b.tables();
	Json list = Json::array();
	const auto& ports = b.config().ports;
	for (size_t p = 0; p < ports.size(); ++p) {
		Json addrs = Json::array();
		for (const auto& a : ports[p].addresses) {
			addrs.push_back(config::to_string(a));
		}
		Json j = {{"name", ports[p].name},
		          {"role", config::to_string(ports[p].role)},
		          {"device", ports[p].device},
		          {"mac", t.valid() && p < t.ports.size ? Json(mac_text(t.ports[p].mac))
		                                                : Json(nullptr)},
		          {"addresses", addrs},
		          {"mtu", ports[p].mtu}};
		const bool counted = dp && p < dp->totals.ports.size();
		j.update(traffic(counted ? dp->totals.ports[p] : dp::TrafficCounters{}));
		j["puntedPackets"] = counted ? dp->totals.punted[p] : 0;
		list.push_back(std::move(j));
	}
	return {{{"interfaces", list}}, ""};
}

Shown show_drops(const Backend& b)
{
	const auto dp = b.dataplane();
	Json list = Json::array();
	for (size_t r = 0; r < dp::kDropCount; ++r) {
		list.push_back({{"reason", std::string(dp::kDropNames[r])},
		                {"packets", dp ? dp->totals.drops[r] : 0},
		                {"description", std::string(dp::kDropHelp[r])}});
	}
	return {{{"drops", list}, {"total", dp ? dp->totals.drops_total() : 0}}, ""};
}

Shown show_dataplane(const Backend& b)
{
	const auto dp = b.dataplane();
	const abi::TableView t = b.tables();
	const auto latency = b.update_latency_us();
	uint64_t live_tenants = 0, live_members = 0, live_static = 0;
	for (uint64_t i = 0; t.valid() && i < t.tenants.size; ++i) {
		live_tenants += t.tenants[i].live != 0;
	}
	for (uint32_t m = 0; t.valid() && m < t.members.size; ++m) {
		live_members += t.member_live(m);
	}
	if (t.valid()) {
		t.for_each_static([&](uint64_t, uint32_t m) { live_static += t.member_live(m); });
	}
	Json j = {{"publishedGeneration", b.published_generation()},
	          {"inUseGeneration", dp ? Json(dp->in_use_generation) : Json(nullptr)},
	          {"updateLatencyUs", latency ? Json(*latency) : Json(nullptr)},
	          {"imageBytes", b.image_bytes()},
	          {"running", dp && dp->alive},
	          {"pid", dp ? Json(dp->pid) : Json(nullptr)},
	          {"workers", dp ? Json(dp->workers) : Json(nullptr)},
	          {"heartbeatAgeMs", dp ? Json(dp->heartbeat_age_ms) : Json(nullptr)},
	          {"tables",
	           {{"ports", t.valid() ? t.ports.size : 0},
	            {"tenants", live_tenants},
	            {"members", live_members},
	            {"vteps", live_vteps(t).size()},
	            {"staticMacs", live_static}}}};
	return {j, ""};
}

Shown show_running_config(const Backend& b)
{
	const std::string text = b.running_yaml();
	Json j = {{"file", b.config().file}, {"yaml", text}};
	try {
		j["config"] = yaml_to_json(YAML::Load(text));
	} catch (const YAML::Exception&) {
		j["config"] = nullptr;  // cannot happen for a configuration that was applied
	}
	return {j, ""};
}

Shown show_mac_table(Backend& b, const std::string& tenant)
{
	const abi::TableView t = b.tables();
	if (!t.valid()) {
		return {{}, "% No tables published yet"};
	}
	uint32_t idx = abi::kAllTenants;
	if (!tenant.empty() && (idx = t.tenant_by_name(tenant)) == abi::kNone) {
		return {{}, "% No tenant named " + tenant};
	}
	std::string error;
	const auto dump = b.mac_table(idx, error);
	if (!dump) {
		return {{}, "% " + error};
	}
	// Each worker learns on its own: one entry per MAC, the one seen last (static first).
	std::map<uint64_t, const shm::MacRecord*> newest;
	for (const auto& r : dump->records) {
		auto& slot = newest[r.key];
		const auto rank = [](const shm::MacRecord* x) {
			return abi::from_tables(x->seen) ? uint64_t{1} << 33 : uint64_t{x->seen};
		};
		if (slot == nullptr || rank(&r) > rank(slot)) {
			slot = &r;
		}
	}
	struct Row {
		std::string tenant;
		std::string mac;
		Json doc;
	};
	std::vector<Row> rows;
	for (const auto& [key, r] : newest) {
		const uint32_t ti = uint32_t(key >> 48);
		// A removed tenant's or member's MACs age out in the dataplane; they are no
		// longer the node's.
		if (!t.member_live(r->member) || t.tenant_of(r->member) != ti) {
			continue;
		}
		uint8_t mac[6];
		abi::mac_of_key(key, mac);
		Json j = {
		    {"tenant", ti < t.tenants.size ? Json(std::string(t.name(t.tenants[ti].name)))
		                                   : Json(nullptr)},
		    {"mac", mac_text(mac)},
		    {"port", nullptr},
		    {"vlan", nullptr},
		    {"innerVlan", nullptr},
		    {"vtep", nullptr},
		    {"type", r->seen == abi::kStaticMac   ? "static"
		             : r->seen == abi::kRemoteMac ? "remote"
		                                          : "dynamic"},
		    {"ageSeconds", abi::from_tables(r->seen)
		                       ? Json(nullptr)
		                       : Json(dump->now_s - std::min(dump->now_s, r->seen))}};
		if (r->member < t.members.size) {
			const abi::MemberEntry& m = t.members[r->member];
			const uint32_t v = t.vtep_of(r->member);
			if (v != abi::kNone && v < t.vteps.size) {
				char addr[INET6_ADDRSTRLEN] = "";
				inet_ntop(t.vteps[v].v6 ? AF_INET6 : AF_INET, t.vteps[v].dst_ip,
				          addr, sizeof(addr));
				j["vtep"] = addr;
			} else if (m.port < t.ports.size) {
				j["port"] = std::string(t.name(t.ports[m.port].name));
				j["vlan"] = m.vlan;
				j["innerVlan"] = m.inner_vlan;
			}
		}
		rows.push_back({cell(j["tenant"]), cell(j["mac"]), std::move(j)});
	}
	std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
		return std::tie(x.tenant, x.mac) < std::tie(y.tenant, y.mac);
	});
	Json list = Json::array();
	for (auto& r : rows) {
		list.push_back(std::move(r.doc));
	}
	return {{{"entries", list}, {"workers", dump->workers}}, ""};
}

Shown show_config_history(const Backend& b)
{
	Json list = Json::array();
	const auto h = b.history();
	for (size_t i = 0; i < h.size(); ++i) {
		list.push_back({{"rollback", i},
		                {"appliedAt", h[i].unix_time},
		                {"origin", h[i].origin},
		                {"bytes", h[i].yaml.size()}});
	}
	const auto left = b.confirm_deadline_s();
	return {{{"history", list}, {"confirmDeadlineSeconds", left ? Json(*left) : Json(nullptr)}},
	        ""};
}

}  // namespace tsunagi::shell
