#include "bench/measure.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace tsunagi::bench {

namespace {

constexpr uint16_t kBurst = 32;

struct alignas(64) Stats {
	std::atomic<uint64_t> rx{0};
	std::atomic<uint64_t> tx{0};
	std::atomic<uint64_t> tx_refused{0};
	std::atomic<uint64_t> busy{0};
};

// Every tsunagi egress port maps to the one net_null port.
class NullSink final : public dp::TxSink {
public:
	explicit NullSink(uint16_t port) : port_(port) {}
	uint64_t tx = 0;
	uint64_t refused = 0;

	void send(uint16_t, rte_mbuf** pkts, uint16_t n) override
	{
		const uint16_t sent = rte_eth_tx_burst(port_, 0, pkts, n);
		tx += sent;
		if (sent < n) {
			refused += n - sent;
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		}
	}

private:
	uint16_t port_;
};

struct Worker {
	dp::Pipeline* pipeline;
	uint16_t in_port;
	DpdkPorts ports;
	uint32_t now0;
	std::atomic<bool> stop{false};
	Stats stats;
};

int worker_main(void* arg)
{
	Worker& w = *static_cast<Worker*>(arg);
	NullSink sink(w.ports.sink);
	dp::TxBuffers tx(sink);
	rte_mbuf* pkts[kBurst];
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t t0 = rte_rdtsc();
	uint64_t rx = 0, busy = 0;
	while (!w.stop.load(std::memory_order_relaxed)) {
		const uint64_t start = rte_rdtsc();
		const uint16_t n = rte_eth_rx_burst(w.ports.gen, 0, pkts, kBurst);
		if (n == 0) {
			continue;
		}
		const auto now = uint32_t(w.now0 + (start - t0) / hz);
		w.pipeline->run(w.in_port, pkts, n, now, tx);
		tx.flush_all();
		busy += rte_rdtsc() - start;
		rx += n;
		w.stats.rx.store(rx, std::memory_order_relaxed);
		w.stats.busy.store(busy, std::memory_order_relaxed);
		w.stats.tx.store(sink.tx, std::memory_order_relaxed);
		w.stats.tx_refused.store(sink.refused, std::memory_order_relaxed);
	}
	return 0;
}

struct Snap {
	uint64_t tsc, rx, tx, refused, busy;
};

Snap snap(const Stats& s)
{
	return Snap{
	    rte_rdtsc(), s.rx.load(std::memory_order_relaxed), s.tx.load(std::memory_order_relaxed),
	    s.tx_refused.load(std::memory_order_relaxed), s.busy.load(std::memory_order_relaxed)};
}

std::string start_port(uint16_t port, rte_mempool* pool)
{
	rte_eth_conf conf{};
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0) {
		return "cannot configure port " + std::to_string(port);
	}
	const int socket = rte_eth_dev_socket_id(port);
	if (rte_eth_rx_queue_setup(port, 0, 1024, socket, nullptr, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 1024, socket, nullptr) != 0) {
		return "cannot set up the queues of port " + std::to_string(port);
	}
	if (rte_eth_dev_start(port) != 0) {
		return "cannot start port " + std::to_string(port);
	}
	return {};
}

}  // namespace

std::string start_ports(rte_mempool* pool, DpdkPorts& ports)
{
	if (rte_eth_dev_get_port_by_name("net_pcap0", &ports.gen) != 0 ||
	    rte_eth_dev_get_port_by_name("net_null0", &ports.sink) != 0) {
		return "net_pcap0 or net_null0 missing (are the PMDs installed?)";
	}
	if (auto e = start_port(ports.gen, pool); !e.empty()) {
		return e;
	}
	return start_port(ports.sink, pool);
}

Measurement measure(dp::Pipeline& pipeline, uint16_t in_port, const DpdkPorts& ports, double warmup,
                    double seconds, uint32_t now0)
{
	Worker w;
	w.pipeline = &pipeline;
	w.in_port = in_port;
	w.ports = ports;
	w.now0 = now0;
	const unsigned lcore = rte_get_next_lcore(-1, 1, 0);
	Measurement m;
	m.tsc_hz = rte_get_tsc_hz();
	if (lcore >= RTE_MAX_LCORE || rte_eal_remote_launch(worker_main, &w, lcore) != 0) {
		return m;
	}
	std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
	const Snap a = snap(w.stats);
	std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
	const Snap b = snap(w.stats);
	w.stop.store(true);
	rte_eal_wait_lcore(lcore);
	m.seconds = double(b.tsc - a.tsc) / double(m.tsc_hz);
	m.rx = b.rx - a.rx;
	m.tx = b.tx - a.tx;
	m.tx_refused = b.refused - a.refused;
	m.busy_cycles = b.busy - a.busy;
	return m;
}

}  // namespace tsunagi::bench
