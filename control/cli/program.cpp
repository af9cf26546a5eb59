#include "control/cli/program.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace po = boost::program_options;

namespace tsunagi::cli {

void add_common_options(po::options_description& desc, std::string& config)
{
	config = kDefaultConfig;
	desc.add_options()("help,h", "show this help")(
	    "config", po::value(&config),
	    (std::string("YAML configuration (default ") + kDefaultConfig + ")").c_str());
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
                                          std::string* text)
{
	config::LoadResult r;
	if (text == nullptr) {
		r = config::load_file(path);
	} else {
		std::ifstream in(path);
		std::stringstream ss;
		ss << in.rdbuf();
		*text = ss.str();
		r = in ? config::load_string(*text, path) : config::load_file(path);
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
