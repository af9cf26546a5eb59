// The Open vSwitch contender's job (bench/ovs/run), written from the same compiled tables
// and learned MACs as tsunagi's: OpenFlow 1.3 flows for `ovs-ofctl add-flows`, and the
// tunnel ports they output to. Table 0 classifies a frame into its tenant (metadata) by
// ingress port and VLAN, or by tunnel and VNI; table 1 forwards by destination MAC within
// the tenant (a frame to the router MAC: by IPv4 prefix, pushing the carrier's label).
// Every egress but a tunnel leaves on one sink port, as tsunagi-bench maps every egress
// port onto its one net_null.
#pragma once

#include <cstdint>
#include <string>

#include "bench/mac_preload.hpp"
#include "bench/scale_config.hpp"
#include "bench/scenario_traffic.hpp"

namespace tsunagi::bench {

// OpenFlow port numbers the flows use; bench/ovs/run creates the ports with them.
inline constexpr uint32_t kOvsIn = 1;            // where the access frames enter
inline constexpr uint32_t kOvsSink = 2;          // every egress that is not a tunnel
inline constexpr uint32_t kOvsOtherAccess = 3;   // ingress of access ports 1..7: 3..9
inline constexpr uint32_t kOvsTunnelBase = 100;  // VTEP i of the tables: 100 + i

struct OvsJob {
	uint64_t flows = 0;
};

// Writes FILE (flows) and FILE.tunnels ("OFPORT REMOTE-IP" per VTEP, "underlay_mac MAC",
// "gateway_mac MAC"). Empty string or why not.
std::string write_ovs_flows(const std::string& file, Scenario s, const ScaleParams& p,
                            const abi::TableView& t, const MacPlan& macs, OvsJob& job);

}  // namespace tsunagi::bench
