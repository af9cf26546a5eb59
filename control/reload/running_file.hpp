// RUNTIME_DIR/running.yaml: the configuration in force, as it was applied, for --check's
// diff and for the shell's `show running-config`.
#pragma once

#include <optional>
#include <string>

namespace tsunagi::control {

std::string running_path(const std::string& runtime_dir);
// nullopt when there is none (no daemon has applied anything yet).
std::optional<std::string> read_running(const std::string& runtime_dir);
// Mode 0600: it is the node's configuration, for the daemon's user alone.
void write_running(const std::string& runtime_dir, const std::string& text);

}  // namespace tsunagi::control
