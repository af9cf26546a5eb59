// FRR run for the node (docs/frr.md): its configuration rendered from the YAML and what is
// published, the daemons kept running once the dataplane's punt interfaces exist, the VRFs
// with Option-A sessions as network namespaces, and vtysh for the shell.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"
#include "control/frr/evpn_devices.hpp"
#include "control/frr/supervisor.hpp"
#include "control/frr/vrf_namespaces.hpp"

namespace tsunagi::control {

class FrrControl {
public:
	// FRR for the node from `dir`; nullptr, with `error`, when it cannot be prepared.
	static std::unique_ptr<FrrControl> prepare(const config::Config& cfg,
	                                           const std::string& dir, std::string& error);

	// Renders FRR's configuration for `cfg` and the labels of `view`, with bgpd mirroring
	// to `bmp_port`, and applies it.
	void configure(const config::Config& cfg, const abi::TableView& view, uint16_t bmp_port);
	// Keeps the VRFs' namespaces and the daemons as `cfg` wants them (once a second).
	void supervise(const config::Config& cfg);

	// One command through FRR's vtysh, for the shell.
	std::string vtysh(const std::string& command) const;
	// Commands whose answer nobody waits for (route refresh requests).
	void ask(const std::vector<std::string>& commands) { frr_->vtysh_async(commands); }

	frr::VrfNamespaces& vrfs() { return *vrfs_; }

private:
	std::unique_ptr<frr::VrfNamespaces> vrfs_;
	std::unique_ptr<frr::Supervisor> frr_;
	frr::EvpnDevices evpn_devices_;
	bool waiting_ = false;  // for the dataplane's interfaces, said once
};

}  // namespace tsunagi::control
