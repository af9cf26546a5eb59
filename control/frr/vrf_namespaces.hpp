// The network namespaces of the VRFs with Option-A sessions. FRR has no VRF devices to use
// on this kernel, so its VRFs are network namespaces (zebra -n): one per such tenant, named
// after it, bind-mounted in a directory of the node's runtime directory that FRR's daemons
// see as /run/netns (supervisor.hpp). The dataplane creates each sub-interface's punt TAP in
// its own namespace; this moves the TAP into its VRF's, gives it the sub-interface address
// there, and follows the neighbours the kernel resolves on it: the carrier's MAC for the
// Option-A next hops.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/model.hpp"
#include "control/neighbors/neighbor_watch.hpp"

namespace tsunagi::frr {

class VrfNamespaces {
public:
	explicit VrfNamespaces(std::string dir) : dir_(std::move(dir)) {}
	~VrfNamespaces();
	VrfNamespaces(const VrfNamespaces&) = delete;
	VrfNamespaces& operator=(const VrfNamespaces&) = delete;

	// Creates the directory as a mount point that shares what is mounted in it, so FRR's
	// daemons, started in a mount namespace of their own, see namespaces made later.
	bool prepare(std::string& err);

	// Makes every Option-A VRF's namespace and moves into it the sub-interfaces the
	// dataplane has made since; returns what it did, for the log. Cheap when nothing is new:
	// called every second.
	std::vector<std::string> sync(const config::Config& cfg);

	// Reads the VRFs' neighbour changes; true when the learned neighbours changed.
	bool process();
	// The neighbours resolved on sub-interfaces (port, VLAN, address, MAC).
	std::vector<config::Neighbor> learned() const;

	const std::string& dir() const { return dir_; }
	static bool wanted(const config::Config& cfg);

private:
	struct Vrf {
		int fd = -1;
		std::unique_ptr<control::NeighborWatch> watch;
		std::map<std::string, control::NeighborWatch::Link> links;
	};
	std::string dir_;
	std::map<std::string, Vrf> vrfs_;

	std::string open_vrf(const std::string& tenant, Vrf& v);
};

}  // namespace tsunagi::frr
