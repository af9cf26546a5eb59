#include "control/daemon/offline.hpp"

#include <iostream>

#include "common/cli/program.hpp"
#include "control/compile/compiler.hpp"
#include "control/frr/render.hpp"
#include "control/reload/diff.hpp"
#include "control/reload/running_file.hpp"

namespace tsunagi::control {

int check(const std::string& path, size_t max_bytes)
{
	const auto cfg = cli::load_config(path, "tsunagid", nullptr, max_bytes);
	if (!cfg) {
		return cli::kExitConfig;
	}
	std::cout << path << ": valid\n";
	const std::string running = running_path(cfg->node.runtime_dir);
	if (const auto text = read_running(cfg->node.runtime_dir)) {
		const auto before = config::load_string(*text, running);
		if (before.config) {
			std::cout << "changes against the running configuration (" << running
			          << "):\n";
			const auto lines = config::diff(*before.config, *cfg);
			if (lines.empty()) {
				std::cout << "no changes\n";
			}
			for (const auto& l : lines) {
				std::cout << l << "\n";
			}
			std::cout.flush();
			return 0;
		}
	}
	std::cout << "no running configuration in " << cfg->node.runtime_dir
	          << "; applying would create everything\n";
	return 0;
}

int render_frr(const std::string& path, size_t max_bytes)
{
	const auto cfg = cli::load_config(path, "tsunagid", nullptr, max_bytes);
	if (!cfg) {
		return cli::kExitConfig;
	}
	const compile::Image img = compile::compile(*cfg, 1);
	std::cout << frr::render(*cfg, frr::labels_of(abi::TableView(img.data())));
	return 0;
}

}  // namespace tsunagi::control
