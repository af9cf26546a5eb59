// Packets the pipeline emits, gathered per port so they leave in bursts.
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <cstdint>

#include "common/abi/counters.hpp"
#include "common/abi/tables.hpp"

namespace tsunagi::dp {

// Takes ownership of the packets handed to it: the live dataplane transmits them (and
// frees what the queue refuses), replay writes them to a capture.
class TxSink {
public:
	virtual ~TxSink() = default;
	virtual void send(uint16_t port, rte_mbuf** pkts, uint16_t n) = 0;
	// Frames for the node itself that arrived on `port`, for the kernel's side of it.
	virtual void punt(uint16_t, rte_mbuf** pkts, uint16_t n) { rte_pktmbuf_free_bulk(pkts, n); }
};

// Counts what it hands over per port in `counters` (a sink that refuses frames takes
// them back out), a burst at a time rather than per frame.
class TxBuffers {
public:
	static constexpr uint16_t kBurst = 32;

	TxBuffers(TxSink& sink, WorkerCounters& counters) : sink_(&sink), ctr_(&counters)
	{
		counts_.fill(0);
	}

	// `bytes`: the frame's length, which the caller has at hand.
	void push(uint16_t port, rte_mbuf* m, uint32_t bytes)
	{
		uint16_t& n = counts_[port];
		if (n == 0) {
			pending_ |= uint64_t{1} << port;
		}
		pkts_[port][n++] = m;
		bytes_[port] += bytes;
		if (n == kBurst) {
			flush(port);
		}
	}
	void push(uint16_t port, rte_mbuf* m) { push(port, m, rte_pktmbuf_pkt_len(m)); }

	void push_punt(uint16_t port, rte_mbuf* m)
	{
		// Punts are rare (ARP, ND, ICMP to the node): handed over one by one.
		sink_->punt(port, &m, 1);
	}

	void flush(uint16_t port)
	{
		const uint16_t n = counts_[port];
		if (n != 0) {
			TrafficCounters& c = ctr_->ports[port];
			c.tx_packets += n;
			c.tx_bytes += bytes_[port];
			bytes_[port] = 0;
			counts_[port] = 0;
			sink_->send(port, pkts_[port].data(), n);
		}
	}

	void flush_all()
	{
		for (uint64_t left = pending_; left != 0; left &= left - 1) {
			flush(uint16_t(__builtin_ctzll(left)));
		}
		pending_ = 0;
	}

private:
	static_assert(abi::kMaxPorts <= 64, "pending_ has a bit per port");
	TxSink* sink_;
	WorkerCounters* ctr_;
	uint64_t pending_ = 0;  // ports that took packets since the last flush_all
	std::array<uint16_t, abi::kMaxPorts> counts_;
	std::array<uint64_t, abi::kMaxPorts> bytes_{};
	std::array<std::array<rte_mbuf*, kBurst>, abi::kMaxPorts> pkts_;
};

}  // namespace tsunagi::dp
