// Writes frames as a classic pcap file (microsecond stamps, Ethernet link type), the
// input net_pcap's rx_pcap replays.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tsunagi::bench {

// Returns an empty string or why the file could not be written.
std::string write_pcap(const std::string& path, const std::vector<std::vector<uint8_t>>& frames);

}  // namespace tsunagi::bench
