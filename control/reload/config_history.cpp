#include "control/reload/config_history.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tsunagi::control {

namespace {

constexpr const char* kIndex = "index.json";

// Whole or not at all: a daemon killed mid-write leaves the previous file.
bool write_file(const std::string& path, const std::string& data, std::string& error)
{
	const std::string tmp = path + ".new";
	const int fd =
	    open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		error = "cannot write " + tmp + ": " + std::strerror(errno);
		return false;
	}
	size_t off = 0;
	while (off < data.size()) {
		const ssize_t n = write(fd, data.data() + off, data.size() - off);
		if (n <= 0) {
			if (n < 0 && errno == EINTR) {
				continue;
			}
			error = "cannot write " + tmp + ": " + std::strerror(errno);
			close(fd);
			unlink(tmp.c_str());
			return false;
		}
		off += size_t(n);
	}
	close(fd);
	if (rename(tmp.c_str(), path.c_str()) != 0) {
		error = "cannot write " + path + ": " + std::strerror(errno);
		unlink(tmp.c_str());
		return false;
	}
	return true;
}

std::string file_of(const std::string& dir, uint64_t seq)
{
	return dir + "/" + std::to_string(seq) + ".yaml";
}

}  // namespace

ConfigHistory::ConfigHistory(std::string dir, std::vector<std::string>& log) : dir_(std::move(dir))
{
	std::ifstream in(dir_ + "/" + kIndex);
	if (!in) {
		return;  // a first start
	}
	std::stringstream ss;
	ss << in.rdbuf();
	const auto index = nlohmann::json::parse(ss.str(), nullptr, false);
	if (!index.is_array()) {
		log.push_back(dir_ + "/" + kIndex + " is not a history; starting a new one");
		return;
	}
	for (const auto& e : index) {
		if (entries_.size() == kDepth) {
			break;
		}
		if (!e.is_object() || !e.contains("seq") || !e["seq"].is_number_unsigned() ||
		    !e.contains("appliedAt") || !e["appliedAt"].is_number_unsigned() ||
		    !e.contains("origin") || !e["origin"].is_string()) {
			log.push_back("skipped an entry of " + dir_ + "/" + kIndex +
			              " that is not a configuration's");
			continue;
		}
		const uint64_t seq = e["seq"].get<uint64_t>();
		std::ifstream y(file_of(dir_, seq), std::ios::binary);
		if (!y) {
			log.push_back("configuration history: " + file_of(dir_, seq) +
			              " is missing; skipped");
			continue;
		}
		std::stringstream text;
		text << y.rdbuf();
		entries_.push_back(
		    {e["appliedAt"].get<uint64_t>(), e["origin"].get<std::string>(), text.str()});
		seqs_.push_back(seq);
		next_seq_ = std::max(next_seq_, seq + 1);
	}
}

bool ConfigHistory::push(shell::Applied entry, std::string& error)
{
	entries_.push_front(std::move(entry));
	seqs_.push_front(next_seq_++);
	if (entries_.size() > kDepth) {
		entries_.pop_back();
		unlink(file_of(dir_, seqs_.back()).c_str());
		seqs_.pop_back();
	}
	if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
		error = "cannot create " + dir_ + ": " + std::strerror(errno);
		return false;
	}
	return write_file(file_of(dir_, seqs_.front()), entries_.front().yaml, error) &&
	       save(error);
}

bool ConfigHistory::relabel_newest(const std::string& origin, std::string& error)
{
	if (entries_.empty()) {
		return true;
	}
	entries_.front().origin = origin;
	return save(error);
}

bool ConfigHistory::save(std::string& error)
{
	nlohmann::json index = nlohmann::json::array();
	for (size_t i = 0; i < entries_.size(); ++i) {
		index.push_back({{"seq", seqs_[i]},
		                 {"appliedAt", entries_[i].unix_time},
		                 {"origin", entries_[i].origin}});
	}
	return write_file(
	    dir_ + "/" + kIndex,
	    index.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", error);
}

}  // namespace tsunagi::control
