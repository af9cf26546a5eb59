// tsunagid's end of the dataplane's command socket (command_channel.hpp). Each call is one
// short connection; it waits a bounded time, since the dataplane answers from its control
// loop within milliseconds or is not running.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/shm/command_channel.hpp"

namespace tsunagi::shm {

struct MacDump {
	uint32_t now_s = 0;  // the workers' clock, for ages
	uint32_t workers = 0;
	std::vector<MacRecord> records;
};

// Every worker's MAC entries of `tenant` (abi::kAllTenants: all).
std::optional<MacDump> dump_macs(const std::string& runtime_dir, uint32_t tenant,
                                 std::string& error);

// Clears the dynamic entries of `tenant` (or all) in every worker; returns how many.
std::optional<uint64_t> clear_macs(const std::string& runtime_dir, uint32_t tenant,
                                   std::string& error);

// Runs `frame` through a copy of the pipeline as if it arrived on port `port` (its position
// in the YAML); returns the verdict as JSON (Command::trace).
std::optional<std::string> trace(const std::string& runtime_dir, uint16_t port,
                                 const std::string& frame, std::string& error);

}  // namespace tsunagi::shm
