// The dataplane's log line and clock, shared by its components.
#pragma once

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace tsunagi::dp {

inline void log(const std::string& s)
{
	std::fprintf(stderr, "tsunagi-dataplane: %s\n", s.c_str());
}

inline uint64_t monotonic_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

}  // namespace tsunagi::dp
