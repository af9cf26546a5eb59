// Output filters of the shell, vtysh's pipes: `| include|exclude|begin REGEX` and
// `| count`, over the text a command printed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

namespace tsunagi::shell {

struct Filter {
	enum class Kind : uint8_t { include, exclude, begin, count };
	Kind kind;
	std::string pattern;
	std::regex re;
};

// The longest `| include` (exclude, begin) pattern; longer ones are refused.
inline constexpr size_t kMaxPattern = 256;

// Applies `filters` in order, line by line, as vtysh's pipes do. A pattern is matched
// against a line's first 256 characters, by libstdc++'s polynomial matcher (no
// back-references), and filtering stops after 2 s, saying so.
std::string apply_filters(const std::string& text, const std::vector<Filter>& filters);

// Checks and compiles `f.pattern` into `f.re`: empty, or the refusal to show ("% …").
std::string compile(Filter& f);

}  // namespace tsunagi::shell
