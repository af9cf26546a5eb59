#include "tests/unit/packet_builder.hpp"

#include <arpa/inet.h>

#include <rte_ip.h>

#include <cstring>
#include <stdexcept>

#include "dataplane/pkt/flow_hash.hpp"
#include "dataplane/runtime/eal_setup.hpp"

namespace tsunagi::test {

using pkt::store_be16;

MacBytes mac(const char* text)
{
	auto m = config::parse_mac(text);
	if (!m) {
		throw std::invalid_argument(text);
	}
	return m->bytes;
}

uint16_t be16(const Bytes& b, size_t off)
{
	return pkt::load_be16(b.data() + off);
}
uint32_t be32(const Bytes& b, size_t off)
{
	return (uint32_t{be16(b, off)} << 16) | be16(b, off + 2);
}

Bytes ipv4_udp_frame(const MacBytes& dst, const MacBytes& src, uint32_t src_ip, uint32_t dst_ip,
                     uint16_t sport, uint16_t dport, size_t payload)
{
	Bytes f(14 + 20 + 8 + payload, 0);
	std::memcpy(f.data(), dst.data(), 6);
	std::memcpy(f.data() + 6, src.data(), 6);
	store_be16(f.data() + 12, 0x0800);
	uint8_t* ip = f.data() + 14;
	ip[0] = 0x45;
	store_be16(ip + 2, uint16_t(20 + 8 + payload));
	ip[8] = 64;
	ip[9] = 17;
	const uint32_t s = htonl(src_ip), d = htonl(dst_ip);
	std::memcpy(ip + 12, &s, 4);
	std::memcpy(ip + 16, &d, 4);
	const uint16_t ck = rte_ipv4_cksum(reinterpret_cast<rte_ipv4_hdr*>(ip));
	std::memcpy(ip + 10, &ck, 2);
	store_be16(ip + 20, sport);
	store_be16(ip + 22, dport);
	store_be16(ip + 24, uint16_t(8 + payload));
	for (size_t i = 0; i < payload; ++i) {
		f[42 + i] = uint8_t(i);
	}
	return f;
}

Bytes with_tags(const Bytes& frame, std::vector<std::pair<uint16_t, uint16_t>> tags)
{
	Bytes out(frame.begin(), frame.begin() + 12);
	for (auto [tpid, tci] : tags) {
		out.push_back(uint8_t(tpid >> 8));
		out.push_back(uint8_t(tpid));
		out.push_back(uint8_t(tci >> 8));
		out.push_back(uint8_t(tci));
	}
	out.insert(out.end(), frame.begin() + 12, frame.end());
	return out;
}

namespace {

Bytes vxlan_common(const MacBytes& dst, const MacBytes& src, uint16_t type, size_t ip_len,
                   uint32_t vni, const Bytes& inner, uint8_t flags)
{
	Bytes f(14 + ip_len + 16, 0);
	std::memcpy(f.data(), dst.data(), 6);
	std::memcpy(f.data() + 6, src.data(), 6);
	store_be16(f.data() + 12, type);
	uint8_t* udp = f.data() + 14 + ip_len;
	store_be16(udp, 50000);
	store_be16(udp + 2, 4789);
	store_be16(udp + 4, uint16_t(16 + inner.size()));
	udp[8] = flags;
	udp[12] = uint8_t(vni >> 16);
	udp[13] = uint8_t(vni >> 8);
	udp[14] = uint8_t(vni);
	f.insert(f.end(), inner.begin(), inner.end());
	return f;
}

}  // namespace

Bytes vxlan4(const MacBytes& dst, const MacBytes& src, const std::string& src_ip,
             const std::string& dst_ip, uint32_t vni, const Bytes& inner, uint8_t flags)
{
	Bytes f = vxlan_common(dst, src, 0x0800, 20, vni, inner, flags);
	uint8_t* ip = f.data() + 14;
	ip[0] = 0x45;
	store_be16(ip + 2, uint16_t(20 + 16 + inner.size()));
	ip[8] = 64;
	ip[9] = 17;
	inet_pton(AF_INET, src_ip.c_str(), ip + 12);
	inet_pton(AF_INET, dst_ip.c_str(), ip + 16);
	const uint16_t ck = rte_ipv4_cksum(reinterpret_cast<rte_ipv4_hdr*>(ip));
	std::memcpy(ip + 10, &ck, 2);
	return f;
}

Bytes vxlan6(const MacBytes& dst, const MacBytes& src, const std::string& src_ip,
             const std::string& dst_ip, uint32_t vni, const Bytes& inner)
{
	Bytes f = vxlan_common(dst, src, 0x86dd, 40, vni, inner, 0x08);
	uint8_t* ip = f.data() + 14;
	ip[0] = 0x60;
	store_be16(ip + 4, uint16_t(16 + inner.size()));
	ip[6] = 17;
	ip[7] = 64;
	inet_pton(AF_INET6, src_ip.c_str(), ip + 8);
	inet_pton(AF_INET6, dst_ip.c_str(), ip + 24);
	return f;
}

rte_mempool* test_pool()
{
	static rte_mempool* pool = dp::make_packet_pool("unit-tests", 2047, true);
	return pool;
}

class Harness::Sink final : public dp::TxSink {
public:
	explicit Sink(const abi::TableView& t) : t_(t) {}
	std::vector<Emitted> out;
	void send(uint16_t port, rte_mbuf** pkts, uint16_t n) override
	{
		for (uint16_t i = 0; i < n; ++i) {
			Bytes b(rte_pktmbuf_pkt_len(pkts[i]));
			const auto* p = static_cast<const uint8_t*>(
			    rte_pktmbuf_read(pkts[i], 0, uint32_t(b.size()), b.data()));
			if (p != b.data()) {
				std::memcpy(b.data(), p, b.size());
			}
			out.push_back({std::string(t_.name(t_.ports[port].name)), std::move(b)});
			rte_pktmbuf_free(pkts[i]);
		}
	}

private:
	const abi::TableView& t_;
};

namespace {

config::Config load_or_throw(const std::string& yaml)
{
	auto r = config::load_string(yaml, "test.yaml");
	if (!r.config) {
		std::string all;
		for (const auto& e : r.errors) {
			all += e.to_string() + "\n";
		}
		throw std::runtime_error("test config invalid:\n" + all);
	}
	return *r.config;
}

}  // namespace

Harness::Harness(const std::string& yaml, size_t mac_capacity)
    : cfg_(load_or_throw(yaml)),
      image_(compile::compile(cfg_, 1)),
      tables_(image_.data()),
      macs_(mac_capacity),
      counters_(std::make_unique<dp::WorkerCounters>()),
      pipeline_(macs_, *counters_, test_pool()),
      sink_(std::make_unique<Sink>(tables_))
{
	if (auto why = abi::TableView::check(image_.data(), image_.size()); !why.empty()) {
		throw std::runtime_error(why);
	}
	pipeline_.use_tables(tables_);
}

Harness::~Harness() = default;

std::vector<Emitted> Harness::send(const std::string& port, const Bytes& frame, uint32_t now)
{
	rte_mbuf* m = rte_pktmbuf_alloc(test_pool());
	if (m == nullptr) {
		throw std::runtime_error("test pool exhausted");
	}
	std::memcpy(rte_pktmbuf_append(m, uint16_t(frame.size())), frame.data(), frame.size());
	dp::TxBuffers tx(*sink_, *counters_);
	const uint16_t idx = tables_.port_by_name(port);
	if (idx == abi::kNoPort) {
		throw std::invalid_argument("no port " + port);
	}
	sink_->out.clear();
	pipeline_.run(idx, &m, 1, now, tx);
	tx.flush_all();
	return std::move(sink_->out);
}

}  // namespace tsunagi::test
