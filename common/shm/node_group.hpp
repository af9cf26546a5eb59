// node.group (DESIGN.md §2): the group both daemons give the node's shared memory and
// sockets to, so that tsunagid may run as another user than the dataplane.
#pragma once

#include <grp.h>
#include <sys/types.h>

#include <optional>
#include <string>

namespace tsunagi::shm {

// The group's id; nullopt for no group (empty name), or with `error` set when there is
// no such group on this machine.
inline std::optional<gid_t> node_group(const std::string& name, std::string& error)
{
	if (name.empty()) {
		return std::nullopt;
	}
	const group* g = getgrnam(name.c_str());
	if (g == nullptr) {
		error = "node.group: no group named " + name + " on this machine";
		return std::nullopt;
	}
	return g->gr_gid;
}

}  // namespace tsunagi::shm
