// The `peers:` section: Option-B carriers and Option-A links.
#include "common/config/load_context.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

namespace {

// `static_vpn_routes:` of an Option-B peer: VPN routes the carrier does not send.
void parse_static_routes(Ctx& ctx, const Val& v, Peer& p, PeerAux& aux)
{
	if (auto list = read_list(ctx, v)) {
		for (const Val& rv : *list) {
			auto rm = read_map(ctx, rv, {"tenant", "prefix", "labels"});
			if (!rm)
				continue;
			StaticVpnRoute r;
			Fields rf = fields_of(*rm);
			std::vector<Val> label_vals;
			r.mark = rm->mark;
			if (auto* x = require(ctx, *rm, "tenant"))
				take<std::string>(read_string(ctx, x->val), rf, "tenant", x->val,
				                  [&](auto& s) { r.tenant = s; });
			if (auto* x = require(ctx, *rm, "prefix"))
				take<IpPrefix>(read_route_prefix(ctx, x->val), rf, "prefix", x->val,
				               [&](auto& pf) { r.prefix = pf; });
			if (auto* x = require(ctx, *rm, "labels")) {
				if (auto labels = read_list(ctx, x->val)) {
					if (labels->empty())
						ctx.error(x->val.mark, x->val.path,
						          "needs at least one label");
					for (const Val& lv : *labels) {
						if (auto n =
						        read_int(ctx, lv, "label", 16, 1048575)) {
							r.labels.push_back(
							    static_cast<uint32_t>(*n));
							label_vals.push_back(lv);
						}
					}
				}
			}
			p.static_vpn_routes.push_back(r);
			aux.routes.push_back(std::move(rf));
			aux.route_labels.push_back(std::move(label_vals));
		}
	}
}

// `vrfs:` of an Option-A peer: one sub-interface and BGP neighbour per tenant.
void parse_option_a_vrfs(Ctx& ctx, const Val& v, Peer& p, PeerAux& aux)
{
	if (auto list = read_list(ctx, v)) {
		for (const Val& av : *list) {
			auto am = read_map(ctx, av, {"tenant", "vlan", "address", "neighbor"});
			if (!am)
				continue;
			OptionAVrf a;
			Fields af = fields_of(*am);
			a.mark = am->mark;
			if (auto* x = require(ctx, *am, "tenant"))
				take<std::string>(read_string(ctx, x->val), af, "tenant", x->val,
				                  [&](auto& s) { a.tenant = s; });
			if (auto* x = require(ctx, *am, "vlan"))
				take<int64_t>(read_int(ctx, x->val, "VLAN", 1, 4094), af, "vlan",
				              x->val,
				              [&](auto& n) { a.vlan = static_cast<uint16_t>(n); });
			if (auto* x = require(ctx, *am, "address"))
				take<IpPrefix>(read_if_prefix(ctx, x->val), af, "address", x->val,
				               [&](auto& pf) { a.address = pf; });
			if (auto* x = require(ctx, *am, "neighbor"))
				take<IpAddr>(read_host(ctx, x->val), af, "neighbor", x->val,
				             [&](auto& n) { a.neighbor = n; });
			p.vrfs.push_back(a);
			aux.vrfs.push_back(std::move(af));
		}
	}
}

// Keys of the other option are named, not ignored: a peer switched from B to A keeps its
// old keys by mistake more often than on purpose.
void check_option_keys(Ctx& ctx, const Map& m, const Peer& p, const PeerAux& aux)
{
	if (p.option == PeerOption::A) {
		for (const auto& k : aux.option_b_keys_given) {
			const Entry* e = m.get(k);
			ctx.error(e->key_mark, e->val.path,
			          quote(k) + " is for an Option B peer; this peer is Option A");
		}
		if (!aux.vrfs_given)
			ctx.error(m.mark, m.path, "missing required key \"vrfs\" (Option A)");
	} else {
		if (aux.vrfs_given) {
			const Entry* e = m.get("vrfs");
			ctx.error(e->key_mark, e->val.path,
			          "\"vrfs\" is for an Option A peer; this peer is "
			          "Option B");
		}
		if (!m.has("address"))
			ctx.error(m.mark, m.path, "missing required key \"address\" (Option B)");
	}
}

}  // namespace

void parse_peers(Ctx& ctx, const Val& v, Parsed& out)
{
	auto items = read_list(ctx, v);
	if (!items)
		return;
	for (const Val& iv : *items) {
		auto m = read_map(ctx, iv,
		                  {"name", "option", "port", "asn", "address", "tenants",
		                   "static_vpn_routes", "vrfs"});
		if (!m)
			continue;
		Peer p;
		PeerAux aux;
		aux.f = fields_of(*m);
		Fields& f = aux.f;
		p.mark = m->mark;
		if (auto* e = require(ctx, *m, "name")) {
			if (auto s = read_string(ctx, e->val)) {
				if (!valid_name(*s))
					ctx.error(e->val.mark, e->val.path,
					          "peer name " + quote(*s) + " must be 1" + kDash +
					              "31 characters of letters, digits, '_', '.' "
					              "and '-'");
				else
					take<std::string>(s, f, "name", e->val,
					                  [&](auto& x) { p.name = x; });
			}
		}
		if (auto* e = require(ctx, *m, "option")) {
			if (want_scalar(ctx, e->val, "A or B")) {
				const std::string& s = e->val.node.Scalar();
				if (s == "A" || s == "B") {
					p.option = s == "A" ? PeerOption::A : PeerOption::B;
					f.set("option", e->val.mark);
				} else {
					ctx.error(e->val.mark, e->val.path,
					          "option " + quote(s) +
					              " is not A or B (inter-AS Option A or B)");
				}
			}
		}
		if (auto* e = require(ctx, *m, "port"))
			take<std::string>(read_string(ctx, e->val), f, "port", e->val,
			                  [&](auto& x) { p.port = x; });
		if (auto* e = require(ctx, *m, "asn"))
			take<int64_t>(read_int(ctx, e->val, "ASN", 1, kU32Max), f, "asn", e->val,
			              [&](auto& x) { p.asn = static_cast<uint32_t>(x); });
		if (auto* e = m->get("address")) {
			aux.option_b_keys_given.push_back("address");
			take<IpAddr>(read_host(ctx, e->val), f, "address", e->val,
			             [&](auto& x) { p.address = x; });
		}
		if (auto* e = m->get("tenants")) {
			aux.option_b_keys_given.push_back("tenants");
			if (auto list = read_list(ctx, e->val)) {
				for (const Val& tv : *list) {
					if (auto s = read_string(ctx, tv)) {
						p.tenants.push_back(*s);
						aux.tenants.push_back(tv);
					}
				}
			}
		}
		if (auto* e = m->get("static_vpn_routes")) {
			aux.option_b_keys_given.push_back("static_vpn_routes");
			parse_static_routes(ctx, e->val, p, aux);
		}
		if (auto* e = m->get("vrfs")) {
			aux.vrfs_given = true;
			parse_option_a_vrfs(ctx, e->val, p, aux);
		}
		if (f.has("option"))
			check_option_keys(ctx, *m, p, aux);
		out.cfg.peers.push_back(std::move(p));
		out.peers.push_back(std::move(aux));
	}
}

}  // namespace tsunagi::config::load
