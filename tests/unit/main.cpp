// One Catch2 binary for every unit test. DPDK's EAL is started once, without hugepages,
// because the pipeline tests work on real mbufs.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <unistd.h>

#include <iostream>
#include <string>

#include "dataplane/runtime/eal_setup.hpp"

int main(int argc, char** argv)
{
	tsunagi::dp::EalOptions eal;
	eal.memory_mb = 128;
	eal.file_prefix = "tsunagi-unit-" + std::to_string(getpid());
	if (auto err = tsunagi::dp::eal_init(eal); !err.empty()) {
		std::cerr << err << "\n";
		return 1;
	}
	const int rc = Catch::Session().run(argc, argv);
	tsunagi::dp::eal_cleanup();
	return rc;
}
