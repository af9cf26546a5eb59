#include "tools/replay/pcap_io.hpp"

#include <algorithm>
#include <tuple>

namespace tsunagi::replay {

bool read_capture(const std::string& path, uint32_t input, uint16_t port,
                  std::vector<InputPacket>& out, std::string& error)
{
	char errbuf[PCAP_ERRBUF_SIZE] = {};
	pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(),
	                                                    PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == nullptr) {
		error = path + ": " + errbuf;
		return false;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		error = path + ": not an Ethernet capture (link type " +
		        std::to_string(pcap_datalink(p)) + ")";
		pcap_close(p);
		return false;
	}
	pcap_pkthdr* h = nullptr;
	const u_char* data = nullptr;
	uint64_t seq = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		const uint64_t ts =
		    uint64_t(h->ts.tv_sec) * 1'000'000'000ull + uint64_t(h->ts.tv_usec);
		out.push_back(InputPacket{ts, input, seq++, port,
		                          std::vector<uint8_t>(data, data + h->caplen)});
	}
	if (rc == -1) {
		error = path + ": " + pcap_geterr(p);
		pcap_close(p);
		return false;
	}
	pcap_close(p);
	return true;
}

void order_packets(std::vector<InputPacket>& pkts)
{
	std::stable_sort(pkts.begin(), pkts.end(), [](const InputPacket& a, const InputPacket& b) {
		return std::tie(a.ts_ns, a.input, a.seq) < std::tie(b.ts_ns, b.input, b.seq);
	});
}

CaptureWriter::~CaptureWriter()
{
	for (auto& [name, d] : files_) {
		pcap_dump_close(d);
	}
	if (dead_ != nullptr) {
		pcap_close(dead_);
	}
}

bool CaptureWriter::write(const std::string& port, uint64_t ts_ns, const uint8_t* data,
                          uint32_t len, std::string& error)
{
	if (dead_ == nullptr) {
		dead_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144,
		                                             PCAP_TSTAMP_PRECISION_NANO);
	}
	auto it = files_.find(port);
	if (it == files_.end()) {
		const std::string path = dir_ + "/" + port + ".pcap";
		pcap_dumper_t* d = pcap_dump_open(dead_, path.c_str());
		if (d == nullptr) {
			error = path + ": " + pcap_geterr(dead_);
			return false;
		}
		it = files_.emplace(port, d).first;
	}
	pcap_pkthdr h{};
	h.ts.tv_sec = time_t(ts_ns / 1'000'000'000ull);
	h.ts.tv_usec = suseconds_t(ts_ns % 1'000'000'000ull);
	h.caplen = len;
	h.len = len;
	pcap_dump(reinterpret_cast<u_char*>(it->second), &h, data);
	return true;
}

}  // namespace tsunagi::replay
