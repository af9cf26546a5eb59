// What the loader's unit tests share: finding a line, and checking an error at it.
#pragma once

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <string_view>

#include "common/config/loader.hpp"

namespace tsunagi::test {

using config::LoadResult;

// The 1-based line of the n-th (1-based) line of `text` that contains `needle`.
inline int line_of(const std::string& text, std::string_view needle, int nth = 1)
{
	std::istringstream in(text);
	std::string line;
	int number = 0;
	while (std::getline(in, line)) {
		++number;
		if (line.find(needle) != std::string::npos && --nth == 0)
			return number;
	}
	FAIL("no line contains " << needle);
	return 0;
}

inline std::string all_errors(const LoadResult& r)
{
	std::string out;
	for (const auto& e : r.errors)
		out += e.to_string() + "\n";
	return out;
}

// Whether some error is on `line` (0: any line) and contains `text`.
inline bool has_error(const LoadResult& r, int line, std::string_view text)
{
	for (const auto& e : r.errors)
		if ((line == 0 || e.line == line) && e.message.find(text) != std::string::npos)
			return true;
	return false;
}

#define CHECK_ERROR(result, line, text)                     \
	do {                                                \
		INFO("errors:\n" << all_errors(result));    \
		CHECK(has_error((result), (line), (text))); \
	} while (0)

#define REQUIRE_VALID(result)                            \
	do {                                             \
		INFO("errors:\n" << all_errors(result)); \
		REQUIRE((result).errors.empty());        \
		REQUIRE((result).config.has_value());    \
	} while (0)

inline LoadResult load(const std::string& text)
{
	return config::load_string(text, "test.yaml");
}

}  // namespace tsunagi::test
