#include "control/daemon/shell_backend.hpp"

#include "control/dataplane_link/command_client.hpp"

namespace tsunagi::control {

// The dataplane answers these over its command socket (docs/shell.md).

std::optional<shm::MacDump> ShellBackend::mac_table(uint32_t tenant, std::string& error)
{
	return shm::dump_macs(node_.config().node.runtime_dir, tenant, error);
}

std::optional<uint64_t> ShellBackend::clear_mac_table(uint32_t tenant, std::string& error)
{
	return shm::clear_macs(node_.config().node.runtime_dir, tenant, error);
}

std::optional<std::string> ShellBackend::trace(uint16_t port, const std::string& frame,
                                               std::string& error)
{
	return shm::trace(node_.config().node.runtime_dir, port, frame, error);
}

}  // namespace tsunagi::control
