#include "bench/capture_writer.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace tsunagi::bench {

namespace {

template <class T>
void put(std::ofstream& out, T v)
{
	out.write(reinterpret_cast<const char*>(&v), sizeof(v));
}

}  // namespace

std::string write_pcap(const std::string& path, const std::vector<std::vector<uint8_t>>& frames)
{
	std::ofstream out(path, std::ios::binary | std::ios::trunc);
	if (!out) {
		return path + ": " + std::strerror(errno);
	}
	put<uint32_t>(out, 0xa1b2c3d4);  // native byte order, microseconds
	put<uint16_t>(out, 2);
	put<uint16_t>(out, 4);
	put<int32_t>(out, 0);
	put<uint32_t>(out, 0);
	put<uint32_t>(out, 65535);
	put<uint32_t>(out, 1);  // LINKTYPE_ETHERNET
	uint32_t usec = 0;
	for (const auto& f : frames) {
		put<uint32_t>(out, 0);
		put<uint32_t>(out, usec++);
		put<uint32_t>(out, uint32_t(f.size()));
		put<uint32_t>(out, uint32_t(f.size()));
		out.write(reinterpret_cast<const char*>(f.data()), std::streamsize(f.size()));
	}
	out.close();
	return out ? std::string() : path + ": write failed";
}

}  // namespace tsunagi::bench
