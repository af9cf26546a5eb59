// What the show commands print. Each builds one JSON document (camelCase keys, listed in
// docs/shell.md and never renamed) and renders its text from that document, so both
// outputs always say the same thing.
#pragma once

#include <optional>
#include <string>

#include "control/shell/backend.hpp"
#include "control/shell/show_text.hpp"

namespace tsunagi::shell {

// A show command's document, or the sentence saying why there is none.
struct Shown {
	Json doc;
	std::string error;  // "% ..." when the command cannot answer
};

Shown show_tenants(const Backend& b);
Shown show_tenant(const Backend& b, const std::string& name);
Shown show_attachments(const Backend& b);
Shown show_vteps(const Backend& b);
Shown show_vrf_routes(const Backend& b, const std::string& tenant);
Shown show_interfaces(const Backend& b);
Shown show_drops(const Backend& b);
Shown show_dataplane(const Backend& b);
Shown show_running_config(const Backend& b);
Shown show_config_history(const Backend& b);
// `tenant` empty: every tenant's.
Shown show_mac_table(Backend& b, const std::string& tenant);

}  // namespace tsunagi::shell
