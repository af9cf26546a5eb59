// The BGP EVPN part of FRR's configuration (docs/evpn.md): the node's EVPN sessions in the
// default BGP instance with every VNI zebra knows advertised (the shadow devices of
// evpn_devices.hpp make them known), and for a VRF with an L3 VNI the VNI and its type-5
// routes. EVPN route distinguishers and targets are FRR's automatic ones (RD
// router-id:N, RT ASN:VNI), as the FRR leaves of a fleet derive them.
#pragma once

#include <ostream>

#include "common/config/model.hpp"

namespace tsunagi::frr {

// Whether a tenant's VRF is an FRR VRF (a network namespace): it has Option-A sessions or
// an L3 VNI.
bool has_frr_vrf(const config::Config& cfg, const config::Tenant& t);

// Global: remote VTEPs resolve through the shadow devices' blackhole default route
// (evpn_devices.hpp).
void evpn_zebra(std::ostream& o, const config::Config& cfg);
// Inside `router bgp`: the EVPN neighbours, before any address family.
void evpn_neighbors(std::ostream& o, const config::Config& cfg);
// Inside `router bgp`: `address-family l2vpn evpn` with the neighbours activated.
void evpn_address_family(std::ostream& o, const config::Config& cfg);
// Inside `vrf NAME`: the VRF's L3 VNI.
void evpn_vrf_vni(std::ostream& o, const config::Tenant& t);
// Inside `router bgp ASN vrf NAME`: the VRF's prefixes advertised as type-5 routes.
void evpn_vrf_address_family(std::ostream& o, const config::Tenant& t);

}  // namespace tsunagi::frr
