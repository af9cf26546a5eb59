// The "shadow" kernel devices that make zebra know each EVPN tenant's VNI, so that it
// advertises the VNI (type 3) and, later, the MACs put on its port (type 2):
// `../shared/notes/frr-8.4-evpn-on-this-kernel.md`. Per EVPN tenant, in the network
// namespace FRR runs in: a bridge tsb<VNI>, a VXLAN device tsx<VNI> (the VNI, the node's
// IPv4 VTEP, port 4789, no learning) and a veth tsp<VNI> whose peer tsq<VNI> stays down,
// both bridge ports with learning off and IPv6 off on all four, so nothing ever flows;
// and one blackhole default route of the worst metric, so that remote VTEPs resolve in
// zebra's RIB (with `ip nht resolve-via-default`) and no real route is shadowed.
//
// The names are the ownership marker: tsunagid creates and removes only links named
// ts[bxpq]<VNI> and that one route, never anything else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::frr {

struct ShadowNames {
	std::string bridge, vxlan, port, peer;
};
ShadowNames shadow_names(uint32_t vni);
// The VNI of a shadow device's name; nullopt for every other name.
std::optional<uint32_t> shadow_vni(std::string_view name);

// The VNIs whose shadow devices the configuration wants, sorted.
std::vector<uint32_t> evpn_vnis(const config::Config& cfg);
// The node's IPv4 VTEP, the VXLAN devices' local address.
std::optional<config::IpAddr> evpn_vtep(const config::Config& cfg);

struct ShadowPlan {
	std::vector<std::string> remove;  // links to delete, first
	std::vector<uint32_t> create;     // then the VNIs whose four devices are made
	bool route = false;               // whether the blackhole route is wanted
};
// What to change given the namespace's link names. A VNI with only some of its devices
// (a crash half-way) loses them and is made again; `recreate`: the VTEP changed, so every
// wanted VNI is made again.
ShadowPlan plan_shadow_devices(const config::Config& cfg, const std::vector<std::string>& links,
                               bool recreate);

// `ip -batch` lines: deleting, creating (devices down), then bringing up what was made.
std::vector<std::string> remove_lines(const ShadowPlan& plan);
std::vector<std::string> create_lines(const ShadowPlan& plan, const config::IpAddr& vtep);
std::vector<std::string> up_lines(const ShadowPlan& plan);

// Keeps the shadow devices as the configuration wants them; called on every configuration
// put in force (start and reload).
class EvpnDevices {
public:
	// `ip`: the ip(8) binary. Returns what it did, for the log.
	explicit EvpnDevices(std::string ip = "/usr/sbin/ip") : ip_(std::move(ip)) {}
	std::vector<std::string> sync(const config::Config& cfg);

private:
	std::string ip_;
	std::optional<config::IpAddr> vtep_;  // of the devices made by this process
	std::optional<bool> route_;           // whether the route is there, once known
	std::string batch(const std::vector<std::string>& lines, std::vector<std::string>& log);
};

}  // namespace tsunagi::frr
