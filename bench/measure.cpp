#include "bench/measure.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <atomic>
#include <chrono>
#include <memory>
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

// Every tsunagi egress port maps to the worker's queue of the one net_null port.
class NullSink final : public dp::TxSink {
public:
	NullSink(uint16_t port, uint16_t queue) : port_(port), queue_(queue) {}
	uint64_t tx = 0;
	uint64_t refused = 0;

	void send(uint16_t, rte_mbuf** pkts, uint16_t n) override
	{
		const uint16_t sent = rte_eth_tx_burst(port_, queue_, pkts, n);
		tx += sent;
		if (sent < n) {
			refused += n - sent;
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		}
	}

private:
	uint16_t port_;
	uint16_t queue_;
};

// One per worker lcore, on its own cache lines so the workers never share one.
struct alignas(64) Worker {
	dp::Pipeline* pipeline = nullptr;
	uint16_t in_port = 0;
	uint16_t gen = 0;
	uint16_t sink = 0;
	uint16_t queue = 0;
	uint32_t now0 = 0;
	std::atomic<bool>* stop = nullptr;
	Stats stats;
};

int worker_main(void* arg)
{
	Worker& w = *static_cast<Worker*>(arg);
	NullSink sink(w.sink, w.queue);
	dp::TxBuffers tx(sink, w.pipeline->counters());
	rte_mbuf* pkts[kBurst];
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t t0 = rte_rdtsc();
	uint64_t rx = 0, busy = 0;
	while (!w.stop->load(std::memory_order_relaxed)) {
		const uint64_t start = rte_rdtsc();
		const uint16_t n = rte_eth_rx_burst(w.gen, w.queue, pkts, kBurst);
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
	uint64_t tsc = 0, rx = 0, tx = 0, refused = 0, busy = 0;
};

Snap snap(const std::vector<std::unique_ptr<Worker>>& workers)
{
	Snap s;
	s.tsc = rte_rdtsc();
	for (const auto& w : workers) {
		s.rx += w->stats.rx.load(std::memory_order_relaxed);
		s.tx += w->stats.tx.load(std::memory_order_relaxed);
		s.refused += w->stats.tx_refused.load(std::memory_order_relaxed);
		s.busy += w->stats.busy.load(std::memory_order_relaxed);
	}
	return s;
}

std::string start_port(uint16_t port, uint16_t queues, rte_mempool* pool)
{
	rte_eth_conf conf{};
	if (rte_eth_dev_configure(port, queues, queues, &conf) != 0) {
		return "cannot configure port " + std::to_string(port) + " with " +
		       std::to_string(queues) + " queues";
	}
	const int socket = rte_eth_dev_socket_id(port);
	for (uint16_t q = 0; q < queues; ++q) {
		if (rte_eth_rx_queue_setup(port, q, 1024, socket, nullptr, pool) != 0 ||
		    rte_eth_tx_queue_setup(port, q, 1024, socket, nullptr) != 0) {
			return "cannot set up queue " + std::to_string(q) + " of port " +
			       std::to_string(port);
		}
	}
	if (rte_eth_dev_start(port) != 0) {
		return "cannot start port " + std::to_string(port);
	}
	return {};
}

}  // namespace

std::string start_ports(rte_mempool* pool, size_t generators, uint16_t queues, DpdkPorts& ports)
{
	ports.gens.resize(generators);
	for (size_t i = 0; i < generators; ++i) {
		const std::string name = "net_pcap" + std::to_string(i);
		if (rte_eth_dev_get_port_by_name(name.c_str(), &ports.gens[i]) != 0) {
			return name + " missing (is the PMD installed?)";
		}
		if (auto e = start_port(ports.gens[i], queues, pool); !e.empty()) {
			return e;
		}
	}
	if (rte_eth_dev_get_port_by_name("net_null0", &ports.sink) != 0) {
		return "net_null0 missing (is the PMD installed?)";
	}
	return start_port(ports.sink, queues, pool);
}

Measurement measure(const std::vector<dp::Pipeline*>& pipelines, uint16_t in_port, uint16_t gen,
                    uint16_t sink, double warmup, double seconds, uint32_t now0)
{
	std::atomic<bool> stop{false};
	std::vector<std::unique_ptr<Worker>> workers;
	std::vector<unsigned> lcores;
	Measurement m;
	m.tsc_hz = rte_get_tsc_hz();
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);
	for (size_t i = 0; i < pipelines.size(); ++i, lcore = rte_get_next_lcore(lcore, 1, 0)) {
		auto w = std::make_unique<Worker>();
		w->pipeline = pipelines[i];
		w->in_port = in_port;
		w->gen = gen;
		w->sink = sink;
		w->queue = uint16_t(i);
		w->now0 = now0;
		w->stop = &stop;
		if (lcore >= RTE_MAX_LCORE ||
		    rte_eal_remote_launch(worker_main, w.get(), lcore) != 0) {
			stop.store(true);
			for (const unsigned l : lcores) {
				rte_eal_wait_lcore(l);
			}
			return m;
		}
		lcores.push_back(lcore);
		workers.push_back(std::move(w));
	}
	std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
	const Snap a = snap(workers);
	std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
	const Snap b = snap(workers);
	stop.store(true);
	for (const unsigned l : lcores) {
		rte_eal_wait_lcore(l);
	}
	m.seconds = double(b.tsc - a.tsc) / double(m.tsc_hz);
	m.rx = b.rx - a.rx;
	m.rx_all = snap(workers).rx;
	m.tx = b.tx - a.tx;
	m.tx_refused = b.refused - a.refused;
	m.busy_cycles = b.busy - a.busy;
	return m;
}

}  // namespace tsunagi::bench
