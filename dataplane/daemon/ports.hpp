// Opens the YAML's ports as DPDK ethdevs: one RX queue per worker, one TX queue per
// worker, promiscuous (access and trunk ports carry customers' MACs).
#pragma once

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::dp {

struct PortSet {
	std::vector<uint16_t> dpdk_id;  // by the port's position in the YAML
	// The driver strips the outer VLAN tag (af_packet): see pkt/stripped_tag.hpp.
	std::vector<bool> strips_tags;
	// The MAC each device answers to: the port's `mac:`, else the device's own.
	std::vector<std::array<uint8_t, 6>> macs;
	// A bit per port whose driver sends chained mbufs (Pipeline::set_chain_ports).
	uint64_t chain_tx = 0;
};

// Returns an empty string, or what failed (naming the port).
std::string start_ports(const config::Config& cfg, rte_mempool* pool, uint16_t queues,
                        PortSet& ports);
void stop_ports(const PortSet& ports);

// The names of the ports whose link is down now, comma-separated; empty when all are up.
std::string ports_down(const config::Config& cfg, const PortSet& ports);

// The names of the ports whose driver cannot send chained mbufs, comma-separated: flood
// copies to them are whole frames.
std::string ports_without_chains(const config::Config& cfg, const PortSet& ports);

}  // namespace tsunagi::dp
