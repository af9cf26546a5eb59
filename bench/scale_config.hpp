// The table-scale configuration of DESIGN.md §7, built in code: 8 access ports × 4 094
// VLANs of attachments spread over 16 000 tenants, each tenant also reaching two remote
// VTEPs through one underlay port.
#pragma once

#include <cstdint>

#include "common/config/model.hpp"

namespace tsunagi::bench {

struct ScaleParams {
	uint32_t access_ports = 8;
	uint32_t vlans = 4094;  // VIDs 1..vlans on every access port
	uint32_t tenants = 16000;
	uint32_t remote_vteps = 64;
	uint32_t vteps_per_tenant = 2;
	// 0: one single-tag attachment per (port, VID); N: N QinQ attachments per (port, VID),
	// inner VIDs 1..N, spread over the tenants the same way.
	uint32_t inner_vlans = 0;
	// The private link (scenario d): the first `vrfs` tenants get a VRF, with `routes`
	// Option-B routes spread over them, learned from one carrier on interconnect port ix0.
	uint32_t vrfs = 0;
	uint32_t routes = 0;
};

// Port index of the interconnect port (present when vrfs > 0).
inline uint16_t interconnect_port(const ScaleParams& p)
{
	return uint16_t(p.access_ports + 1);
}

// The j-th Option-B route of VRF t: a /24 in 32.0.0.0/8 (host order), distinct within
// the VRF, and its label.
inline uint32_t vpn_route_prefix(uint32_t t, uint32_t j)
{
	return (32u << 24) | (((j * 4099u + t) & 0xffffu) << 8);
}
inline uint32_t vpn_route_label(const ScaleParams& p, uint32_t t, uint32_t j)
{
	return 16 + uint32_t((uint64_t{t} * (p.routes / p.vrfs) + j) % 1000000);
}
inline constexpr uint32_t kCarrier = 0xcb007101;  // 203.0.113.1, the Option-B peer

// Port indexes of the built config: access ports 0..access_ports-1, then the underlay.
inline uint16_t underlay_port(const ScaleParams& p)
{
	return uint16_t(p.access_ports);
}

// The tenant that attachment (access port, VID[, inner VID]) belongs to.
inline uint32_t attachment_tenant(const ScaleParams& p, uint32_t port, uint32_t vid,
                                  uint32_t inner = 0)
{
	return uint32_t((uint64_t{inner} * p.access_ports * p.vlans + port * p.vlans + (vid - 1)) %
	                p.tenants);
}

// Addresses used by the config and by the traffic that must match it.
inline constexpr uint32_t kLocalVtep = 0x0a000001;       // 10.0.0.1, the underlay port
inline constexpr uint32_t kGateway = 0x0a0000fe;         // 10.0.0.254, next hop to every VTEP
inline constexpr uint32_t kRemoteVtepBase = 0x0a010000;  // 10.1.0.1 + i
inline constexpr uint32_t kVniBase = 100000;

inline uint32_t remote_vtep_ip(uint32_t i)
{
	return kRemoteVtepBase + 1 + i;
}
// The k-th remote VTEP of tenant t (host order).
inline uint32_t tenant_vtep_ip(const ScaleParams& p, uint32_t t, uint32_t k)
{
	return remote_vtep_ip((t + k * 7) % p.remote_vteps);
}

config::Config build_scale_config(const ScaleParams& p);

}  // namespace tsunagi::bench
