// Packets the pipeline emits, gathered per port so they leave in bursts.
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <cstdint>

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

class TxBuffers {
public:
	static constexpr uint16_t kBurst = 32;

	explicit TxBuffers(TxSink& sink) : sink_(&sink) { counts_.fill(0); }

	void push(uint16_t port, rte_mbuf* m)
	{
		uint16_t& n = counts_[port];
		pkts_[port][n++] = m;
		pending_ |= uint64_t{1} << port;
		if (n == kBurst) {
			flush(port);
		}
	}

	void push_punt(uint16_t port, rte_mbuf* m)
	{
		// Punts are rare (ARP, ND, ICMP to the node): handed over one by one.
		sink_->punt(port, &m, 1);
	}

	void flush(uint16_t port)
	{
		if (counts_[port] != 0) {
			sink_->send(port, pkts_[port].data(), counts_[port]);
			counts_[port] = 0;
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
	uint64_t pending_ = 0;  // ports holding packets
	std::array<uint16_t, abi::kMaxPorts> counts_;
	std::array<std::array<rte_mbuf*, kBurst>, abi::kMaxPorts> pkts_;
};

}  // namespace tsunagi::dp
