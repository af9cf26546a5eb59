// Opens the YAML's ports as DPDK ethdevs: one RX queue per worker, one TX queue per
// worker, promiscuous (access and trunk ports carry customers' MACs).
#pragma once

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <string>
#include <vector>

#include "control/config/model.hpp"

namespace tsunagi::dp {

// How a port's driver hands over VLAN tags. The kernel strips the outer tag of every
// frame before an AF_PACKET socket sees it, and DPDK's af_packet driver puts it back as
// 0x8100 whatever it was, losing the 0x88a8 of QinQ. On such ports the dataplane takes
// the stripped tag and puts it back itself (see restore_outer_tags).
enum class TagRestore : uint8_t {
	none,  // the driver delivers frames as they were on the wire
	// Put the stripped tag back as 0x88a8 when a 0x8100 tag follows, else as 0x8100. A
	// customer's own double-tagged frame on a single-tag attachment is then taken for
	// QinQ and dropped as unknown_vlan: never switched into another tenant, which is
	// what reading every such frame as single-tagged would risk. Decided per frame, so
	// attachments added by a reload need nothing more.
	guess_qinq,
};

struct PortSet {
	std::vector<uint16_t> dpdk_id;  // by the port's position in the YAML
	std::vector<TagRestore> restore;
};

// Re-inserts the outer VLAN tag the driver stripped (RTE_MBUF_F_RX_VLAN_STRIPPED).
void restore_outer_tags(rte_mbuf** pkts, uint16_t n, TagRestore how);

// Returns an empty string, or what failed (naming the port).
std::string start_ports(const config::Config& cfg, rte_mempool* pool, uint16_t queues,
                        PortSet& ports);
void stop_ports(const PortSet& ports);

}  // namespace tsunagi::dp
