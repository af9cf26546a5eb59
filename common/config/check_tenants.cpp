// Pass 2: tenants, their attachments, static MACs and VRFs.
#include "common/config/check.hpp"
#include "common/config/values.hpp"

namespace tsunagi::config::load {

void Checker::check_tenants()
{
	Unique vnis(ctx_), hvlans(ctx_), attachments(ctx_), labels(ctx_), rds(ctx_);
	const bool has_trunk =
	    std::any_of(p_.cfg.ports.begin(), p_.cfg.ports.end(),
	                [](const Port& port) { return port.role == PortRole::trunk; });
	for (size_t i = 0; i < p_.cfg.tenants.size(); ++i) {
		const Tenant& t = p_.cfg.tenants[i];
		const TenantAux& aux = p_.tenants[i];
		const std::string owner =
		    aux.f.has("name") ? "tenant " + quote(t.name) : aux.f.path;
		if (aux.f.has("vni"))
			vnis.add(std::to_string(t.vni), "VNI " + std::to_string(t.vni),
			         aux.f.at("vni"), aux.f.p("vni"), owner);
		// hybrid_vlan tags the segment on trunk ports only: without one, tenants
		// may share it (which lets a node hold more than 4094 tenants).
		if (aux.f.has("hybrid_vlan") && has_trunk)
			hvlans.add(std::to_string(t.hybrid_vlan),
			           "hybrid_vlan " + std::to_string(t.hybrid_vlan),
			           aux.f.at("hybrid_vlan"), aux.f.p("hybrid_vlan"), owner);

		for (size_t k = 0; k < t.attachments.size(); ++k) {
			const Attachment& a = t.attachments[k];
			const Fields& af = aux.attachments[k];
			if (!af.has("port"))
				continue;
			const Port* port = this->port(af, "port", a.port);
			if (port == nullptr)
				continue;
			if (port->role != PortRole::access) {
				ctx_.error(af.at("port"), af.p("port"),
				           "port " + quote(a.port) + " is " +
				               role_phrase(port->role) +
				               "; attachments need an access port");
				continue;
			}
			if (!af.has("vlan") || !af.has("inner_vlan"))
				continue;
			std::string what =
			    "attachment (port " + a.port + ", vlan " + std::to_string(a.vlan);
			if (a.inner_vlan != 0)
				what += ", inner_vlan " + std::to_string(a.inner_vlan);
			what += ")";
			attachments.add(a.port + "/" + std::to_string(a.vlan) + "/" +
			                    std::to_string(a.inner_vlan),
			                what, af.mark, af.path, owner);
		}

		Unique vteps(ctx_);
		for (size_t k = 0; k < t.vteps.size(); ++k) {
			const IpAddr& v = t.vteps[k];
			const Val& at = aux.vteps[k];
			vteps.add(to_string(v), "VTEP " + to_string(v), at.mark, at.path,
			          aux.f.p("vteps") + "[" + std::to_string(k) + "]");
			bool family_ok = false;
			for (const IpAddr& own : p_.cfg.node.vteps) {
				if (own == v)
					ctx_.error(at.mark, at.path,
					           "VTEP " + to_string(v) +
					               " is this node's own vtep (node.vtep)");
				if (own.v6 == v.v6)
					family_ok = true;
			}
			if (!family_ok && !p_.cfg.node.vteps.empty())
				ctx_.error(at.mark, at.path,
				           "VTEP " + to_string(v) + " is " + family(v) +
				               " but node.vtep has no " + family(v) + " address");
		}

		check_static_macs(t, aux);

		if (t.vrf) {
			const Fields& vf = aux.vrf;
			if (vf.has("label"))
				labels.add(std::to_string(*t.vrf->label),
				           "label " + std::to_string(*t.vrf->label), vf.at("label"),
				           vf.p("label"), owner);
			if (vf.has("rd"))
				rds.add(t.vrf->rd, "rd " + quote(t.vrf->rd), vf.at("rd"),
				        vf.p("rd"), owner);
		}
	}
}

void Checker::check_static_macs(const Tenant& t, const TenantAux& aux)
{
	Unique macs(ctx_);
	for (size_t k = 0; k < t.static_macs.size(); ++k) {
		const StaticMac& s = t.static_macs[k];
		const Fields& sf = aux.static_macs[k];
		if (sf.has("mac"))
			macs.add(to_string(s.mac), "static MAC " + to_string(s.mac), sf.at("mac"),
			         sf.p("mac"), sf.path);
		if (!sf.has("valid"))
			continue;
		if (s.vtep) {
			if (std::find(t.vteps.begin(), t.vteps.end(), *s.vtep) == t.vteps.end())
				ctx_.error(sf.at("vtep"), sf.p("vtep"),
				           "VTEP " + to_string(*s.vtep) + " is not one of tenant " +
				               quote(t.name) + "'s vteps");
			continue;
		}
		const Port* port = this->port(sf, "port", s.port);
		if (port == nullptr)
			continue;
		switch (port->role) {
			case PortRole::access: {
				if (s.vlan == 0) {
					ctx_.error(sf.mark, sf.path,
					           "missing required key \"vlan\" (port " +
					               quote(s.port) + " is an access port)");
					break;
				}
				bool member = false;
				for (const Attachment& a : t.attachments)
					if (a.port == s.port && a.vlan == s.vlan &&
					    a.inner_vlan == s.inner_vlan)
						member = true;
				if (!member) {
					std::string what =
					    "port " + s.port + " vlan " + std::to_string(s.vlan);
					if (s.inner_vlan != 0)
						what +=
						    " inner_vlan " + std::to_string(s.inner_vlan);
					ctx_.error(sf.mark, sf.path,
					           what + " is not an attachment of tenant " +
					               quote(t.name));
				}
				break;
			}
			case PortRole::trunk:
				if (s.vlan != 0)
					ctx_.error(sf.mark, sf.path,
					           "port " + quote(s.port) +
					               " is a trunk port, which carries "
					               "the tenant on its hybrid_vlan; "
					               "give the port alone, without vlan");
				break;
			default:
				ctx_.error(sf.at("port"), sf.p("port"),
				           "port " + quote(s.port) + " is " +
				               role_phrase(port->role) +
				               "; a static MAC is on an access port (with "
				               "vlan), a trunk port or a vtep");
		}
	}
}

// A tenant named in a peer: it must exist and have a vrf.
void Checker::vrf_tenant(Mark at, const std::string& path, const std::string& name)
{
	const Tenant* t = tenant(at, path, name);
	if (t != nullptr && !t->vrf)
		ctx_.error(
		    at, path,
		    "tenant " + quote(name) + " has no vrf; a peer exchanges a VRF's routes");
}

}  // namespace tsunagi::config::load
