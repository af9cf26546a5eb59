// tsunagid's log: one line per event on standard error (the journal, under systemd).
#pragma once

#include <cstdio>
#include <string>

namespace tsunagi::control {

inline void log(const std::string& line)
{
	std::fprintf(stderr, "tsunagid: %s\n", line.c_str());
}

}  // namespace tsunagi::control
