#include "control/reload/running_file.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace tsunagi::control {

std::string running_path(const std::string& runtime_dir)
{
	return runtime_dir + "/running.yaml";
}

std::optional<std::string> read_running(const std::string& runtime_dir)
{
	std::ifstream in(running_path(runtime_dir));
	if (!in) {
		return std::nullopt;
	}
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

void write_running(const std::string& runtime_dir, const std::string& text)
{
	const std::string path = running_path(runtime_dir);
	std::ofstream(path) << text;
	chmod(path.c_str(), 0600);
}

}  // namespace tsunagi::control
