#include "common/cli/runtime_dir.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace tsunagi::cli {

namespace {

std::string octal(mode_t m)
{
	char buf[8];
	std::snprintf(buf, sizeof buf, "%04o", unsigned(m & 07777));
	return buf;
}

std::string group_name(gid_t g)
{
	const group* gr = getgrgid(g);
	return gr != nullptr ? gr->gr_name : "gid " + std::to_string(g);
}

// Why an existing directory is not one to keep the node's sockets and state in, or "".
std::string refusal(const struct stat& st, std::optional<gid_t> group,
                    std::optional<gid_t> shared_group)
{
	if (S_ISLNK(st.st_mode)) {
		return "is a symbolic link; name the directory itself";
	}
	if (!S_ISDIR(st.st_mode)) {
		return "exists and is not a directory";
	}
	if ((st.st_mode & S_IWOTH) != 0) {
		return "can be written by every user (mode " + octal(st.st_mode) +
		       "); the daemons keep their sockets and state only where no one else can "
		       "replace them";
	}
	const bool our_group = st.st_gid == getegid() || (group && st.st_gid == *group) ||
	                       (shared_group && st.st_gid == *shared_group);
	if ((st.st_mode & S_IWGRP) != 0 && !our_group) {
		return "can be written by group " + group_name(st.st_gid) + " (mode " +
		       octal(st.st_mode) + "), which is not the node's";
	}
	if (st.st_uid != geteuid() && st.st_uid != 0 &&
	    !(shared_group && st.st_gid == *shared_group)) {
		return "belongs to uid " + std::to_string(st.st_uid) +
		       ", neither this daemon's user nor root";
	}
	return "";
}

}  // namespace

std::optional<RuntimeDir> prepare_runtime_dir(const std::string& dir, mode_t mode,
                                              std::optional<gid_t> group,
                                              std::optional<gid_t> shared_group, mode_t reach,
                                              std::string& error)
{
	RuntimeDir out;
	struct stat st {};
	if (lstat(dir.c_str(), &st) != 0) {
		if (errno != ENOENT) {
			error = dir + ": " + std::strerror(errno);
			return std::nullopt;
		}
		std::error_code ec;
		std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
		if (ec) {
			error = "cannot create " + dir + ": " + ec.message();
			return std::nullopt;
		}
		// 0700 until it has its group: never open wider than meant, not even briefly.
		if (mkdir(dir.c_str(), 0700) == 0) {
			if ((group && lchown(dir.c_str(), uid_t(-1), *group) != 0) ||
			    chmod(dir.c_str(), mode) != 0) {
				error = "cannot give " + dir +
				        " its group and mode: " + std::strerror(errno);
				return std::nullopt;
			}
			out.created = true;
			return out;
		}
		if (errno != EEXIST) {
			error = "cannot create " + dir + ": " + std::strerror(errno);
			return std::nullopt;
		}
		if (lstat(dir.c_str(), &st) != 0) {  // made by someone else just now
			error = dir + ": " + std::strerror(errno);
			return std::nullopt;
		}
	}
	if (const std::string why = refusal(st, group, shared_group); !why.empty()) {
		error = "runtime directory " + dir + " " + why + "; refusing to use it";
		return std::nullopt;
	}
	// It is the operator's (or systemd's): used as it is. Say so if that locks out whom
	// the daemon serves.
	const bool others_pass = (st.st_mode & S_IXOTH) != 0;
	if ((reach & S_IXOTH) != 0 && !others_pass) {
		error = "runtime directory " + dir + " has mode " + octal(st.st_mode) +
		        ": other users cannot pass through it, and FRR's daemons (user frr) must "
		        "reach their directory in it; give others search permission (chmod o+x), "
		        "or remove it and let tsunagid create it";
		return std::nullopt;
	}
	if ((reach & S_IXGRP) != 0 && group && !others_pass &&
	    !(st.st_gid == *group && (st.st_mode & S_IXGRP) != 0)) {
		out.warning = dir + " (group " + group_name(st.st_gid) + ", mode " +
		              octal(st.st_mode) + ") keeps group " + group_name(*group) +
		              " from its sockets; it is left as it is";
	}
	return out;
}

std::optional<RuntimeLock> RuntimeLock::acquire(const std::string& dir, const std::string& name,
                                                std::string& error)
{
	const std::string path = dir + "/" + name + ".pid";
	const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		error = "cannot open " + path + ": " + std::strerror(errno);
		return std::nullopt;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		const int err = errno;
		char buf[32] = {};
		const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		close(fd);
		const long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
		if (err != EWOULDBLOCK) {
			error = "cannot lock " + path + ": " + std::strerror(err);
		} else {
			error = "another " + name +
			        (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
			        " runs for runtime directory " + dir + " (it holds " + path +
			        "); one per runtime directory";
		}
		return std::nullopt;
	}
	const std::string pid = std::to_string(getpid()) + "\n";
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
		error = "cannot write " + path + ": " + std::strerror(errno);
		close(fd);
		return std::nullopt;
	}
	return RuntimeLock(fd);
}

RuntimeLock::~RuntimeLock()
{
	if (fd_ >= 0) {
		close(fd_);
	}
}

}  // namespace tsunagi::cli
