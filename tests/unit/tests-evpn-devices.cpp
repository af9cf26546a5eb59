// What tsunagid makes and removes of the EVPN shadow devices (control/frr/evpn_devices),
// planned from the configuration and the namespace's link names, without root.
#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control/frr/evpn_devices.hpp"
#include "control/frr/supervisor.hpp"
#include "fixtures.hpp"

using namespace tsunagi;

namespace {

std::string node(const std::string& tenants,
                 const std::string& evpn = "  evpn: { peers: [ { address: 192.0.2.250 } ] }\n")
{
	return R"(node:
  name: e
  asn: 65000
  router_id: 10.255.0.1
  vtep: [192.0.2.1, "2001:db8::1"]
)" + evpn + R"(ports:
  - { name: u0, role: underlay, device: d1, address: [192.0.2.1/24, "2001:db8::1/64"] }
tenants:
)" + tenants;
}

const std::string kTwo = R"(  - { name: a, vni: 100, hybrid_vlan: 1, evpn: true }
  - { name: b, vni: 16777215, hybrid_vlan: 2, evpn: true }
  - { name: c, vni: 300, hybrid_vlan: 3 }
)";

}  // namespace

TEST_CASE("shadow device names are ts[bxpq] and the VNI, and only those are the node's",
          "[evpn-devices]")
{
	const auto n = frr::shadow_names(16777215);
	CHECK(n.bridge == "tsb16777215");
	CHECK(n.vxlan == "tsx16777215");
	CHECK(n.port == "tsp16777215");
	CHECK(n.peer == "tsq16777215");
	CHECK(n.peer.size() < 16);  // IFNAMSIZ
	CHECK(frr::shadow_vni("tsb100") == 100u);
	CHECK(frr::shadow_vni("tsq1") == 1u);
	for (const char* other : {"tsb", "tsb0100", "tsb0", "tsc100", "tsb100a", "tsb16777216",
	                          "xtsb100", "tsu-core0", "eth0", "br100", "tsb99999999999"}) {
		INFO(other);
		CHECK_FALSE(frr::shadow_vni(other));
	}
}

TEST_CASE("every EVPN tenant gets its devices, and nothing else is touched", "[evpn-devices]")
{
	const auto cfg = test::load_config(node(kTwo));
	CHECK(frr::evpn_vnis(cfg) == std::vector<uint32_t>{100, 16777215});
	const auto plan = frr::plan_shadow_devices(cfg, {"lo", "eth0", "br100", "tsu-u0"}, false);
	CHECK(plan.remove.empty());
	CHECK(plan.create == std::vector<uint32_t>{100, 16777215});
	CHECK(plan.route);
	const auto lines = frr::create_lines(plan, *frr::evpn_vtep(cfg));
	CHECK(lines ==
	      std::vector<std::string>{
	          "link add tsb100 type bridge",
	          "link add tsx100 type vxlan id 100 local 192.0.2.1 dstport 4789 nolearning",
	          "link add tsp100 type veth peer name tsq100", "link set tsx100 master tsb100",
	          "link set tsx100 type bridge_slave learning off", "link set tsp100 master tsb100",
	          "link set tsp100 type bridge_slave learning off",
	          "link add tsb16777215 type bridge",
	          "link add tsx16777215 type vxlan id 16777215 local 192.0.2.1 dstport "
	          "4789 nolearning",
	          "link add tsp16777215 type veth peer name tsq16777215",
	          "link set tsx16777215 master tsb16777215",
	          "link set tsx16777215 type bridge_slave learning off",
	          "link set tsp16777215 master tsb16777215",
	          "link set tsp16777215 type bridge_slave learning off"});
	// The peer is never brought up.
	const auto up = frr::up_lines(plan);
	CHECK(std::find(up.begin(), up.end(), "link set tsq100 up") == up.end());
	CHECK(std::find(up.begin(), up.end(), "link set tsp100 up") != up.end());
}

TEST_CASE("devices already whole are kept; stale and half-made ones are removed", "[evpn-devices]")
{
	const auto cfg = test::load_config(node(kTwo));
	const std::vector<std::string> links = {
	    "lo",          "tsb100", "tsx100", "tsp100", "tsq100",  // a: whole, kept
	    "tsb16777215",                                          // b: half made
	    "tsb300",      "tsx300", "tsp300", "tsq300",            // c: no longer EVPN
	    "tsq400",                                               // a tenant gone: its veth
	    "tsb0400"};                                             // not a name of ours
	const auto plan = frr::plan_shadow_devices(cfg, links, false);
	CHECK(plan.create == std::vector<uint32_t>{16777215});
	CHECK(plan.remove ==
	      std::vector<std::string>{"tsb300", "tsx300", "tsp300", "tsq400", "tsb16777215"});
	CHECK(frr::remove_lines(plan).front() == "link del tsb300");

	// A changed VTEP makes every wanted VNI again.
	const auto again = frr::plan_shadow_devices(cfg, links, true);
	CHECK(again.create == std::vector<uint32_t>{100, 16777215});
	CHECK(std::find(again.remove.begin(), again.remove.end(), "tsx100") != again.remove.end());
}

TEST_CASE("without node.evpn or EVPN tenants every shadow device and the route go",
          "[evpn-devices]")
{
	const std::vector<std::string> links = {"tsb100", "tsx100", "tsp100", "tsq100"};
	const auto off = test::load_config(node(R"(  - { name: a, vni: 100, hybrid_vlan: 1 }
)"));
	auto plan = frr::plan_shadow_devices(off, links, false);
	CHECK(plan.create.empty());
	CHECK(plan.remove == std::vector<std::string>{"tsb100", "tsx100", "tsp100"});
	CHECK_FALSE(plan.route);

	const auto no_node =
	    test::load_config(node("  - { name: a, vni: 100, hybrid_vlan: 1 }\n", ""));
	CHECK(frr::evpn_vnis(no_node).empty());
	CHECK(frr::plan_shadow_devices(no_node, links, false).remove.size() == 3);
}

namespace {

// Runs `body` in a child process inside a network namespace of its own, made for it and
// gone with it; the child's failures come back as text. nullopt: no namespace could be
// made (not root).
template <class F>
std::optional<std::string> in_fresh_netns(F body)
{
	int fds[2];
	REQUIRE(pipe(fds) == 0);
	const pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (unshare(CLONE_NEWNET) != 0) {
			_exit(77);
		}
		const std::string failures = body();
		(void)!write(fds[1], failures.data(), failures.size());
		_exit(0);
	}
	close(fds[1]);
	std::string out;
	char buf[4096];
	for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) {
		out.append(buf, size_t(n));
	}
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		return std::nullopt;
	}
	REQUIRE(WIFEXITED(status));
	return out;
}

std::string sh(const std::string& command)
{
	std::string out;
	frr::run_command({"/bin/sh", "-c", command}, out);
	return out;
}

}  // namespace

TEST_CASE("shadow devices are made, kept quiet and removed in a namespace of the test's own",
          "[evpn-devices][netns]")
{
	const auto on = test::load_config(node(kTwo));
	const auto off = test::load_config(node("  - { name: a, vni: 100, hybrid_vlan: 1 }\n"));
	const auto failures = in_fresh_netns([&] {
		std::string f;
		auto expect = [&](bool ok, const std::string& what) {
			if (!ok) {
				f += what + "\n";
			}
		};
		frr::EvpnDevices devices;
		std::string log;
		for (const auto& l : devices.sync(on)) {
			log += l + "\n";
		}
		for (const uint32_t vni : {100u, 16777215u}) {
			const auto n = frr::shadow_names(vni);
			for (const auto& l : {n.bridge, n.vxlan, n.port, n.peer}) {
				expect(if_nametoindex(l.c_str()) != 0, l + " missing; log: " + log);
				expect(sh("cat /proc/sys/net/ipv6/conf/" + l + "/disable_ipv6") ==
				           "1\n",
				       l + " has IPv6");
			}
		}
		const std::string vx = sh("ip -d link show tsx100");
		expect(vx.find("vxlan id 100 local 192.0.2.1") != std::string::npos,
		       "tsx100: " + vx);
		expect(vx.find("nolearning") != std::string::npos, "tsx100 learns: " + vx);
		expect(vx.find("master tsb100") != std::string::npos,
		       "tsx100 not in tsb100: " + vx);
		expect(vx.find("learning off") != std::string::npos, "tsx100 port learns: " + vx);
		expect(sh("ip -d link show tsp100").find("learning off") != std::string::npos,
		       "tsp100 port learns");
		expect(sh("ip link show tsq100").find("state DOWN") != std::string::npos,
		       "tsq100 is up");
		expect(sh("ip route show default").find("blackhole default metric 4294967295") !=
		           std::string::npos,
		       "no blackhole route: " + sh("ip route show"));
		// Somebody else's bridge with a name close to ours.
		sh("ip link add tsb0100 type bridge");
		// Nothing changes on the same configuration.
		expect(devices.sync(on).empty(), "a second sync changed something");
		devices.sync(off);
		const std::string links = sh("ip -o link show");
		expect(links.find("tsb100:") == std::string::npos &&
		           links.find("tsq16777215") == std::string::npos,
		       "left after EVPN went off: " + links);
		expect(links.find("tsb0100") != std::string::npos, "a foreign link was removed");
		expect(sh("ip route show default").empty(), "the blackhole route stays");
		return f;
	});
	if (!failures) {
		WARN("not run: no network namespace could be made (needs root)");
		return;
	}
	INFO(*failures);
	CHECK(failures->empty());
}
