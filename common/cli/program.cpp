#include "common/cli/program.hpp"

#include <cctype>
#include <iostream>
#include <string_view>

namespace po = boost::program_options;

namespace tsunagi::cli {

namespace {

// "16777216", "16384K", "16M", "1G": a size in bytes, or in binary multiples.
std::optional<size_t> parse_size(const std::string& s)
{
	size_t digits = 0;
	while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
		++digits;
	}
	if (digits == 0 || digits > 12 || s.size() > digits + 1) {
		return std::nullopt;
	}
	size_t v = std::stoull(s.substr(0, digits));
	if (s.size() > digits) {
		const auto shift = std::string_view("KMG").find(char(std::toupper(s.back())));
		if (shift == std::string_view::npos) {
			return std::nullopt;
		}
		v <<= 10 * (shift + 1);
	}
	return v != 0 ? std::optional(v) : std::nullopt;
}

}  // namespace

void add_common_options(po::options_description& desc, std::string& config,
                        size_t& max_config_bytes)
{
	config = kDefaultConfig;
	max_config_bytes = config::kDefaultMaxConfigBytes;
	desc.add_options()("help,h", "show this help")(
	    "config", po::value(&config),
	    (std::string("YAML configuration (default ") + kDefaultConfig + ")").c_str())(
	    "max-config-size",
	    po::value<std::string>()->notifier([&max_config_bytes](const std::string& s) {
		    const auto v = parse_size(s);
		    if (!v) {
			    throw po::validation_error(po::validation_error::invalid_option_value,
			                               "max-config-size", s);
		    }
		    max_config_bytes = *v;
	    }),
	    "refuse a configuration larger than this (bytes, or with K, M or G; default 16M)");
}

std::optional<int> parse_options(int argc, char** argv, const char* program,
                                 const po::options_description& desc, po::variables_map& vm)
{
	try {
		po::store(po::parse_command_line(argc, argv, desc), vm);
		if (vm.count("help")) {
			std::cout << desc << "\n";
			return 0;
		}
		po::notify(vm);
	} catch (const po::error& e) {
		std::cerr << program << ": " << e.what() << "\n\n" << desc << "\n";
		return kExitUsage;
	}
	return std::nullopt;
}

std::optional<config::Config> load_config(const std::string& path, const char* program,
                                          std::string* text, size_t max_bytes)
{
	config::LoadResult r;
	if (text == nullptr) {
		r = config::load_file(path, max_bytes);
	} else if (config::Error e; !config::read_config_file(path, max_bytes, *text, e)) {
		r.errors.push_back(std::move(e));
	} else {
		r = config::load_string(*text, path, max_bytes);
	}
	for (const auto& e : r.errors) {
		std::cerr << e.to_string() << "\n";
	}
	if (!r.config) {
		std::cerr << program << ": " << r.errors.size() << " error(s) in " << path
		          << "; nothing applied\n";
	}
	return std::move(r.config);
}

}  // namespace tsunagi::cli
