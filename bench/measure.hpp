// The measurement: net_pcap (infinite_rx) → pipeline on one worker lcore → net_null.
// The worker counts cycles the way testpmd's --record-core-cycles does (from before an
// RX burst that brought packets to after its TX), so cycles/packet compare directly.
#pragma once

#include <rte_mempool.h>

#include <cstdint>
#include <string>

#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::bench {

struct DpdkPorts {
	uint16_t gen = 0;   // net_pcap0: every frame enters here
	uint16_t sink = 0;  // net_null0: every tsunagi port leaves here
};

// Configures and starts both vdev ports with one queue each; empty string or why not.
std::string start_ports(rte_mempool* pool, DpdkPorts& ports);

struct Measurement {
	double seconds = 0;
	uint64_t rx = 0;           // packets received in the window
	uint64_t tx = 0;           // packets handed to net_null and accepted
	uint64_t tx_refused = 0;   // refused by the sink queue (freed)
	uint64_t busy_cycles = 0;  // cycles of bursts that brought packets
	uint64_t tsc_hz = 0;
	double mpps() const { return seconds > 0 ? double(tx) / seconds / 1e6 : 0; }
	double cycles_per_packet() const { return rx ? double(busy_cycles) / double(rx) : 0; }
};

// Runs the loop on the first worker lcore for `warmup` + `seconds`, measuring the last
// `seconds`. `now0` is the time (seconds) the MACs were learned at.
Measurement measure(dp::Pipeline& pipeline, uint16_t in_port, const DpdkPorts& ports, double warmup,
                    double seconds, uint32_t now0);

}  // namespace tsunagi::bench
