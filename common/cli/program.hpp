// What every Tsunagi command line shares: exit codes, option parsing with --help, and
// loading the YAML with every error printed as file:line:col.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>

#include "common/config/loader.hpp"

namespace tsunagi::cli {

inline constexpr int kExitUsage = 2;
inline constexpr int kExitConfig = 3;
inline constexpr int kExitRuntime = 4;

// Where the daemons look for their YAML when --config is not given (DESIGN.md §5).
inline constexpr const char* kDefaultConfig = "/etc/tsunagi/tsunagi.yaml";

// Adds --help, --config FILE (default kDefaultConfig) and --max-config-size BYTES (default
// config::kDefaultMaxConfigBytes; K, M or G for KiB, MiB, GiB) to `desc`.
void add_common_options(boost::program_options::options_description& desc, std::string& config,
                        size_t& max_config_bytes);

// Parses the options into `vm`. Returns the exit code when the program should stop
// now (0 after --help, kExitUsage on a bad option), nullopt to go on.
std::optional<int> parse_options(int argc, char** argv, const char* program,
                                 const boost::program_options::options_description& desc,
                                 boost::program_options::variables_map& vm);

// Loads `path`; on errors prints each one and a count to stderr and returns nullopt.
// `text`, when given, receives the bytes that were parsed.
std::optional<config::Config> load_config(const std::string& path, const char* program,
                                          std::string* text = nullptr,
                                          size_t max_bytes = config::kDefaultMaxConfigBytes);

}  // namespace tsunagi::cli
