#include "dataplane/daemon/eal_args.hpp"

namespace tsunagi::dp {

std::string device_name(const std::string& device)
{
	return device.substr(0, device.find(','));
}

bool is_virtual_device(const std::string& device)
{
	return device.rfind("net_", 0) == 0 || device.rfind("eth_", 0) == 0;
}

EalOptions eal_options(const config::Config& cfg, bool huge)
{
	EalOptions o;
	o.huge = huge;
	o.memory_mb = 512;
	o.log_level = "notice";
	// One file prefix per runtime directory: nodes side by side never share DPDK state.
	std::string prefix = "tsunagi";
	for (char c : cfg.node.runtime_dir) {
		prefix += (c == '/') ? '.' : c;
	}
	o.file_prefix = prefix;
	bool pci = false;
	for (const auto& p : cfg.ports) {
		if (is_virtual_device(p.device)) {
			o.vdevs.push_back(p.device);
		} else {
			o.extra.insert(o.extra.end(), {"-a", p.device});
			pci = true;
		}
	}
	o.no_pci = !pci;
	if (const auto& eal = cfg.node.eal) {
		if (!eal->lcores.empty()) {
			o.lcores = eal->lcores;
		}
		if (eal->memory_mb) {
			o.memory_mb = *eal->memory_mb;
		}
		o.extra.insert(o.extra.end(), eal->args.begin(), eal->args.end());
	}
	return o;
}

}  // namespace tsunagi::dp
