// Loading and validating the YAML configuration of DESIGN.md §5.
//
// load_file / load_string never throw and never stop at the first problem: they
// return every error found, each with a 1-based line and column and a sentence that
// names the key path (e.g. "tenants[2].attachments[0].vlan: VLAN 5000 is out of
// range 1–4094"). A Config is returned only when there is no error at all.
//
// The value types' parsers and printers are in values.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::config {

struct Error {
	std::string file;
	int line = 0;    // 1-based; 0 when unknown (e.g. the file cannot be read)
	int column = 0;  // 1-based; 0 when unknown
	std::string message;

	// "file:line:col: message" ("file: message" when the position is unknown).
	std::string to_string() const;
};

struct LoadResult {
	std::optional<Config> config;  // set if and only if errors is empty
	std::vector<Error> errors;     // sorted by position
};

// The largest configuration the daemons read unless told otherwise: far above any real
// node's (a full-scale bench node is ~2 MiB), far below what would stall the daemon's
// loop when it is parsed, kept in the history and shown.
inline constexpr size_t kDefaultMaxConfigBytes = size_t{16} << 20;

// Reads a configuration file whole into `text`; false with one Error when it cannot be
// read, is not a regular file, or is larger than `max_bytes` (then only that much is read).
bool read_config_file(const std::string& path, size_t max_bytes, std::string& text, Error& error);

LoadResult load_file(const std::string& path, size_t max_bytes = kDefaultMaxConfigBytes);
// `max_bytes` refuses a text read by other means (a rollback's, a test's) as the file
// would be refused.
LoadResult load_string(const std::string& yaml_text, const std::string& file_name = "<string>",
                       size_t max_bytes = kDefaultMaxConfigBytes);

}  // namespace tsunagi::config
