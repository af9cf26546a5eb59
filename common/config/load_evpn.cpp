// `node: evpn:` the node's BGP EVPN sessions (docs/evpn.md).
#include "common/config/load_context.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

void parse_evpn(Ctx& ctx, const Val& v, Parsed& out)
{
	auto m = read_map(ctx, v, {"peers", "keepalive", "hold"});
	if (!m)
		return;
	Evpn evpn;
	evpn.mark = m->mark;
	Fields& f = out.node.evpn;
	f = fields_of(*m);
	if (auto* e = require(ctx, *m, "peers")) {
		if (auto list = read_list(ctx, e->val)) {
			// A node with EVPN on and no session would advertise nothing and learn
			// nothing, silently.
			if (list->empty())
				ctx.error(e->val.mark, e->val.path,
				          "needs at least one peer (a route reflector or a leaf)");
			for (const Val& pv : *list) {
				auto pm = read_map(ctx, pv, {"address", "asn"});
				if (!pm)
					continue;
				EvpnPeer p;
				Fields pf = fields_of(*pm);
				p.mark = pm->mark;
				if (auto* x = require(ctx, *pm, "address"))
					take<IpAddr>(read_host(ctx, x->val), pf, "address", x->val,
					             [&](auto& a) { p.address = a; });
				if (auto* x = pm->get("asn"))
					take<int64_t>(read_int(ctx, x->val, "ASN", 1, kU32Max), pf,
					              "asn", x->val, [&](auto& n) {
						              p.asn = static_cast<uint32_t>(n);
					              });
				evpn.peers.push_back(p);
				out.node.evpn_peers.push_back(std::move(pf));
			}
		}
	}
	// FRR's own ranges: a hold time of 0 (never expire) is refused here, since a dead
	// session would keep its remote MACs forever.
	if (auto* e = m->get("keepalive"))
		take<int64_t>(read_int(ctx, e->val, "keepalive (s)", 1, 21845), f, "keepalive",
		              e->val,
		              [&](auto& n) { evpn.keepalive_s = static_cast<uint16_t>(n); });
	if (auto* e = m->get("hold"))
		take<int64_t>(read_int(ctx, e->val, "hold (s)", 3, 65535), f, "hold", e->val,
		              [&](auto& n) { evpn.hold_s = static_cast<uint16_t>(n); });
	if (evpn.keepalive_s * 3 > evpn.hold_s)
		ctx.error(f.at(f.has("keepalive") ? "keepalive" : "hold"),
		          f.p(f.has("keepalive") ? "keepalive" : "hold"),
		          "keepalive " + std::to_string(evpn.keepalive_s) +
		              " s is more than a third of hold " + std::to_string(evpn.hold_s) +
		              " s; one lost keepalive must not drop the session (RFC 4271 4.4)");
	out.cfg.node.evpn = std::move(evpn);
}

}  // namespace tsunagi::config::load
