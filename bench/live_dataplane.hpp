// The real tsunagi-dataplane as a child of tsunagi-bench-live: its YAML (the scale
// config's node and ports, each port on a DPDK vdev), the process in a network namespace of
// its own (its punt TAPs then meet no other node's, and no kernel traffic reaches them), and
// its end on every path out of the bench.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::bench {

// The dataplane's configuration: `cfg`'s node and ports (same names, order, roles and
// addresses, so port indexes and MACs agree with the tables), `devices[i]` as port i's
// DPDK device, one lcore on `cpu`.
std::string dataplane_yaml(const config::Config& cfg, const std::string& runtime_dir,
                           const std::vector<std::string>& devices, unsigned cpu);

class ChildDataplane {
public:
	ChildDataplane() = default;
	ChildDataplane(const ChildDataplane&) = delete;
	ChildDataplane& operator=(const ChildDataplane&) = delete;
	~ChildDataplane() { stop(); }

	// Starts `binary` with `args`, its output appended to `log_path`; false with `error`.
	bool start(const std::string& binary, const std::vector<std::string>& args,
	           const std::string& log_path, std::string& error);
	// False once the process has exited (then exit_status() says how).
	bool running();
	std::string exit_status() const;
	// SIGTERM, then SIGKILL after `grace_ms`; true when it exited cleanly on SIGTERM.
	bool stop(unsigned grace_ms = 10000);

private:
	pid_t pid_ = -1;
	int status_ = 0;
};

}  // namespace tsunagi::bench
