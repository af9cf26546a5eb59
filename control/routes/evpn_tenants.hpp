// What BGP EVPN adds to the tenants that take it (`evpn: true`, docs/evpn.md): the tables are
// written from the YAML's tenants as the RIB completes them, so that remote VTEPs and MACs
// take the same way into the tables as static ones, edited in place one tenant at a time.
//
// A tenant's VTEPs are its static `vteps` and its VNI's flood list (type-3 routes); its
// remote MACs are the winning type-2 routes of its VNI, as static MACs behind their VTEP.
// A MAC the YAML pins stays where the YAML says. A MAC behind a VTEP that sent no type-3
// route makes that VTEP a member all the same: a unicast destination needs one, and the
// dataplane accepts its VNI's traffic only from members.
#pragma once

#include <string>
#include <vector>

#include "common/config/model.hpp"
#include "control/routes/evpn_rib.hpp"

namespace tsunagi::routes {

// What of `rib` a tenant uses: the flood list's usable VTEPs, and the remote MACs the YAML
// does not pin, behind usable VTEPs. Empty when the tenant does not take EVPN.
struct EvpnUse {
	std::vector<config::IpAddr> flood;
	std::vector<std::pair<config::Mac, RemoteMac>> macs;
};
EvpnUse evpn_use(const config::Tenant& t, const config::Node& node, const EvpnRib& rib);

// `t` completed with what `rib` holds of its VNI; `t` itself when it does not take EVPN.
config::Tenant with_evpn(const config::Tenant& t, const config::Node& node, const EvpnRib& rib);

// `cfg` with every EVPN tenant completed.
config::Config with_evpn(const config::Config& cfg, const EvpnRib& rib);

bool any_evpn(const config::Config& cfg);

// The EVPN tenants (by index in cfg.tenants) whose flood list or remote MACs `c` touches.
std::vector<size_t> evpn_tenants_changed(const config::Config& cfg, const EvpnChanges& c);

}  // namespace tsunagi::routes
