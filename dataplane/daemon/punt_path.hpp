// The punt path (DESIGN.md §1): one kernel TAP interface per L3 port, carrying the port's
// MAC and addresses, so the kernel answers ARP, ND and ICMP for the node and FRR can
// speak BGP through the dataplane's ports. Workers hand punted frames to the control
// thread through a ring; the control thread writes them to the TAP, reads what the kernel
// sends, and hands that to worker 0 to transmit on the port.
//
// An Option-A sub-interface (port, VLAN) gets a TAP of its own (shm::subif_interface):
// workers punt its frames tagged, the control thread writes them to that TAP untagged, and
// what the kernel sends there leaves the port tagged. tsunagid moves these TAPs into their
// VRFs' network namespaces (docs/frr.md); the file descriptor stays the dataplane's.
#pragma once

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <string>
#include <vector>

#include "common/abi/counters.hpp"
#include "common/config/model.hpp"

namespace tsunagi::dp {

class PuntPath {
public:
	PuntPath() = default;
	~PuntPath();
	PuntPath(const PuntPath&) = delete;
	PuntPath& operator=(const PuntPath&) = delete;

	// Creates the TAPs of the config's underlay and interconnect ports and Option-A
	// sub-interfaces. Returns an empty string or what failed.
	std::string open(const config::Config& cfg, rte_mempool* pool);

	// Worker side: queue frames for the kernel (a sub-interface's still tagged); returns
	// how many were refused (ring full), which the caller frees and counts.
	uint16_t to_kernel(uint16_t port, rte_mbuf** pkts, uint16_t n);

	// Worker 0: frames the kernel sent, with mbuf->port set to the YAML port index.
	uint16_t from_kernel(rte_mbuf** pkts, uint16_t n);

	// Control thread: moves frames both ways; cheap when there is nothing to do.
	void service();

	// The kernel interface of a port, or "" when it has none.
	std::string interface(uint16_t port) const;

private:
	struct Tap {
		uint16_t port;
		uint16_t vlan;  // 0: the port's own
		int fd;
		std::string name;
	};
	std::string create(uint16_t port, uint16_t vlan, const std::string& name);
	int subif_fd(uint16_t port, uint16_t vlan) const;
	std::vector<Tap> taps_;
	std::vector<int> fd_by_port_;
	rte_ring* to_kernel_ = nullptr;
	rte_ring* to_wire_ = nullptr;
	rte_mempool* pool_ = nullptr;
};

}  // namespace tsunagi::dp
