#include "control/daemon/frr_control.hpp"

#include <net/if.h>

#include "common/shm/names.hpp"
#include "control/daemon/log.hpp"
#include "control/frr/render.hpp"

namespace tsunagi::control {

std::unique_ptr<FrrControl> FrrControl::prepare(const config::Config& cfg, const std::string& dir,
                                                std::string& error)
{
	auto c = std::make_unique<FrrControl>();
	// VRFs with Option-A sessions are network namespaces (docs/frr.md); FRR runs in that
	// mode whether or not any is configured yet, so a reload may add one.
	c->vrfs_ = std::make_unique<frr::VrfNamespaces>(cfg.node.runtime_dir + "/netns");
	if (!c->vrfs_->prepare(error)) {
		return nullptr;
	}
	frr::SupervisorPaths paths{dir};
	paths.netns_dir = c->vrfs_->dir();
	c->frr_ = std::make_unique<frr::Supervisor>(paths);
	if (!c->frr_->prepare(error)) {
		return nullptr;
	}
	return c;
}

void FrrControl::configure(const config::Config& cfg, const abi::TableView& view, uint16_t bmp_port)
{
	if (!view.valid()) {
		return;
	}
	// The VNIs zebra should know exist before FRR is told to advertise them.
	for (const auto& l : evpn_devices_.sync(cfg)) {
		log(l);
	}
	const std::string conf = frr::render(cfg, frr::labels_of(view), {.bmp_port = bmp_port});
	std::vector<std::string> lines;
	const bool ok = frr_->apply(conf, lines);
	for (const auto& l : lines) {
		log(l);
	}
	if (!ok) {
		log("FRR keeps its running configuration");
	}
	supervise(cfg);
}

void FrrControl::supervise(const config::Config& cfg)
{
	for (const auto& l : vrfs_->sync(cfg)) {
		log(l);
	}
	// FRR speaks through the dataplane's punt interfaces: zebra and bgpd started before
	// they exist were seen to fail every session (bgpd finds no interface for its local
	// address), so they wait for the dataplane.
	for (const auto& p : cfg.ports) {
		if ((p.role == config::PortRole::underlay ||
		     p.role == config::PortRole::interconnect) &&
		    if_nametoindex(shm::punt_interface(p.name).c_str()) == 0) {
			if (!waiting_) {
				log("FRR waits for the dataplane's interface " +
				    shm::punt_interface(p.name));
				waiting_ = true;
			}
			return;
		}
	}
	waiting_ = false;
	for (const auto& l : frr_->ensure_running()) {
		log("frr: " + l);
	}
	frr_->reap();
}

std::string FrrControl::vtysh(const std::string& command) const
{
	std::string out;
	if (frr_->vtysh({command}, out) != 0 && out.empty()) {
		out = "% FRR's vtysh failed; is FRR running? (SIGUSR1 logs its state)\n";
	}
	return out;
}

}  // namespace tsunagi::control
