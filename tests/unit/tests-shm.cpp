#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/loader.hpp"
#include "common/shm/control_block.hpp"
#include "common/shm/names.hpp"
#include "common/shm/object.hpp"
#include "common/shm/stats_segment.hpp"
#include "common/shm/subscriber.hpp"
#include "control/compile/compiler.hpp"
#include "control/dataplane_link/publisher.hpp"
#include "tests/unit/fixtures.hpp"

namespace abi = tsunagi::abi;
namespace compile = tsunagi::compile;
namespace config = tsunagi::config;
namespace shm = tsunagi::shm;

namespace {

compile::Image image()
{
	return compile::compile(tsunagi::test::load_config(tsunagi::test::kSmallNode), 0);
}

// A runtime directory of its own per test, and every object under its names removed at the
// end, whatever the test left.
struct Node {
	shm::Names names;

	Node()
	{
		static int n = 0;
		names = shm::names_for("/tmp/tsunagi-test-" + std::to_string(getpid()) + "-" +
		                       std::to_string(++n));
	}
	~Node()
	{
		for (const auto& e : entries()) {
			std::string error;
			shm::Object::unlink("/" + e, error);
		}
	}
	std::vector<std::string> entries() const
	{
		std::vector<std::string> out;
		const std::string stem = names.prefix.substr(1) + ".";
		if (DIR* d = opendir("/dev/shm")) {
			while (const dirent* e = readdir(d)) {
				if (std::string_view(e->d_name).starts_with(stem)) {
					out.emplace_back(e->d_name);
				}
			}
			closedir(d);
		}
		return out;
	}
	bool exists(const std::string& name) const
	{
		struct stat st {};
		return stat(("/dev/shm" + name).c_str(), &st) == 0;
	}
	mode_t mode(const std::string& name) const
	{
		struct stat st {};
		REQUIRE(stat(("/dev/shm" + name).c_str(), &st) == 0);
		return st.st_mode & 07777;
	}
};

shm::Publisher publisher(const Node& node)
{
	std::string error;
	auto p = shm::Publisher::open(node.names, 0600, error);
	INFO(error);
	REQUIRE(p);
	return std::move(*p);
}

uint64_t publish(shm::Publisher& p, const compile::Image& img)
{
	std::string error;
	const uint64_t gen = p.publish(img.data(), img.size(), error);
	INFO(error);
	REQUIRE(gen != 0);
	return gen;
}

// The subscriber looks at the control object's name again only every kRecheckNs.
void wait_recheck()
{
	std::this_thread::sleep_for(std::chrono::nanoseconds(shm::Subscriber::kRecheckNs) +
	                            std::chrono::milliseconds(20));
}

bool valid_name(const std::string& n)
{
	return n.size() >= 2 && n[0] == '/' && n.find('/', 1) == std::string::npos &&
	       n.size() - 1 <= NAME_MAX;
}

// A pid that surely names no process: a child that has exited and been reaped.
pid_t dead_pid()
{
	const pid_t child = fork();
	if (child == 0) {
		_exit(0);
	}
	int status = 0;
	waitpid(child, &status, 0);
	return child;
}

}  // namespace

TEST_CASE("punt interface names fit IFNAMSIZ and keep a sub-interface's VLAN", "[shm]")
{
	CHECK(shm::punt_interface("ix0") == "tsu-ix0");
	CHECK(shm::punt_interface("interconnect-east") == "tsu-interconnec");
	CHECK(shm::subif_interface("ix0", 801) == "tsu-ix0.801");
	// A long port name gives way to the VLAN, which tells the sub-interfaces apart.
	CHECK(shm::subif_interface("interconnect-east", 4094) == "tsu-interc.4094");
	CHECK(shm::subif_interface("interconnect-east", 7) == "tsu-interconn.7");
	CHECK(shm::subif_interface("interconnect-east", 4094).size() == 15);
}

TEST_CASE("shared memory names are valid, stable and differ between runtime directories", "[shm]")
{
	const auto a = shm::names_for("/run/tsunagi");
	CHECK(a.control == "/tsunagi.run.tsunagi.ctl");
	CHECK(a.stats == "/tsunagi.run.tsunagi.stats");
	CHECK(a.generation(42) == "/tsunagi.run.tsunagi.gen.42");
	CHECK(shm::names_for("/run//tsunagi/").control == a.control);

	const std::vector<std::string> dirs = {"/run/tsunagi", "/run/tsunagi2",      "/run/a/b",
	                                       "/run/a.b",     "run/tsunagi",        "/",
	                                       "/run/a b",     std::string(300, 'x')};
	std::vector<std::string> all;
	for (const auto& d : dirs) {
		const auto n = shm::names_for(d);
		for (const auto& name : {n.control, n.stats, n.generation(UINT64_MAX)}) {
			INFO(d << " → " << name);
			CHECK(valid_name(name));
			all.push_back(name);
		}
	}
	std::sort(all.begin(), all.end());
	CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
}

TEST_CASE("a published image is polled once, byte for byte, and works as tables", "[shm]")
{
	Node node;
	const auto img = image();
	shm::Subscriber sub(node.names);
	std::string error;
	CHECK_FALSE(sub.poll(error));  // no daemon yet: nothing, and no error
	CHECK(error.empty());

	auto pub = publisher(node);
	CHECK(pub.generation() == 0);
	CHECK(pub.warning().empty());
	wait_recheck();  // the control object appeared after the subscriber last looked
	CHECK_FALSE(sub.poll(error));  // a control object with no generation yet
	CHECK(error.empty());
	REQUIRE(publish(pub, img) == 1);
	CHECK(pub.generation() == 1);

	auto m = sub.poll(error);
	INFO(error);
	REQUIRE(m);
	CHECK(m->generation == 1);
	CHECK(sub.seen() == 1);
	REQUIRE(m->size == img.size());
	std::vector<uint64_t> want(img.size() / 8 + 1);
	std::memcpy(want.data(), img.data(), img.size());
	reinterpret_cast<abi::Header*>(want.data())->generation = 1;
	CHECK(std::memcmp(m->data, want.data(), img.size()) == 0);
	CHECK(sub.published_ns() != 0);

	const abi::TableView t(m->data);
	CHECK(t.generation() == 1);
	CHECK(t.port_by_name("t0") == 1);
	CHECK(t.tenant_by_name("x") == 0);
	CHECK(abi::ref_aux(t.vlan_ref(1, 100)) == 0);

	CHECK_FALSE(sub.poll(error));
	CHECK(error.empty());
	REQUIRE(publish(pub, img) == 2);
	auto m2 = sub.poll(error);
	REQUIRE(m2);
	CHECK(m2->generation == 2);
	CHECK(abi::TableView(m2->data).generation() == 2);
	CHECK_FALSE(sub.poll(error));
	CHECK(sub.seen() == 2);
	CHECK(error.empty());
}

TEST_CASE("a restarted publisher continues the generation numbering", "[shm]")
{
	Node node;
	const auto img = image();
	{
		auto pub = publisher(node);
		publish(pub, img);
		publish(pub, img);
	}
	auto pub = publisher(node);
	CHECK(pub.warning().empty());
	CHECK(pub.generation() == 2);
	CHECK(publish(pub, img) == 3);

	shm::Subscriber sub(node.names);
	std::string error;
	auto m = sub.poll(error);
	REQUIRE(m);
	CHECK(m->generation == 3);
}

TEST_CASE("a generation left by a crashed publisher is replaced", "[shm]")
{
	Node node;
	const auto img = image();
	auto pub = publisher(node);
	std::string error;
	// What a daemon that died between creating generation 1 and announcing it leaves.
	REQUIRE(shm::Object::create(node.names.generation(1), 4096, 0600, std::nullopt, error));
	CHECK(publish(pub, img) == 1);
	shm::Subscriber sub(node.names);
	auto m = sub.poll(error);
	INFO(error);
	REQUIRE(m);
	CHECK(m->size == img.size());
}

TEST_CASE("shared memory objects get their mode whatever the umask", "[shm]")
{
	Node node;
	const auto img = image();
	const mode_t old = umask(0077);
	std::string error;
	{
		auto pub = shm::Publisher::open(node.names, 0600, error);
		REQUIRE(pub);
		publish(*pub, img);
		auto stats = shm::StatsSegment::create(node.names, 1, 0600, std::nullopt, error);
		REQUIRE(stats);
	}
	CHECK(node.mode(node.names.control) == 0600);
	CHECK(node.mode(node.names.generation(1)) == 0600);
	CHECK(node.mode(node.names.stats) == 0600);

	// The umask would strip the group bit; fchmod puts it back.
	auto wide = shm::Object::create(node.names.prefix + ".x", 64, 0640, std::nullopt, error);
	REQUIRE(wide);
	CHECK(node.mode(node.names.prefix + ".x") == 0640);
	// With a group (our own, which we may always give), group read-write.
	auto grouped = shm::Object::create(node.names.prefix + ".y", 64, 0600, getegid(), error);
	INFO(error);
	REQUIRE(grouped);
	CHECK(node.mode(node.names.prefix + ".y") == 0660);
	umask(old);
}

TEST_CASE("a control object of another ABI version is refused, then replaced by tsunagid", "[shm]")
{
	Node node;
	const auto img = image();
	std::string error;
	{
		auto pub = publisher(node);
		publish(pub, img);
		auto rw =
		    shm::Object::open(node.names.control, shm::Object::Access::read_write, error);
		REQUIRE(rw);
		static_cast<shm::ControlBlock*>(rw->data())->abi_version = abi::kAbiVersion + 1;
	}

	shm::Subscriber sub(node.names);
	CHECK_FALSE(sub.poll(error));
	CHECK_THAT(error, Catch::Contains("ABI version " + std::to_string(abi::kAbiVersion + 1)));
	CHECK_THAT(sub.refusal(), Catch::Contains("ABI"));
	// Said once, not on every poll; it still stands.
	error.clear();
	wait_recheck();
	CHECK_FALSE(sub.poll(error));
	CHECK(error.empty());
	CHECK_FALSE(sub.refusal().empty());

	auto pub = publisher(node);
	CHECK_THAT(pub.warning(), Catch::Contains("ABI version"));
	CHECK(pub.generation() == 0);
	CHECK(publish(pub, img) == 1);
	wait_recheck();
	auto m = sub.poll(error);
	INFO(error);
	REQUIRE(m);
	CHECK(m->generation == 1);
	CHECK(sub.refusal().empty());
}

TEST_CASE("a subscriber follows a control object that was re-created", "[shm]")
{
	Node node;
	const auto img = image();
	shm::Subscriber sub(node.names);
	std::string error;
	{
		auto pub = publisher(node);
		publish(pub, img);
		publish(pub, img);
		publish(pub, img);
		REQUIRE(sub.poll(error));
		CHECK(sub.seen() == 3);
	}
	// A new daemon that found the old object unusable starts over from 1.
	REQUIRE(shm::Object::unlink(node.names.control, error));
	auto pub = publisher(node);
	REQUIRE(publish(pub, img) == 1);
	wait_recheck();
	auto m = sub.poll(error);
	INFO(error);
	REQUIRE(m);
	CHECK(m->generation == 1);
	CHECK_FALSE(sub.poll(error));
}

TEST_CASE("a generation that vanished before it was opened is skipped without error", "[shm]")
{
	Node node;
	const auto img = image();
	auto pub = publisher(node);
	shm::Subscriber sub(node.names);
	std::string error;
	publish(pub, img);
	REQUIRE(shm::Object::unlink(node.names.generation(1), error));
	CHECK_FALSE(sub.poll(error));
	CHECK(error.empty());
	publish(pub, img);
	auto m = sub.poll(error);
	REQUIRE(m);
	CHECK(m->generation == 2);
}

TEST_CASE("a generation whose image is refused is reported", "[shm]")
{
	Node node;
	const auto img = image();
	auto pub = publisher(node);
	publish(pub, img);
	std::string error;
	{
		auto rw = shm::Object::open(node.names.generation(1),
		                            shm::Object::Access::read_write, error);
		REQUIRE(rw);
		static_cast<abi::Header*>(rw->data())->abi_version = 99;
	}
	shm::Subscriber sub(node.names);
	CHECK_FALSE(sub.poll(error));
	CHECK_THAT(error, Catch::Contains("table ABI version 99"));
	CHECK(sub.seen() == 0);
	publish(pub, img);
	error.clear();
	auto m = sub.poll(error);
	REQUIRE(m);
	CHECK(m->generation == 2);
	CHECK(sub.refusal().empty());
}

TEST_CASE("collect removes old generations, keeps those in use, and mappings survive it", "[shm]")
{
	Node node;
	const auto img = image();
	auto pub = publisher(node);
	shm::Subscriber sub(node.names);
	std::string error;
	publish(pub, img);
	auto first = sub.poll(error);
	REQUIRE(first);
	for (int i = 0; i < 4; ++i) {
		publish(pub, img);
	}
	// A generation never announced, left by a crash: above the newest, so removable.
	REQUIRE(shm::Object::create(node.names.generation(9), 64, 0600, std::nullopt, error));

	CHECK(pub.collect(3) == 3);
	CHECK_FALSE(node.exists(node.names.generation(1)));
	CHECK_FALSE(node.exists(node.names.generation(2)));
	CHECK(node.exists(node.names.generation(3)));
	CHECK(node.exists(node.names.generation(4)));
	CHECK(node.exists(node.names.generation(5)));
	CHECK_FALSE(node.exists(node.names.generation(9)));
	CHECK(node.exists(node.names.control));

	// The reader still mapping generation 1 reads it as before.
	const abi::TableView t(first->data);
	CHECK(t.generation() == 1);
	CHECK(t.port_by_name("u0") == 2);

	// No dataplane: only the newest stays. A new publisher finds the old ones by name.
	auto again = publisher(node);
	CHECK(again.collect(0) == 2);
	CHECK_FALSE(node.exists(node.names.generation(4)));
	CHECK(node.exists(node.names.generation(5)));
	// An in-use generation newer than the newest cannot hold anything back.
	CHECK(again.collect(100) == 0);
	CHECK(node.exists(node.names.generation(5)));
}

TEST_CASE("counters and the generation in use travel from the dataplane to tsunagid", "[shm]")
{
	Node node;
	std::string error;
	CHECK_FALSE(shm::StatsReader::open(node.names, error));  // no dataplane yet
	CHECK(error.empty());

	auto seg = shm::StatsSegment::create(node.names, 2, 0600, std::nullopt, error);
	INFO(error);
	REQUIRE(seg);
	CHECK(seg->n_workers() == 2);
	CHECK(reinterpret_cast<uintptr_t>(&seg->worker(1)) % 64 == 0);
	seg->worker(0).ports[3].rx_packets = 11;
	seg->worker(1).drops[static_cast<size_t>(tsunagi::dp::Drop::count_) - 1] = 7;
	seg->worker(1).tenants[tsunagi::abi::kMaxTenants].tx_bytes = 1500;
	seg->set_in_use(4);
	seg->beat();

	auto rd = shm::StatsReader::open(node.names, error);
	REQUIRE(rd);
	CHECK(rd->n_workers() == 2);
	CHECK(rd->pid() == static_cast<uint64_t>(getpid()));
	CHECK(rd->worker(0).ports[3].rx_packets == 11);
	CHECK(rd->worker(1).drops[tsunagi::dp::kDropCount - 1] == 7);
	CHECK(rd->worker(1).tenants[tsunagi::abi::kMaxTenants].tx_bytes == 1500);
	CHECK(rd->in_use_generation() == 4);
	CHECK(rd->in_use_ns() != 0);
	CHECK(rd->alive());
	CHECK_FALSE(rd->replaced());

	seg->worker(0).ports[3].rx_packets = 12;  // the same pages, no copy
	CHECK(rd->worker(0).ports[3].rx_packets == 12);
	seg->set_in_use(5);
	CHECK(rd->in_use_generation() == 5);

	// A second dataplane of this node is refused while the first one lives.
	CHECK_FALSE(shm::StatsSegment::create(node.names, 1, 0600, std::nullopt, error));
	CHECK_THAT(error, Catch::Contains("running dataplane"));
}

TEST_CASE("the counters segment's MAC log: read by tsunagid, refused when it lies outside", "[shm]")
{
	Node node;
	std::string error;
	auto seg = shm::StatsSegment::create(node.names, 1, 0600, std::nullopt, error);
	REQUIRE(seg);
	seg->mac_log().append(42, 7, 1);
	auto rd = shm::StatsReader::open(node.names, error);
	REQUIRE(rd);
	std::vector<shm::MacEvent> ev;
	uint64_t next = 0;
	REQUIRE(rd->mac_log().read(next, ev, 10));
	REQUIRE(ev.size() == 1);
	CHECK((ev[0].key == 42 && ev[0].member == 7 && ev[0].epoch == 1));

	seg->header().mac_log_events = 3;  // not a power of two
	CHECK_FALSE(shm::StatsReader::open(node.names, error));
	CHECK_THAT(error, Catch::Contains("MAC log"));
	seg->header().mac_log_events = shm::kMacLogEvents;
	seg->header().mac_log_offset = seg->header().total_size;  // past the end
	CHECK_FALSE(shm::StatsReader::open(node.names, error));
	CHECK_THAT(error, Catch::Contains("MAC log"));
}

TEST_CASE("a stale counters segment of a dead dataplane is replaced", "[shm]")
{
	Node node;
	std::string error;
	auto old = shm::StatsSegment::create(node.names, 1, 0600, std::nullopt, error);
	REQUIRE(old);
	old->worker(0).mac.learned = 99;
	old->set_in_use(8);
	old->header().pid = static_cast<uint64_t>(dead_pid());
	auto rd = shm::StatsReader::open(node.names, error);
	REQUIRE(rd);
	CHECK_FALSE(rd->alive());

	auto seg = shm::StatsSegment::create(node.names, 3, 0600, std::nullopt, error);
	INFO(error);
	REQUIRE(seg);
	CHECK(rd->replaced());
	CHECK(rd->worker(0).mac.learned == 99);  // the old reader keeps the old mapping
	auto fresh = shm::StatsReader::open(node.names, error);
	REQUIRE(fresh);
	CHECK(fresh->n_workers() == 3);
	CHECK(fresh->worker(0).mac.learned == 0);
	CHECK(fresh->in_use_generation() == 0);
	CHECK(fresh->alive());

	// Something that is not a counters segment at all is replaced too, and a reader
	// refuses it meanwhile.
	seg.reset();
	REQUIRE(shm::Object::unlink(node.names.stats, error));
	{
		auto junk = shm::Object::create(node.names.stats, 4096, 0600, std::nullopt, error);
		REQUIRE(junk);
		std::memset(junk->data(), 0x5a, 64);
	}
	CHECK_FALSE(shm::StatsReader::open(node.names, error));
	CHECK_THAT(error, Catch::Contains("not a Tsunagi counters segment"));
	CHECK(shm::StatsSegment::create(node.names, 1, 0600, std::nullopt, error));
}
