// The shell (control/shell): its grammar (abbreviations, `?`, Tab, pipes, modes, `do`) and
// what its show commands print, against a node compiled from a small configuration.
#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/pkt/describe.hpp"
#include "control/compile/compiler.hpp"
#include "control/shell/command_tree.hpp"
#include "control/shell/shell.hpp"
#include "control/shell/trace_view.hpp"
#include "fake_backend.hpp"
#include "fixtures.hpp"

using namespace tsunagi;
using shell::Mode;
using test::FakeBackend;
using test::kNode;

namespace {

std::vector<shell::Filter> sh_filter(const std::string& pattern)
{
	return {{shell::Filter::Kind::include, pattern,
	         std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial)}};
}

std::string run(shell::Shell& sh, shell::Session& s, const std::string& line, bool ok = true)
{
	const auto r = sh.exec(s, line);
	INFO(line << " -> " << r.output);
	CHECK(r.ok == ok);
	return r.output;
}

}  // namespace

TEST_CASE("every command's syntax is a valid path of the grammar", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	CHECK(sh.valid());
	CHECK(sh.syntaxes().size() >= 16);
}

TEST_CASE("unique prefixes abbreviate; ambiguous and unknown words are refused", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	CHECK(run(sh, s, "sh ten").find("alpha") != std::string::npos);
	CHECK(run(sh, s, "show tenants") == run(sh, s, "sh tenants"));
	// "show i" may be interfaces, ip or ipv6.
	// "show d" may be drops or dataplane, both complete commands.
	CHECK(run(sh, s, "show d", false) == "% Ambiguous command: show d\n");
	// "show tenant" needs a name, so "sh ten" can only be "show tenants"; with a name
	// it can only be "show tenant".
	CHECK(run(sh, s, "sh ten alpha").find("Tenant alpha") != std::string::npos);
	CHECK(run(sh, s, "show nothing", false) == "% Unknown command: nothing\n");
	CHECK(run(sh, s, "show", false) == "% Command incomplete: show\n");
	// An exact keyword wins over the longer one it prefixes.
	run(sh, s, "show ip route");
	CHECK(b.vtysh_commands.back() == "show ip route");
	CHECK(run(sh, s, "").empty());
}

TEST_CASE("? lists the next words with help, Tab completes names", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	const auto top = sh.help(s, "").output;
	CHECK(top.find("show") != std::string::npos);
	CHECK(top.find("configure") != std::string::npos);
	const auto after_show = sh.help(s, "show ").output;
	CHECK(after_show.find("  tenants ") != std::string::npos);
	CHECK(after_show.find("Every tenant") != std::string::npos);
	const auto partial = sh.help(s, "show t").output;
	CHECK(partial.find("tenants") != std::string::npos);
	CHECK(partial.find("tenant ") != std::string::npos);
	CHECK(partial.find("drops") == std::string::npos);
	const auto end = sh.help(s, "show drops ").output;
	CHECK(end.find("json") != std::string::npos);
	CHECK(end.find("<cr>") != std::string::npos);
	CHECK(end.find("|") != std::string::npos);
	CHECK(sh.help(s, "show tenant ").output.find("TENANT") != std::string::npos);
	CHECK(sh.help(s, "bogus ").output == "% There is no matched command.\n");

	CHECK(sh.complete(s, "sh") == std::vector<std::string>{"show"});
	CHECK(sh.complete(s, "show tenant ") == std::vector<std::string>{"alpha", "beta"});
	CHECK(sh.complete(s, "show tenant b") == std::vector<std::string>{"beta"});
	// Only tenants with a VRF are VRFs.
	CHECK(sh.complete(s, "show vrf ") == std::vector<std::string>{"alpha"});
	CHECK(sh.complete(s, "show drops | ") ==
	      std::vector<std::string>{"begin", "count", "exclude", "include"});
}

TEST_CASE("| include, exclude, begin and count filter the output", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	CHECK(run(sh, s, "show tenants | include beta").find("alpha") == std::string::npos);
	CHECK(run(sh, s, "show tenants | include beta").find("beta") != std::string::npos);
	CHECK(run(sh, s, "show tenants | exclude alpha").find("alpha") == std::string::npos);
	CHECK(run(sh, s, "show tenants | count") == "3\n");  // header and two tenants
	CHECK(run(sh, s, "show tenants | begin beta | count") == "1\n");
	CHECK(run(sh, s, "sh ten | inc ^beta") == run(sh, s, "show tenants | include ^beta"));
	CHECK(run(sh, s, "show drops | include [", false).rfind("% Invalid regular", 0) == 0);
	CHECK(run(sh, s, "show tenants |", false).rfind("% Command incomplete", 0) == 0);
	CHECK(run(sh, s, "show tenants | include " + std::string(300, 'a'), false)
	          .rfind("% Regular expression too long", 0) == 0);
	// A pattern that makes the matcher recurse per character, over a long line: bounded.
	const std::string long_line(100000, 'a');
	CHECK(shell::apply_filters(long_line + "\nb\n", {{shell::Filter::Kind::include, "(a|b)*c",
	                                                  std::regex("(a|b)*c")}})
	          .empty());
	// Exponential for a backtracking matcher; the shell's is polynomial, and bounded in time.
	const auto t0 = std::chrono::steady_clock::now();
	std::string many;
	for (int i = 0; i < 200; ++i) {
		many += std::string(40, 'a') + "\n";
	}
	CHECK(run(sh, s, "show running-config | include (.|.)*QQ").empty());
	const auto out = shell::apply_filters(many, sh_filter("(.|.)*x"));
	CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
	// No line matches; where the matcher is slow (a sanitizer build on a busy machine) the
	// filter may also stop at its 2 s budget and say so, which is not a match either.
	CHECK(out.find(std::string(40, 'a')) == std::string::npos);
	CHECK((out.empty() || out.starts_with("% Filter stopped")));
	CHECK(run(sh, s, "show tenants | include (a)\\1", false).rfind("% Invalid regular", 0) ==
	      0);
	// Numbers libstdc++ would overflow reading (found by the shell fuzzer): refused.
	for (const char* p : {"x\\77777777777777777777", "a{99999999999999999999}",
	                      "a{1,99999999999}", "[\\12345678901234567890]"}) {
		CHECK(run(sh, s, std::string("show drops | begin ") + p, false)
		          .rfind("% Invalid regular expression: a number in it has more than", 0) ==
		      0);
	}
	CHECK(run(sh, s, "show tenants | include a{1,2}").find("alpha") != std::string::npos);
	CHECK(run(sh, s, "show tenants | include 12345678901234").empty());
	CHECK(run(sh, s, "show tenants | include \\{77777777777").empty());
}

TEST_CASE("configure mode: reload, do, exit and end", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	std::vector<std::string> audit;
	sh.audit = [&](const std::string& l) { audit.push_back(l); };
	s.user = "alice";
	CHECK(sh.prompt(s) == "n1# ");
	run(sh, s, "conf t");
	CHECK(s.mode == Mode::configure);
	CHECK(sh.prompt(s) == "n1(config)# ");
	CHECK(run(sh, s, "show tenants", false) ==
	      "% \"show tenants\" is an exec-mode command: `do show tenants` runs it from "
	      "configure mode\n");
	CHECK(run(sh, s, "shw tenants", false) == "% Unknown command: shw\n");
	CHECK(run(sh, s, "do show tenants").find("alpha") != std::string::npos);
	CHECK(s.mode == Mode::configure);
	CHECK(run(sh, s, "reload check") == "tenant gamma: added\n");
	CHECK(run(sh, s, "reload") == "tenant gamma: added\n");
	CHECK(b.reloads == std::vector<bool>{true, false});
	CHECK(audit == std::vector<std::string>{"alice ran reload"});
	run(sh, s, "reload confirm-within 30");
	CHECK(b.confirm_within.back() == 30);
	CHECK(run(sh, s, "reload confirm-within 0", false) ==
	      "% Value out of range: 0 (SECONDS is 1-86400)\n");
	CHECK(run(sh, s, "reload confirm-within x", false) == "% Unknown command: x\n");
	CHECK(run(sh, s, "conf") == "confirmed\n");  // `confirm` and `confirm-within` differ
	run(sh, s, "rollback 2");
	CHECK(b.rollbacks == std::vector<uint32_t>{2});
	CHECK(run(sh, s, "rollback 10", false) == "% Value out of range: 10 (N is 1-9)\n");
	const auto hist = nlohmann::json::parse(run(sh, s, "do show config-history json"));
	CHECK(hist["history"][1]["origin"] == "startup");
	CHECK(hist["history"][1]["rollback"] == 1);
	CHECK(hist["confirmDeadlineSeconds"] == 42);
	CHECK(run(sh, s, "do show config-history").find("Rolls back in 42 s") != std::string::npos);
	run(sh, s, "end");
	CHECK(s.mode == Mode::exec);
	run(sh, s, "configure");
	run(sh, s, "exit");
	CHECK(s.mode == Mode::exec);
	CHECK(sh.exec(s, "exit").close);
}

TEST_CASE("configure-mode refusals read as vtysh's, behind a %", "[shell]")
{
	struct Refusing : FakeBackend {
		shell::ReloadResult confirm() override
		{
			return {false, {"no reload awaits confirmation"}};
		}
		shell::ReloadResult rollback(uint32_t) override
		{
			return {false,
			        {"t.yaml:3:1: node: bad", "% already marked",
			         "1 error(s) in t.yaml; the running configuration stays"}};
		}
	} b;
	shell::Shell sh(b);
	shell::Session s;
	run(sh, s, "configure");
	CHECK(run(sh, s, "confirm", false) == "% no reload awaits confirmation\n");
	CHECK(run(sh, s, "rollback 1", false) ==
	      "% t.yaml:3:1: node: bad\n% already marked\n"
	      "% 1 error(s) in t.yaml; the running configuration stays\n");
	// What succeeds is not marked.
	CHECK(run(sh, s, "reload") == "tenant gamma: added\n");
}

TEST_CASE("show commands: text and json say the same, with documented keys", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	auto json = [&](const std::string& line) {
		return nlohmann::json::parse(run(sh, s, line + " json"));
	};
	const auto tenants = json("show tenants");
	REQUIRE(tenants["tenants"].size() == 2);
	CHECK(tenants["tenants"][1]["name"] == "beta");
	CHECK(tenants["tenants"][1]["txPackets"] == 5);
	CHECK(tenants["tenants"][0]["vrf"] == true);

	const auto alpha = json("show tenant alpha");
	CHECK(alpha["attachments"][1]["innerVlan"] == 7);
	CHECK(alpha["vrf"]["rd"] == "65000:1");
	CHECK(alpha["vrf"]["label"].is_number());
	CHECK(run(sh, s, "show tenant nobody", false) == "% No tenant named nobody\n");

	CHECK(json("show attachments")["attachments"].size() == 3);
	const auto vteps = json("show vteps")["vteps"];
	REQUIRE(vteps.size() == 1);
	CHECK(vteps[0]["vtep"] == "192.0.2.2");
	CHECK(vteps[0]["tenants"] == nlohmann::json::array({"alpha"}));

	const auto routes = json("show vrf alpha routes")["routes"];
	bool carrier = false, stat = false;
	for (const auto& r : routes) {
		if (r["prefix"] == "172.16.0.0/12") {
			carrier = r["nextHops"][0]["type"] == "optionB" &&
			          r["nextHops"][0]["labels"] == nlohmann::json::array({3001}) &&
			          r["nextHops"][0]["mac"] == "02:cc:00:00:00:01";
		}
		stat = stat || r["prefix"] == "10.9.0.0/16";
	}
	CHECK(carrier);
	CHECK(stat);
	CHECK(run(sh, s, "show vrf alpha routes").find("172.16.0.0/12  optionB ix0 label 3001") !=
	      std::string::npos);
	CHECK(run(sh, s, "show vrf beta routes", false) == "% No VRF named beta\n");

	const auto ifs = json("show interfaces")["interfaces"];
	CHECK(ifs[0]["name"] == "a0");
	CHECK(ifs[0]["rxPackets"] == 11);
	CHECK(ifs[1]["puntedPackets"] == 3);
	CHECK(ifs[1]["addresses"][0] == "192.0.2.1/24");

	const auto drops = json("show drops");
	CHECK(drops["total"] == 9);
	CHECK(drops["drops"][size_t(dp::Drop::unknown_vlan)]["reason"] == "unknown_vlan");
	CHECK(run(sh, s, "show drops | include unknown_vlan").find(" 9 ") != std::string::npos);

	const auto d = json("show dataplane");
	CHECK(d["publishedGeneration"] == 7);
	CHECK(d["inUseGeneration"] == 7);
	CHECK(d["updateLatencyUs"] == 850);
	CHECK(d["tables"]["tenants"] == 2);

	const auto rc = json("show running-config");
	CHECK(rc["config"]["node"]["asn"] == 65000);
	CHECK(rc["config"]["tenants"][0]["vrf"]["rd"] == "65000:1");
	CHECK(run(sh, s, "show running-config") == kNode);
}

TEST_CASE("show mac-table merges the workers' entries; clear mac-table clears", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	const auto j = nlohmann::json::parse(run(sh, s, "show mac-table json"));
	REQUIRE(j["entries"].size() == 2);
	CHECK(j["entries"][0] == nlohmann::json{{"tenant", "alpha"},
	                                        {"mac", "02:00:00:00:00:01"},
	                                        {"port", "a0"},
	                                        {"vlan", 5},
	                                        {"innerVlan", 0},
	                                        {"vtep", nullptr},
	                                        {"type", "dynamic"},
	                                        {"ageSeconds", 1}});
	CHECK(j["entries"][1]["type"] == "static");
	CHECK(j["entries"][1]["ageSeconds"].is_null());
	CHECK(b.dumped.back() == abi::kAllTenants);
	run(sh, s, "show mac-table tenant beta");
	CHECK(b.dumped.back() == b.tables().tenant_by_name("beta"));
	CHECK(run(sh, s, "show mac-table").find("02:00:00:00:00:01  a0 vlan 5  dynamic  1s") !=
	      std::string::npos);
	CHECK(run(sh, s, "show mac-table tenant nobody", false) == "% No tenant named nobody\n");
	CHECK(run(sh, s, "clear mac-table") == "cleared 7 dynamic entries\n");
	CHECK(b.cleared.back() == abi::kAllTenants);
	run(sh, s, "clear mac-table tenant alpha");
	CHECK(b.cleared.back() == b.tables().tenant_by_name("alpha"));
}

TEST_CASE("trace sends the frame's bytes and shows the verdict in words", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	// 802.1Q vlan 5, IPv4 10.0.0.1 > 10.0.0.2, ICMP echo.
	const std::string hex =
	    "02:00:00:00:00:02 02:00:00:00:00:01 8100 0005 0800 "
	    "4500001c000000004001 0000 0a000001 0a000002 0800f7ff00000000";
	const auto out = run(sh, s, "trace a0 " + hex);
	REQUIRE(b.traced.size() == 1);
	CHECK(b.traced[0].first == 0);
	CHECK(b.traced[0].second.size() == 46);
	CHECK(uint8_t(b.traced[0].second[12]) == 0x81);
	CHECK(out.find("Frame on a0, 46 bytes:") != std::string::npos);
	CHECK(out.find("  Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02") != std::string::npos);
	CHECK(out.find("  802.1Q vlan 5 pcp 0") != std::string::npos);
	CHECK(out.find("  IPv4 10.0.0.1 > 10.0.0.2 ttl 64") != std::string::npos);
	CHECK(out.find("  ICMP type 8 code 0") != std::string::npos);
	CHECK(out.find("Tenant: alpha") != std::string::npos);
	CHECK(out.find("the source MAC is new and was learned") != std::string::npos);
	CHECK(out.find("  -> u0, 46 bytes:") != std::string::npos);
	CHECK(run(sh, s, "trace nowhere 00", false) == "% No port named nowhere\n");
	CHECK(run(sh, s, "trace a0 0201", false).rfind("% A frame is whole bytes", 0) == 0);
	CHECK(run(sh, s, "trace a0 zz" + hex, false).rfind("% Not a hexadecimal", 0) == 0);
	CHECK(b.traced.size() == 1);
	CHECK(sh.complete(s, "trace ") == std::vector<std::string>{"a0", "ix0", "u0"});
}

TEST_CASE("frames described header by header, VXLAN and MPLS inside", "[shell]")
{
	auto bytes = [](const std::string& hex) {
		std::string frame, error;
		REQUIRE(shell::parse_hex_frame(hex, frame, error));
		return frame;
	};
	// VXLAN over IPv4: outer Ethernet, IPv4, UDP 4789, VNI 100001, inner Ethernet + ARP.
	const std::string vx = bytes(
	    "0200000000aa 0200000000bb 0800 4500004e00000000401100000a0000010a000002 "
	    "c00112b5003a0000 08000000 0186a100 "
	    "ffffffffffff 020000000001 0806 0001080006040001 020000000001 0a010001 000000000000 "
	    "0a010002");
	const auto d = pkt::describe_frame(reinterpret_cast<const uint8_t*>(vx.data()), vx.size());
	REQUIRE(d.size() == 6);
	CHECK(d[2] == "UDP 49153 > 4789");
	CHECK(d[3] == "VXLAN vni 100001");
	CHECK(d[4] == "  Ethernet 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff");
	CHECK(d[5] == "  ARP who-has 10.1.0.2 tell 10.1.0.1");
	// MPLS label 3001 bottom of stack, then IPv4; and a truncated IPv4 header.
	const std::string mp = bytes("0200000000aa 0200000000bb 8847 00bb913f 45000014");
	const auto m = pkt::describe_frame(reinterpret_cast<const uint8_t*>(mp.data()), mp.size());
	REQUIRE(m.size() == 3);
	CHECK(m[1] == "MPLS label 3001 ttl 63 (bottom)");
	CHECK(m[2] == "IPv4 (truncated: 4 of 20 bytes)");
}

TEST_CASE("every JSON key of every show command is in docs/shell.md", "[shell]")
{
	// The keys are a stable interface: a key renamed or added without its documentation
	// fails here. running-config's "config" is the operator's YAML, not ours.
	std::ifstream in(std::string(TSUNAGI_TEST_DATA) + "/../../../docs/shell.md");
	REQUIRE(in);
	std::stringstream ss;
	ss << in.rdbuf();
	const std::string doc = ss.str();
	auto section = [&](const std::string& command) {
		const size_t a = doc.find("- `" + command + "`: ");
		REQUIRE(a != std::string::npos);
		const size_t b = doc.find("\n- `", a + 1);
		return doc.substr(a, b == std::string::npos ? std::string::npos : b - a);
	};
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	const std::vector<std::pair<std::string, std::string>> commands = {
	    {"show tenants", "show tenants"},
	    {"show tenant alpha", "show tenant NAME"},
	    {"show attachments", "show attachments"},
	    {"show vteps", "show vteps"},
	    {"show vrf alpha routes", "show vrf NAME routes"},
	    {"show interfaces", "show interfaces"},
	    {"show drops", "show drops"},
	    {"show dataplane", "show dataplane"},
	    {"show mac-table", "show mac-table"},
	    {"show running-config", "show running-config"},
	    {"show config-history", "show config-history"},
	};
	for (const auto& [line, documented] : commands) {
		const std::string text = section(documented);
		std::function<void(const nlohmann::json&, bool)> keys = [&](const nlohmann::json& j,
		                                                            bool ours) {
			if (j.is_object()) {
				for (const auto& [k, v] : j.items()) {
					INFO(line << ": key " << k);
					CHECK((!ours ||
					       text.find("\"" + k + "\"") != std::string::npos));
					keys(v, ours && k != "config");
				}
			} else if (j.is_array()) {
				for (const auto& e : j) {
					keys(e, ours);
				}
			}
		};
		keys(nlohmann::json::parse(run(sh, s, line + " json")), true);
	}
}

TEST_CASE("routing commands pass through to FRR's vtysh, filters included", "[shell]")
{
	FakeBackend b;
	shell::Shell sh(b);
	shell::Session s;
	CHECK(run(sh, s, "sh bgp summary | include Estab") == "Neighbor 203.0.113.1 Established\n");
	CHECK(b.vtysh_commands.back() == "show bgp summary");
	run(sh, s, "show ipv6 route vrf alpha json");
	CHECK(b.vtysh_commands.back() == "show ipv6 route vrf alpha json");
}
