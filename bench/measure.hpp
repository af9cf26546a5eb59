// The measurement: net_pcap (infinite_rx) → pipeline on N worker lcores → net_null.
// Each worker polls its own queue of the generator and sends on its own queue of the sink,
// as a dataplane worker does with an RSS queue of a NIC. The workers count cycles the way
// testpmd's --record-core-cycles does (from before an RX burst that brought packets to
// after its TX), so cycles/packet compare directly.
#pragma once

#include <rte_mempool.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::bench {

struct DpdkPorts {
	std::vector<uint16_t> gens;  // net_pcap0…: one per frame length, every frame enters here
	uint16_t sink = 0;           // net_null0: every tsunagi port leaves here
};

// Configures and starts `generators` net_pcap ports and the net_null port with `queues`
// queues each; empty string or why not.
std::string start_ports(rte_mempool* pool, size_t generators, uint16_t queues, DpdkPorts& ports);

struct Measurement {
	double seconds = 0;
	uint64_t rx = 0;           // packets received in the window
	uint64_t rx_all = 0;       // packets received by the workers' loops, warm-up included
	uint64_t tx = 0;           // packets handed to net_null and accepted
	uint64_t tx_refused = 0;   // refused by the sink queue (freed)
	uint64_t busy_cycles = 0;  // cycles of bursts that brought packets, all workers
	uint64_t tsc_hz = 0;
	double mpps_in() const { return seconds > 0 ? double(rx) / seconds / 1e6 : 0; }
	double mpps_out() const { return seconds > 0 ? double(tx) / seconds / 1e6 : 0; }
	// Per worker core, like testpmd's figure for its one forwarding core.
	double cycles_per_packet() const { return rx ? double(busy_cycles) / double(rx) : 0; }
};

// Runs pipelines[i] on the i-th worker lcore, polling queue i of `gen`, for `warmup` +
// `seconds`, measuring the last `seconds`. `now0` is the time (seconds) the MACs were
// learned at.
Measurement measure(const std::vector<dp::Pipeline*>& pipelines, uint16_t in_port, uint16_t gen,
                    uint16_t sink, double warmup, double seconds, uint32_t now0);

}  // namespace tsunagi::bench
