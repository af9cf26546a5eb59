// The `tenants:` section, with each tenant's `vrf:`.
#include "common/config/load_context.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

namespace {

void parse_vrf(Ctx& ctx, const Val& v, Tenant& t, TenantAux& aux)
{
	auto m = read_map(ctx, v,
	                  {"label", "rd", "route_targets", "gateway", "static_routes", "l3_vni"});
	if (!m)
		return;
	Vrf vrf;
	vrf.mark = m->mark;
	aux.vrf = fields_of(*m);
	Fields& f = aux.vrf;
	if (auto* e = m->get("label"))
		// From 983040 up, labels are this node's automatic ones (compile/vrf_plan.hpp).
		take<int64_t>(read_int(ctx, e->val, "label", 16, 983039), f, "label", e->val,
		              [&](auto& x) { vrf.label = static_cast<uint32_t>(x); });
	auto read_rd = [&](const Val& rv) -> std::optional<std::string> {
		auto s = read_string(ctx, rv);
		if (!s)
			return std::nullopt;
		if (!valid_rd(*s)) {
			ctx.error(
			    rv.mark, rv.path,
			    quote(*s) + " is not ASN:NN or IPv4:NN (e.g. 65000:1 or 192.0.2.1:1)");
			return std::nullopt;
		}
		return s;
	};
	if (auto* e = require(ctx, *m, "rd"))
		take<std::string>(read_rd(e->val), f, "rd", e->val, [&](auto& x) { vrf.rd = x; });
	if (auto* e = m->get("route_targets")) {
		if (auto rm = read_map(ctx, e->val, {"import", "export"})) {
			for (const char* dir : {"import", "export"}) {
				auto* d = rm->get(dir);
				if (d == nullptr)
					continue;
				auto& dest = std::string_view(dir) == "import" ? vrf.import_rts
				                                               : vrf.export_rts;
				if (d->val.node.IsScalar()) {
					if (auto s = read_rd(d->val))
						dest.push_back(*s);
				} else if (auto items = read_list(ctx, d->val)) {
					for (const Val& rv : *items)
						if (auto s = read_rd(rv))
							dest.push_back(*s);
				}
			}
		}
	}
	if (auto* e = m->get("gateway")) {
		for (const Val& gv : read_scalar_or_list(ctx, e->val)) {
			if (auto p = read_if_prefix(ctx, gv)) {
				vrf.gateways.push_back(*p);
				aux.vrf_gateways.push_back(gv);
			}
		}
	}
	if (auto* e = m->get("l3_vni"))
		take<int64_t>(read_int(ctx, e->val, "VNI", 1, 16777215), f, "l3_vni", e->val,
		              [&](auto& x) { vrf.l3_vni = static_cast<uint32_t>(x); });
	if (auto* e = m->get("static_routes")) {
		if (auto items = read_list(ctx, e->val)) {
			for (const Val& rv : *items) {
				auto rm = read_map(ctx, rv, {"prefix", "via"});
				if (!rm)
					continue;
				StaticRoute r;
				Fields rf = fields_of(*rm);
				r.mark = rm->mark;
				if (auto* x = require(ctx, *rm, "prefix"))
					take<IpPrefix>(read_route_prefix(ctx, x->val), rf, "prefix",
					               x->val, [&](auto& p) { r.prefix = p; });
				if (auto* x = require(ctx, *rm, "via"))
					take<IpAddr>(read_host(ctx, x->val), rf, "via", x->val,
					             [&](auto& a) { r.via = a; });
				vrf.static_routes.push_back(r);
				aux.routes.push_back(std::move(rf));
			}
		}
	}
	t.vrf = std::move(vrf);
}

// `attachments:` the (port, VLAN[, inner VLAN]) pairs that carry the tenant.
void parse_attachments(Ctx& ctx, const Val& v, Tenant& t, TenantAux& aux)
{
	if (auto list = read_list(ctx, v)) {
		for (const Val& av : *list) {
			auto am = read_map(ctx, av, {"port", "vlan", "inner_vlan"});
			if (!am)
				continue;
			Attachment a;
			Fields af = fields_of(*am);
			a.mark = am->mark;
			if (auto* x = require(ctx, *am, "port"))
				take<std::string>(read_string(ctx, x->val), af, "port", x->val,
				                  [&](auto& s) { a.port = s; });
			if (auto* x = require(ctx, *am, "vlan"))
				take<int64_t>(read_int(ctx, x->val, "VLAN", 1, 4094), af, "vlan",
				              x->val,
				              [&](auto& n) { a.vlan = static_cast<uint16_t>(n); });
			if (auto* x = am->get("inner_vlan"))
				take<int64_t>(read_int(ctx, x->val, "VLAN", 1, 4094), af,
				              "inner_vlan", x->val, [&](auto& n) {
					              a.inner_vlan = static_cast<uint16_t>(n);
				              });
			else
				af.set("inner_vlan",
				       am->mark);  // absent: single tag, which is
				                   // valid
			t.attachments.push_back(a);
			aux.attachments.push_back(std::move(af));
		}
	}
}

// `static_macs:` MACs pinned to an attachment or a VTEP; an entry that fails any check
// is kept (for its errors' marks) but never marked valid.
void parse_static_macs(Ctx& ctx, const Val& v, Tenant& t, TenantAux& aux)
{
	if (auto list = read_list(ctx, v)) {
		for (const Val& sv : *list) {
			auto sm = read_map(ctx, sv, {"mac", "port", "vlan", "inner_vlan", "vtep"});
			if (!sm)
				continue;
			StaticMac s;
			Fields sf = fields_of(*sm);
			s.mark = sm->mark;
			bool ok = true;
			if (auto* x = require(ctx, *sm, "mac"))
				ok &= take<Mac>(read_mac(ctx, x->val, true, "static MAC"), sf,
				                "mac", x->val, [&](auto& mac) { s.mac = mac; });
			else
				ok = false;
			if (auto* x = sm->get("port"))
				ok &= take<std::string>(read_string(ctx, x->val), sf, "port",
				                        x->val, [&](auto& p) { s.port = p; });
			if (auto* x = sm->get("vlan"))
				ok &= take<int64_t>(
				    read_int(ctx, x->val, "VLAN", 1, 4094), sf, "vlan", x->val,
				    [&](auto& n) { s.vlan = static_cast<uint16_t>(n); });
			if (auto* x = sm->get("inner_vlan"))
				ok &= take<int64_t>(read_int(ctx, x->val, "VLAN", 1, 4094), sf,
				                    "inner_vlan", x->val, [&](auto& n) {
					                    s.inner_vlan = static_cast<uint16_t>(n);
				                    });
			if (auto* x = sm->get("vtep"))
				ok &= take<IpAddr>(read_host(ctx, x->val), sf, "vtep", x->val,
				                   [&](auto& a) { s.vtep = a; });
			const bool port = sm->has("port"), vtep = sm->has("vtep");
			if (port && vtep) {
				ctx.error(sm->mark, sm->path, "give either port or vtep, not both");
				ok = false;
			} else if (!port && !vtep) {
				ctx.error(sm->mark, sm->path,
				          "missing required key \"port\" (with "
				          "vlan for an access port) or "
				          "\"vtep\"");
				ok = false;
			} else if (vtep && (sm->has("vlan") || sm->has("inner_vlan"))) {
				ctx.error(sm->mark, sm->path,
				          "vlan and inner_vlan go with port, not "
				          "with vtep");
				ok = false;
			}
			if (sm->has("inner_vlan") && !sm->has("vlan")) {
				ctx.error(sm->mark, sm->path, "inner_vlan needs vlan");
				ok = false;
			}
			if (ok)
				sf.set("valid", sm->mark);
			t.static_macs.push_back(s);
			aux.static_macs.push_back(std::move(sf));
		}
	}
}

}  // namespace

void parse_tenants(Ctx& ctx, const Val& v, Parsed& out)
{
	auto items = read_list(ctx, v);
	if (!items)
		return;
	for (const Val& iv : *items) {
		auto m = read_map(ctx, iv,
		                  {"name", "vni", "hybrid_vlan", "attachments", "vteps",
		                   "mac_limit", "static_macs", "vrf", "evpn"});
		if (!m)
			continue;
		Tenant t;
		TenantAux aux;
		aux.f = fields_of(*m);
		Fields& f = aux.f;
		t.mark = m->mark;
		if (auto* e = require(ctx, *m, "name")) {
			if (auto s = read_string(ctx, e->val)) {
				if (!valid_name(*s))
					ctx.error(e->val.mark, e->val.path,
					          "tenant name " + quote(*s) + " must be 1" +
					              kDash +
					              "31 characters of letters, digits, '_', '.' "
					              "and '-'");
				else
					take<std::string>(s, f, "name", e->val,
					                  [&](auto& x) { t.name = x; });
			}
		}
		if (auto* e = require(ctx, *m, "vni"))
			take<int64_t>(read_int(ctx, e->val, "VNI", 1, 16777215), f, "vni", e->val,
			              [&](auto& x) { t.vni = static_cast<uint32_t>(x); });
		if (auto* e = require(ctx, *m, "hybrid_vlan"))
			take<int64_t>(read_int(ctx, e->val, "VLAN", 1, 4094), f, "hybrid_vlan",
			              e->val,
			              [&](auto& x) { t.hybrid_vlan = static_cast<uint16_t>(x); });
		if (auto* e = m->get("attachments"))
			parse_attachments(ctx, e->val, t, aux);
		if (auto* e = m->get("vteps")) {
			if (auto list = read_list(ctx, e->val)) {
				for (const Val& tv : *list) {
					if (auto a = read_host(ctx, tv)) {
						t.vteps.push_back(*a);
						aux.vteps.push_back(tv);
					}
				}
			}
		}
		if (auto* e = m->get("mac_limit"))
			take<int64_t>(read_int(ctx, e->val, "mac_limit", 0, kU32Max), f,
			              "mac_limit", e->val,
			              [&](auto& x) { t.mac_limit = static_cast<uint32_t>(x); });
		if (auto* e = m->get("static_macs"))
			parse_static_macs(ctx, e->val, t, aux);
		if (auto* e = m->get("vrf"))
			parse_vrf(ctx, e->val, t, aux);
		if (auto* e = m->get("evpn"))
			take<bool>(read_bool(ctx, e->val), f, "evpn", e->val,
			           [&](auto& x) { t.evpn = x; });
		out.cfg.tenants.push_back(std::move(t));
		out.tenants.push_back(std::move(aux));
	}
}

}  // namespace tsunagi::config::load
