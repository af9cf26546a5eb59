// Starting DPDK's EAL for processes that need mbufs and mempools, with or without
// hugepages: a fresh machine has none reserved, and tests must not depend on them.
#pragma once

#include <rte_mempool.h>

#include <string>
#include <vector>

namespace tsunagi::dp {

struct EalOptions {
	std::string lcores = "0";  // a CPU list for -l, or lcore@cpu pairs for --lcores
	unsigned memory_mb = 256;
	bool huge = false;  // use hugepages (they must be reserved and mounted)
	std::string file_prefix;
	std::vector<std::string> vdevs;
	std::vector<std::string> extra;
	std::string log_level = "error";
	bool no_pci = true;
};

// True when at least one hugepage is free in the default size.
bool hugepages_available();

// Initialises the EAL once per process; returns an empty string or why it failed.
std::string eal_init(const EalOptions& opts);

// Releases the EAL and the runtime directory it made for this process's file prefix
// (/var/run/dpdk/PREFIX), which DPDK 22.11 leaves behind even when it put nothing in it.
void eal_cleanup();

// A packet pool whose buffers hold a whole jumbo frame plus room for VXLAN headers.
rte_mempool* make_packet_pool(const char* name, unsigned count, bool jumbo);

}  // namespace tsunagi::dp
