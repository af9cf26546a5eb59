#include "dataplane/runtime/eal_setup.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tsunagi::dp {

bool hugepages_available()
{
	std::ifstream in("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");
	unsigned long n = 0;
	return static_cast<bool>(in >> n) && n > 0;
}

std::string eal_init(const EalOptions& opts)
{
	// "--lcores" maps lcores onto CPUs (lcore@cpu), which lets a bench run more lcores
	// than the machine has cores; "-l" takes plain CPU numbers.
	const bool mapped = opts.lcores.find('@') != std::string::npos;
	std::vector<std::string> args = {"tsunagi", mapped ? "--lcores" : "-l", opts.lcores,
	                                 "--log-level=" + opts.log_level};
	if (opts.no_pci) {
		args.push_back("--no-pci");
	}
	if (opts.huge) {
		args.push_back("--in-memory");
	} else {
		// --no-huge cannot be combined with --in-memory; --no-shconf keeps it private.
		args.insert(args.end(),
		            {"--no-huge", "--no-shconf", "-m", std::to_string(opts.memory_mb)});
	}
	if (!opts.file_prefix.empty()) {
		args.push_back("--file-prefix=" + opts.file_prefix);
	}
	for (const auto& v : opts.vdevs) {
		args.insert(args.end(), {"--vdev", v});
	}
	args.insert(args.end(), opts.extra.begin(), opts.extra.end());
	std::vector<char*> argv;
	for (auto& a : args) {
		argv.push_back(a.data());
	}
	argv.push_back(nullptr);
	if (rte_eal_init(int(args.size()), argv.data()) < 0) {
		return std::string("EAL initialisation failed: ") + rte_strerror(rte_errno);
	}
	return {};
}

void eal_cleanup()
{
	const std::string dir = rte_eal_get_runtime_dir();
	rte_eal_cleanup();
	// The directory is this process's alone (its --file-prefix): what DPDK left in it
	// (the telemetry socket, and without --in-memory its config and fbarray files) goes
	// with it. Nothing below it is followed.
	if (dir.empty()) {
		return;
	}
	std::error_code ec;
	for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
		if (!e.is_directory(ec)) {
			std::filesystem::remove(e.path(), ec);
		}
	}
	rmdir(dir.c_str());
}

rte_mempool* make_packet_pool(const char* name, unsigned count, bool jumbo)
{
	// Jumbo buffers hold a 9216-byte frame plus VXLAN-over-IPv6 outer headers in one
	// segment, so rewrite never has to walk a chain.
	const uint16_t room = jumbo ? uint16_t(9216 + 256 + RTE_PKTMBUF_HEADROOM)
	                            : uint16_t(RTE_MBUF_DEFAULT_BUF_SIZE);
	return rte_pktmbuf_pool_create(name, count, 256, 0, room, int(rte_socket_id()));
}

}  // namespace tsunagi::dp
