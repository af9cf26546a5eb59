#include "dataplane/daemon/trace_runner.hpp"

#include <rte_mbuf.h>

#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "common/pkt/format.hpp"

namespace tsunagi::dp {

namespace {

// The frames the pipeline hands over, kept instead of sent.
class CaptureSink final : public TxSink {
public:
	struct Out {
		uint16_t port;
		bool punt;
		std::string bytes;
	};
	std::vector<Out> out;

	void send(uint16_t port, rte_mbuf** pkts, uint16_t n) override
	{
		keep(port, false, pkts, n);
	}
	void punt(uint16_t port, rte_mbuf** pkts, uint16_t n) override
	{
		keep(port, true, pkts, n);
	}

private:
	void keep(uint16_t port, bool punt, rte_mbuf** pkts, uint16_t n)
	{
		for (uint16_t i = 0; i < n; ++i) {
			std::string b(rte_pktmbuf_pkt_len(pkts[i]), '\0');
			const void* p = rte_pktmbuf_read(pkts[i], 0, uint32_t(b.size()), b.data());
			if (p != nullptr && p != b.data()) {
				std::memcpy(b.data(), p, b.size());
			}
			out.push_back({port, punt, std::move(b)});
		}
		rte_pktmbuf_free_bulk(pkts, n);
	}
};

std::string hex(const std::string& b)
{
	static const char* d = "0123456789abcdef";
	std::string s;
	for (unsigned char c : b) {
		s += d[c >> 4];
		s += d[c & 15];
	}
	return s;
}

// The MACs a worker's table may hold for this frame: its own, and for VXLAN the inner
// frame's (the one the pipeline learns and looks up).
std::set<uint64_t> frame_macs(const uint8_t* f, uint32_t len)
{
	std::set<uint64_t> macs;
	auto add = [&](const uint8_t* m) {
		uint64_t v = 0;
		for (int i = 0; i < 6; ++i) {
			v = v << 8 | m[i];
		}
		macs.insert(v);
	};
	if (len < pkt::kEthLen) {
		return macs;
	}
	add(f);
	add(f + 6);
	uint32_t off = pkt::kMacsLen;
	uint16_t type = pkt::load_be16(f + off);
	while ((type == pkt::kTpidCtag || type == pkt::kTpidStag) && off + 6 <= len) {
		off += pkt::kTagLen;
		type = pkt::load_be16(f + off);
	}
	off += 2;
	uint32_t l4 = 0;
	if (type == pkt::kEtherIpv4 && off + pkt::kIpv4Len <= len &&
	    f[off + 9] == pkt::kIpProtoUdp) {
		l4 = off + uint32_t(f[off] & 0x0f) * 4;
	} else if (type == pkt::kEtherIpv6 && off + pkt::kIpv6Len <= len &&
	           f[off + 6] == pkt::kIpProtoUdp) {
		l4 = off + pkt::kIpv6Len;
	}
	const uint32_t inner = l4 + pkt::kUdpLen + pkt::kVxlanLen;
	if (l4 != 0 && inner + 12 <= len && pkt::load_be16(f + l4 + 2) == pkt::kVxlanPort) {
		add(f + inner);
		add(f + inner + 6);
	}
	return macs;
}

}  // namespace

TraceRunner::TraceRunner(const std::vector<std::unique_ptr<Worker>>& workers,
                         const WorkerShared& shared, const MacTable& node_macs, rte_mempool* pool)
    : workers_(workers),
      shared_(shared),
      node_macs_(node_macs),
      pool_(pool),
      macs_(4096),
      counters_(std::make_unique<WorkerCounters>()),
      pipeline_(macs_, *counters_, pool)
{
}

std::string TraceRunner::run(uint16_t port, const uint8_t* frame, uint32_t len, std::string& error)
{
	// The control thread retires generations, so the one in use stays while it traces.
	const Generation* g = shared_.current.load(std::memory_order_acquire);
	if (g == nullptr) {
		error = "no tables yet";
		return {};
	}
	if (port >= g->view.ports.size) {
		error = "no port " + std::to_string(port);
		return {};
	}
	rte_mbuf* m = rte_pktmbuf_alloc(pool_);
	if (m == nullptr || rte_pktmbuf_append(m, uint16_t(len)) == nullptr) {
		rte_pktmbuf_free(m);
		error = "no packet buffer for the frame";
		return {};
	}
	std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), frame, len);
	m->port = port;

	// Statics stay: use_tables brings them in step with the generation.
	macs_.remove_if([](const MacTable::Entry& e) { return !abi::from_tables(e.seen); });
	*counters_ = WorkerCounters{};
	// The previous trace's tables may have been unmapped since: never read them.
	pipeline_.forget_tables();
	pipeline_.use_tables(g->view);
	// The node's entries for the frame's MACs, as the worker that got the frame would find
	// them (its statics came with use_tables).
	const auto wanted = frame_macs(frame, len);
	size_t copied = 0;
	for (size_t i = 0; i < node_macs_.capacity(); ++i) {
		MacTable::Entry e;
		if (MacTable::snapshot(node_macs_.slots()[i], e) && !abi::from_tables(e.seen) &&
		    wanted.count(e.key & 0xffff'ffff'ffffull) != 0) {
			macs_.learn(e.key, e.member, e.seen, 0, ~0u);
			++copied;
		}
	}
	pipeline_.copy_neighbors(workers_.front()->pipeline());

	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	CaptureSink sink;
	TxBuffers tx(sink, *counters_);
	pipeline_.run(port, &m, 1, uint32_t(ts.tv_sec), tx);
	tx.flush_all();

	const WorkerCounters& c = *counters_;
	nlohmann::ordered_json j;
	j["port"] = port;
	j["length"] = len;
	j["generation"] = g->mapping.generation;
	j["macEntriesCopied"] = copied;
	j["tenant"] = nullptr;
	for (uint64_t t = 0; t < g->view.tenants.size && t <= abi::kMaxTenants; ++t) {
		if (c.tenants[t].rx_packets != 0) {
			j["tenant"] = t;
			break;
		}
	}
	j["mac"] = {
	    {"learned", c.mac.learned}, {"moved", c.mac.moved}, {"tableFull", c.mac.table_full}};
	auto drops = nlohmann::ordered_json::object();
	for (size_t r = 0; r < kDropCount; ++r) {
		if (c.drops[r] != 0) {
			drops[std::string(kDropNames[r])] = c.drops[r];
		}
	}
	j["drops"] = drops;
	auto outs = nlohmann::ordered_json::array();
	for (const auto& o : sink.out) {
		outs.push_back({{"port", o.port}, {"punt", o.punt}, {"frame", hex(o.bytes)}});
	}
	j["outputs"] = outs;
	return j.dump();
}

}  // namespace tsunagi::dp
