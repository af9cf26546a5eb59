// Captures in and out of tsunagi-replay (libpcap: reads pcap and pcapng, writes pcap).
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tsunagi::replay {

struct InputPacket {
	uint64_t ts_ns;
	uint32_t input;  // position of its --in option: breaks timestamp ties
	uint64_t seq;    // position in its file
	uint16_t port;
	std::vector<uint8_t> bytes;
};

// Reads every packet of `path`; on failure returns false with `error` set.
bool read_capture(const std::string& path, uint32_t input, uint16_t port,
                  std::vector<InputPacket>& out, std::string& error);

// Sorts packets into the order DESIGN.md §5 gives: timestamp, then --in order, then file order.
void order_packets(std::vector<InputPacket>& pkts);

// One pcap file per port, created when the port first emits.
class CaptureWriter {
public:
	explicit CaptureWriter(std::string dir) : dir_(std::move(dir)) {}
	~CaptureWriter();
	CaptureWriter(const CaptureWriter&) = delete;
	CaptureWriter& operator=(const CaptureWriter&) = delete;

	bool write(const std::string& port, uint64_t ts_ns, const uint8_t* data, uint32_t len,
	           std::string& error);

private:
	std::string dir_;
	pcap_t* dead_ = nullptr;
	std::map<std::string, pcap_dumper_t*> files_;
};

}  // namespace tsunagi::replay
