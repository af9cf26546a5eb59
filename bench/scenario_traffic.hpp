// The frames of each benchmark scenario, all entering on one port of the scale config:
//   a: access → access, known unicast (tagged frames on access port 0 to a MAC learned on
//      another attachment of the same tenant);
//   b: access → VXLAN (same ingress, destination learned on one of the tenant's VTEPs);
//   c: VXLAN → access (IPv4 VXLAN on the underlay port from one of the tenant's VTEPs to a
//      MAC learned on one of its attachments);
//   d: Option B (tagged frames on access port 0 to the router MAC, routed in the tenant's
//      VRF by one of its routes and sent to the carrier with the route's label pushed);
//   e: flood (broadcast frames on access port 0, in tenants whose flood list holds 8
//      other members: the tenant's second attachment and 7 VTEPs, with kFloodVteps);
//   f: garbage, every frame one the node must drop and count: on access port 0, by turns
//      untagged (unknown VLAN), QinQ of an unknown inner VID, cut short inside the tag, and
//      of a multicast source MAC.
// Frames cycle over many VLANs/tenants so lookups spread across the tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/mac_preload.hpp"
#include "bench/scale_config.hpp"

namespace tsunagi::bench {

enum class Scenario { access_access, access_vxlan, vxlan_access, option_b, flood, garbage };

// Scenario e's tenants reach this many VTEPs, so a broadcast from one of their two
// attachments is copied to 8 members.
inline constexpr uint32_t kFloodVteps = 7;
inline constexpr uint32_t kFloodCopies = 8;

bool parse_scenario(const std::string& s, Scenario& out);
const char* scenario_name(Scenario s);

struct Traffic {
	uint16_t in_port = 0;  // tsunagi port index the frames arrive on
	std::vector<std::vector<uint8_t>> frames;
};

// `frames` distinct frames; `inner_len` is the length of the customer frame as it enters
// (a, b: tagged on the access port) or as it is carried inside VXLAN (c), without FCS.
Traffic make_traffic(Scenario s, const ScaleParams& p, const abi::TableView& t, const MacPlan& macs,
                     uint32_t frames, uint32_t frame_len);

}  // namespace tsunagi::bench
