// The `node:` section.
#include "common/config/load_context.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

namespace {

// `metrics:` ADDR:PORT, an IPv6 address in brackets.
std::optional<std::string> read_metrics(Ctx& ctx, const Val& v)
{
	auto s = read_string(ctx, v);
	if (!s)
		return std::nullopt;
	bool ok = false;
	std::string_view t = *s, host, port;
	if (!t.empty() && t[0] == '[') {
		const size_t close = t.find("]:");
		if (close != std::string_view::npos) {
			host = t.substr(1, close - 1);
			port = t.substr(close + 2);
		}
	} else if (const size_t colon = t.rfind(':'); colon != std::string_view::npos) {
		host = t.substr(0, colon);
		port = t.substr(colon + 1);
	}
	auto a = parse_ip(host);
	if (a && a->v6 == (t[0] == '[') && !port.empty() && port.size() <= 5 && port[0] != '0' &&
	    std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
	    std::stoi(std::string(port)) <= 65535)
		ok = true;
	if (ok)
		return s;
	ctx.error(v.mark, v.path,
	          quote(*s) + " is not ADDR:PORT (e.g. 127.0.0.1:9469 or [::1]:9469)");
	return std::nullopt;
}

}  // namespace

void parse_node(Ctx& ctx, const Val& v, Parsed& out)
{
	auto m = read_map(ctx, v,
	                  {"name", "asn", "router_id", "router_mac", "vtep", "runtime_dir", "group",
	                   "mac_aging", "metrics", "eal", "evpn"});
	if (!m)
		return;
	Node& node = out.cfg.node;
	Fields& f = out.node.f;
	f = fields_of(*m);
	node.mark = m->mark;

	if (auto* e = require(ctx, *m, "name")) {
		if (auto s = read_string(ctx, e->val)) {
			if (!valid_name(*s, 63))
				ctx.error(e->val.mark, e->val.path,
				          "node name " + quote(*s) + " must be 1" + kDash +
				              "63 characters of letters, digits, '_', '.' and '-'");
			else
				take<std::string>(s, f, "name", e->val,
				                  [&](auto& x) { node.name = x; });
		}
	}
	if (auto* e = require(ctx, *m, "asn"))
		take<int64_t>(read_int(ctx, e->val, "ASN", 1, kU32Max), f, "asn", e->val,
		              [&](auto& x) { node.asn = static_cast<uint32_t>(x); });
	if (auto* e = require(ctx, *m, "router_id")) {
		if (auto a = read_ip(ctx, e->val)) {
			if (a->v6 || ip_is_unspecified(*a))
				ctx.error(e->val.mark, e->val.path,
				          "router_id must be a non-zero IPv4 address, got " +
				              to_string(*a));
			else
				take<IpAddr>(a, f, "router_id", e->val,
				             [&](auto& x) { node.router_id = x; });
		}
	}
	if (auto* e = m->get("router_mac"))
		take<Mac>(read_mac(ctx, e->val, true, "router_mac"), f, "router_mac", e->val,
		          [&](auto& x) { node.router_mac = x; });
	if (auto* e = m->get("vtep")) {
		f.set("vtep_key", e->val.mark);
		for (auto& [a, at] : read_per_family<IpAddr>(ctx, e->val, read_host, addr_itself)) {
			node.vteps.push_back(a);
			out.node.vteps.push_back(at);
		}
	}
	if (auto* e = m->get("runtime_dir")) {
		if (auto s = read_string(ctx, e->val)) {
			if (const std::string why = runtime_dir_problem(*s); !why.empty())
				ctx.error(e->val.mark, e->val.path,
				          "runtime_dir " + quote(*s) + " " + why);
			else
				node.runtime_dir = *s;
		}
	}
	if (auto* e = m->get("group")) {
		if (auto s = read_string(ctx, e->val)) {
			// Whether the group exists is the daemons' to check, on the machine they
			// run on.
			if (!valid_name(*s, 32))
				ctx.error(e->val.mark, e->val.path,
				          "group " + quote(*s) + " must be 1" + kDash +
				              "32 characters of letters, digits, '_', '.' and '-'");
			else
				node.group = *s;
		}
	}
	if (auto* e = m->get("mac_aging"))
		take<int64_t>(read_int(ctx, e->val, "mac_aging", 1, 86400), f, "mac_aging", e->val,
		              [&](auto& x) { node.mac_aging_s = static_cast<uint32_t>(x); });
	if (auto* e = m->get("metrics"))
		if (auto s = read_metrics(ctx, e->val))
			node.metrics_address = *s;
	if (auto* e = m->get("eal")) {
		if (auto em = read_map(ctx, e->val, {"lcores", "memory", "args"})) {
			Eal eal;
			if (auto* l = em->get("lcores"))
				if (auto s = read_string(ctx, l->val))
					eal.lcores = *s;
			if (auto* l = em->get("memory"))
				if (auto n = read_int(ctx, l->val, "memory (MB)", 1, 1048576))
					eal.memory_mb = static_cast<uint32_t>(*n);
			if (auto* l = em->get("args"))
				if (auto items = read_list(ctx, l->val))
					for (const Val& a : *items)
						if (auto s = read_string(ctx, a))
							eal.args.push_back(*s);
			node.eal = eal;
		}
	}
	if (auto* e = m->get("evpn"))
		parse_evpn(ctx, e->val, out);
}

}  // namespace tsunagi::config::load
