// What tsunagid does without running: --check and --render-frr.
#pragma once

#include <cstddef>
#include <string>

namespace tsunagi::control {

// Validates `path` and prints what would change against the running configuration of the
// runtime directory it names; applies nothing. Returns the exit status.
int check(const std::string& path, size_t max_bytes);

// Prints the FRR configuration `path` gives, with labels as a fresh start allocates them.
int render_frr(const std::string& path, size_t max_bytes);

}  // namespace tsunagi::control
