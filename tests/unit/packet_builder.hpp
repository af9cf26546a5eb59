// Builds frames for the unit tests and runs them through a pipeline, collecting what
// each port emits.
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/loader.hpp"
#include "common/config/values.hpp"
#include "control/compile/compiler.hpp"
#include "dataplane/pipeline/pipeline.hpp"

namespace tsunagi::test {

using Bytes = std::vector<uint8_t>;
using MacBytes = std::array<uint8_t, 6>;

MacBytes mac(const char* text);

// An untagged Ethernet frame carrying IPv4/UDP with `payload` bytes of data.
Bytes ipv4_udp_frame(const MacBytes& dst, const MacBytes& src, uint32_t src_ip, uint32_t dst_ip,
                     uint16_t sport, uint16_t dport, size_t payload = 18);

// Inserts tags after the MACs: {tpid, tci} pairs, outermost first.
Bytes with_tags(const Bytes& frame, std::vector<std::pair<uint16_t, uint16_t>> tags);

// Wraps `inner` in Ethernet/IPv4/UDP/VXLAN.
Bytes vxlan4(const MacBytes& dst, const MacBytes& src, const std::string& src_ip,
             const std::string& dst_ip, uint32_t vni, const Bytes& inner, uint8_t flags = 0x08);
Bytes vxlan6(const MacBytes& dst, const MacBytes& src, const std::string& src_ip,
             const std::string& dst_ip, uint32_t vni, const Bytes& inner);

uint16_t be16(const Bytes& b, size_t off);
uint32_t be32(const Bytes& b, size_t off);

struct Emitted {
	std::string port;
	Bytes bytes;
};

// A pipeline over a YAML config, as replay runs it.
class Harness {
public:
	explicit Harness(const std::string& yaml, size_t mac_capacity = 4096);
	~Harness();

	// Sends one frame in on `port` at time `now`; returns what came out, in order.
	std::vector<Emitted> send(const std::string& port, const Bytes& frame, uint32_t now = 100);
	uint64_t drops(dp::Drop reason) const { return counters_->drops[size_t(reason)]; }
	dp::WorkerCounters& counters() { return *counters_; }
	dp::MacTable& macs() { return macs_; }
	dp::Pipeline& pipeline() { return pipeline_; }
	const abi::TableView& tables() const { return tables_; }

private:
	class Sink;
	config::Config cfg_;
	compile::Image image_;
	abi::TableView tables_;
	dp::MacTable macs_;
	std::unique_ptr<dp::WorkerCounters> counters_;
	dp::Pipeline pipeline_;
	std::unique_ptr<Sink> sink_;
};

rte_mempool* test_pool();

}  // namespace tsunagi::test
