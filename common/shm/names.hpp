// Names of the POSIX shared-memory objects one node uses. Every name derives from the
// node's runtime directory, so several nodes on one host (tests, lab setups) never meet.
#pragma once

#include <cstdint>
#include <string>

namespace tsunagi::shm {

struct Names {
	std::string control;  // ControlBlock: which table generation is the newest
	std::string stats;    // the dataplane's counters segment
	std::string prefix;   // what every name below starts with

	// The table image object created for generation `gen`; later generations may live
	// in it too (edited in place), up to the next image's number.
	std::string generation(uint64_t gen) const;

	// The generation prefix as it appears under /dev/shm (no leading '/'); an entry named
	// this plus decimal digits, and nothing else, is one of this node's generations.
	std::string generation_stem() const;
};

// A name is "/tsunagi" plus the runtime directory with each '/' turned into '.', e.g.
// "/run/tsunagi" → "/tsunagi.run.tsunagi.ctl". Characters other than [A-Za-z0-9_-] are
// escaped as %XX, so distinct directories give distinct names; a directory whose names would
// exceed NAME_MAX is replaced by a hash of it.
Names names_for(const std::string& runtime_dir);

// The kernel interface the dataplane gives a port for its punt path, where tsunagid
// finds the neighbours the kernel resolves: "tsu-" and the port's name, cut to fit
// IFNAMSIZ.
std::string punt_interface(const std::string& port_name);

// The kernel interface of an Option-A sub-interface (port, VLAN): "tsu-", the port's name
// cut to leave room, "." and the VLAN. Created by the dataplane untagged; tsunagid moves
// it into its VRF's network namespace, where FRR's per-VRF BGP session runs over it.
std::string subif_interface(const std::string& port_name, uint16_t vlan);

}  // namespace tsunagi::shm
