#include "bench/ovs_flows.hpp"

#include <cstdio>
#include <memory>

namespace tsunagi::bench {

namespace {

std::string mac_text(const uint8_t* m)
{
	char b[18];
	std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
	              m[5]);
	return b;
}

std::string ip4_text(uint32_t host_order)
{
	char b[16];
	std::snprintf(b, sizeof b, "%u.%u.%u.%u", host_order >> 24, (host_order >> 16) & 0xff,
	              (host_order >> 8) & 0xff, host_order & 0xff);
	return b;
}

struct File {
	std::unique_ptr<FILE, int (*)(FILE*)> f;
	explicit File(const std::string& path) : f(std::fopen(path.c_str(), "w"), &std::fclose) {}
};

// What leaves for `member` of `tenant`: re-tagged on the sink, or into the VTEP's tunnel
// with the tenant's VNI. `tagged`: the frame still carries its ingress tag.
std::string egress(const abi::TableView& t, uint32_t tenant, uint32_t member, bool tagged)
{
	const abi::MemberEntry& mb = t.members[member];
	char b[96];
	if (mb.kind == abi::MemberKind::vtep) {
		std::snprintf(b, sizeof b, "%sset_field:%u->tun_id,output:%u",
		              tagged ? "strip_vlan," : "", t.tenants[tenant].vni,
		              kOvsTunnelBase + mb.vtep);
	} else {
		std::snprintf(b, sizeof b, "mod_vlan_vid:%u,output:%u", mb.vlan, kOvsSink);
	}
	return b;
}

}  // namespace

std::string write_ovs_flows(const std::string& file, Scenario s, const ScaleParams& p,
                            const abi::TableView& t, const MacPlan& macs, OvsJob& job)
{
	File out(file);
	File tunnels(file + ".tunnels");
	if (!out.f || !tunnels.f) {
		return "cannot write " + file;
	}
	FILE* f = out.f.get();
	// The underlay's own MAC (what VXLAN from the remote VTEPs is sent to) and its gateway's.
	std::fprintf(
	    tunnels.f.get(), "underlay_mac %s\ngateway_mac %s\n",
	    mac_text(t.ports[underlay_port(p)].mac).c_str(),
	    t.vteps.size != 0 ? mac_text(t.vteps[0].dst_mac).c_str() : "02:47:57:00:00:01");
	for (uint32_t v = 0; v < t.vteps.size; ++v) {
		const uint8_t* ip = t.vteps[v].dst_ip;
		std::fprintf(tunnels.f.get(), "%u %u.%u.%u.%u\n", kOvsTunnelBase + v, ip[0], ip[1],
		             ip[2], ip[3]);
	}
	// Table 0: the ingress classification. Access ports by (port, VID), every one of them
	// (only port 0 exists in the switch; the others keep the classifier at full size);
	// tunnels by VNI, for every VTEP of every tenant.
	for (uint32_t port = 0; port < p.access_ports; ++port) {
		const uint32_t ofport = port == 0 ? kOvsIn : kOvsOtherAccess + port - 1;
		for (uint32_t vid = 1; vid <= p.vlans; ++vid) {
			const uint32_t tenant = attachment_tenant(p, port, vid);
			std::fprintf(f,
			             "table=0,priority=10,in_port=%u,dl_vlan=%u,"
			             "actions=set_field:%u->metadata,goto_table:1\n",
			             ofport, vid, tenant);
			++job.flows;
		}
	}
	for (uint32_t tenant = 0; tenant < t.tenants.size; ++tenant) {
		for (const uint32_t m : t.flood_list(tenant)) {
			if (t.members[m].kind == abi::MemberKind::vtep) {
				std::fprintf(f,
				             "table=0,priority=10,in_port=%u,tun_id=%u,"
				             "actions=set_field:%u->metadata,goto_table:1\n",
				             kOvsTunnelBase + t.members[m].vtep,
				             t.tenants[tenant].vni, tenant);
				++job.flows;
			}
		}
	}
	// Scenario e: a broadcast from an attachment of port 0 goes to every other member of its
	// tenant, one flow per attachment (OVS has no per-tenant flood list that leaves out the
	// ingress member).
	if (s == Scenario::flood) {
		for (uint32_t vid = 1; vid <= p.vlans; ++vid) {
			const uint64_t ref = t.vlan_ref(0, uint16_t(vid));
			const uint32_t in = abi::ref_value(ref), tenant = abi::ref_aux(ref);
			// Re-tagged copies first, then the tag comes off once for the tunnel
			// copies.
			std::string tags, tunnels;
			for (const uint32_t m : t.flood_list(tenant)) {
				if (m == in) {
					continue;
				}
				std::string& to =
				    t.members[m].kind == abi::MemberKind::vtep ? tunnels : tags;
				to += (to.empty() ? "" : ",") + egress(t, tenant, m, false);
			}
			const std::string acts =
			    tags + (tunnels.empty() ? ""
			                            : (tags.empty() ? "" : ",") +
			                                  std::string("strip_vlan,") + tunnels);
			std::fprintf(
			    f,
			    "table=0,priority=20,in_port=%u,dl_vlan=%u,dl_dst=ff:ff:ff:ff:ff:ff,"
			    "actions=%s\n",
			    kOvsIn, vid, acts.c_str());
			++job.flows;
		}
	}
	// Table 1: every learned MAC of every tenant, or for scenario d the carrier's routes.
	const bool tagged = s != Scenario::vxlan_access;
	for (uint32_t tenant = 0; tenant < t.tenants.size && s != Scenario::option_b; ++tenant) {
		for (uint32_t j = 0, n = macs.macs_of(tenant); j < n; ++j) {
			const auto mac = macs.mac(tenant, j);
			std::fprintf(f, "table=1,priority=10,metadata=%u,dl_dst=%s,actions=%s\n",
			             tenant, mac_text(mac.data()).c_str(),
			             egress(t, tenant, macs.member_of(tenant, j), tagged).c_str());
			++job.flows;
		}
	}
	if (s == Scenario::option_b) {
		const std::string router = mac_text(t.node().router_mac);
		const std::string ix = mac_text(t.ports[interconnect_port(p)].mac);
		const uint32_t per = p.routes / p.vrfs;
		for (uint32_t tenant = 0; tenant < p.vrfs; ++tenant) {
			for (uint32_t j = 0; j < per; ++j) {
				std::fprintf(
				    f,
				    "table=1,priority=10,metadata=%u,dl_dst=%s,ip,nw_dst=%s/24,"
				    "actions=strip_vlan,dec_ttl,mod_dl_src:%s,"
				    "mod_dl_dst:02:cc:00:00:00:01,push_mpls:0x8847,"
				    "set_field:%u->mpls_label,output:%u\n",
				    tenant, router.c_str(),
				    ip4_text(vpn_route_prefix(tenant, j)).c_str(), ix.c_str(),
				    vpn_route_label(p, tenant, j), kOvsSink);
				++job.flows;
			}
		}
	}
	if (std::ferror(f) != 0) {
		return "cannot write " + file;
	}
	return {};
}

}  // namespace tsunagi::bench
