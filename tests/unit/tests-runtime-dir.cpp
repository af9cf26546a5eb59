// The runtime directory and the one-daemon-per-node lock (common/cli/runtime_dir.hpp), and
// the configuration history that outlives a daemon (control/reload/config_history.hpp).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/cli/runtime_dir.hpp"
#include "control/reload/config_history.hpp"
#include "tests/unit/fixtures.hpp"

using namespace tsunagi;
using test::TempDir;

namespace {

mode_t mode_of(const std::string& p)
{
	struct stat st {};
	REQUIRE(stat(p.c_str(), &st) == 0);
	return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a runtime directory the daemon creates gets its mode and group", "[runtime]")
{
	TempDir t;
	const std::string dir = t.path + "/a/run";
	std::string err;
	const auto r = cli::prepare_runtime_dir(dir, 0750, getgid(), std::nullopt, 0, err);
	REQUIRE(r);
	CHECK(r->created);
	CHECK(mode_of(dir) == 0750);
	// Started again, it finds its own directory and uses it as it is.
	chmod(dir.c_str(), 0700);
	const auto again = cli::prepare_runtime_dir(dir, 0750, getgid(), std::nullopt, 0, err);
	REQUIRE(again);
	CHECK_FALSE(again->created);
	CHECK(mode_of(dir) == 0700);
}

TEST_CASE("an existing runtime directory is never changed, and refused when unsafe", "[runtime]")
{
	TempDir t;
	std::string err;
	// World-writable (and sticky, as /tmp is): refused, and left exactly as it was.
	chmod(t.path.c_str(), 01777);
	CHECK_FALSE(cli::prepare_runtime_dir(t.path, 0750, std::nullopt, std::nullopt, 0, err));
	CHECK(err.find("can be written by every user (mode 1777)") != std::string::npos);
	CHECK(mode_of(t.path) == 01777);
	chmod(t.path.c_str(), 0700);

	// A link to a directory, and a file.
	const std::string link = t.path + "/link";
	REQUIRE(mkdir((t.path + "/real").c_str(), 0700) == 0);
	REQUIRE(symlink((t.path + "/real").c_str(), link.c_str()) == 0);
	CHECK_FALSE(cli::prepare_runtime_dir(link, 0750, std::nullopt, std::nullopt, 0, err));
	CHECK(err.find("is a symbolic link") != std::string::npos);
	std::ofstream(t.path + "/file") << "x";
	CHECK_FALSE(
	    cli::prepare_runtime_dir(t.path + "/file", 0750, std::nullopt, std::nullopt, 0, err));
	CHECK(err.find("exists and is not a directory") != std::string::npos);

	// FRR's daemons must pass through: a directory others cannot is refused, not changed.
	CHECK_FALSE(cli::prepare_runtime_dir(t.path + "/real", 0751, std::nullopt, std::nullopt,
	                                     S_IXOTH, err));
	CHECK(err.find("other users cannot pass through it") != std::string::npos);
	CHECK(mode_of(t.path + "/real") == 0700);

	if (geteuid() == 0) {
		// Another user's directory, as root: refused; the same in a group the node
		// shares with (the unprivileged tsunagid's, for the root dataplane): used.
		const std::string other = t.path + "/other";
		REQUIRE(mkdir(other.c_str(), 0700) == 0);
		REQUIRE(chown(other.c_str(), 65534, 65534) == 0);
		REQUIRE(chmod(other.c_str(), 0750) == 0);
		CHECK_FALSE(
		    cli::prepare_runtime_dir(other, 0750, std::nullopt, std::nullopt, 0, err));
		CHECK(err.find("belongs to uid 65534") != std::string::npos);
		CHECK(cli::prepare_runtime_dir(other, 0750, gid_t(65534), gid_t(65534), 0, err));
		// Writable by a group that is not the node's: refused.
		REQUIRE(chown(other.c_str(), 0, 65534) == 0);
		REQUIRE(chmod(other.c_str(), 0770) == 0);
		CHECK_FALSE(
		    cli::prepare_runtime_dir(other, 0750, std::nullopt, std::nullopt, 0, err));
		CHECK(err.find("can be written by group") != std::string::npos);
		CHECK(mode_of(other) == 0770);
	}
}

TEST_CASE("one daemon of a kind holds a runtime directory, and a dead one lets go", "[runtime]")
{
	TempDir t;
	std::string err;
	{
		auto first = cli::RuntimeLock::acquire(t.path, "tsunagid", err);
		REQUIRE(first);
		// flock is per open file: a second open, as a second daemon makes, is refused
		// and told who holds it.
		const auto second = cli::RuntimeLock::acquire(t.path, "tsunagid", err);
		CHECK_FALSE(second);
		CHECK(err == "another tsunagid (pid " + std::to_string(getpid()) +
		                 ") runs for runtime directory " + t.path + " (it holds " + t.path +
		                 "/tsunagid.pid); one per runtime directory");
		// A dataplane is another kind.
		CHECK(cli::RuntimeLock::acquire(t.path, "tsunagi-dataplane", err));
	}
	// A holder killed with SIGKILL says nothing, and its lock goes with it.
	int ready[2];
	REQUIRE(pipe(ready) == 0);
	const pid_t child = fork();
	if (child == 0) {
		std::string e;
		const auto held = cli::RuntimeLock::acquire(t.path, "tsunagid", e);
		const char c = held ? 'y' : 'n';
		(void)!write(ready[1], &c, 1);
		pause();
		_exit(0);
	}
	char c = 0;
	REQUIRE(read(ready[0], &c, 1) == 1);
	REQUIRE(c == 'y');
	CHECK_FALSE(cli::RuntimeLock::acquire(t.path, "tsunagid", err));
	CHECK(err.find("(pid " + std::to_string(child) + ")") != std::string::npos);
	kill(child, SIGKILL);
	int status = 0;
	waitpid(child, &status, 0);
	close(ready[0]);
	close(ready[1]);
	CHECK(cli::RuntimeLock::acquire(t.path, "tsunagid", err));
}

TEST_CASE("the configuration history outlives the daemon that wrote it", "[runtime]")
{
	TempDir t;
	const std::string dir = t.path + "/config-history";
	std::vector<std::string> log;
	{
		control::ConfigHistory h(dir, log);
		CHECK(h.empty());
		std::string err;
		for (int i = 0; i < 12; ++i) {
			REQUIRE(h.push(
			    {uint64_t(1000 + i), "reload", "n: " + std::to_string(i) + "\n"}, err));
		}
		REQUIRE(h.relabel_newest("reload (confirmed)", err));
		CHECK(h.size() == control::ConfigHistory::kDepth);
	}
	control::ConfigHistory again(dir, log);
	CHECK(log.empty());
	REQUIRE(again.size() == control::ConfigHistory::kDepth);
	CHECK(again[0].yaml == "n: 11\n");
	CHECK(again[0].origin == "reload (confirmed)");
	CHECK(again[0].unix_time == 1011);
	CHECK(again[9].yaml == "n: 2\n");
	// Only the entries kept are on disk (and the index); files are the daemon's alone.
	int files = 0;
	for (const auto& e : std::filesystem::directory_iterator(dir)) {
		++files;
		CHECK((e.status().permissions() & std::filesystem::perms::others_all) ==
		      std::filesystem::perms::none);
	}
	CHECK(files == int(control::ConfigHistory::kDepth) + 1);

	// A damaged index starts a new history and says so; a missing file is skipped.
	std::remove((dir + "/12.yaml").c_str());
	control::ConfigHistory skipped(dir, log);
	CHECK(skipped.size() == control::ConfigHistory::kDepth - 1);
	REQUIRE(log.size() == 1);
	CHECK(log[0].find("12.yaml is missing") != std::string::npos);
	std::ofstream(dir + "/index.json") << "{ not json";
	log.clear();
	control::ConfigHistory fresh(dir, log);
	CHECK(fresh.empty());
	CHECK(log.size() == 1);
}
