// What the loader makes of input an operator's hands produce: a file too large or not a
// file at all, bytes no terminal should receive, indentation gone wrong, paths and device
// strings that would hurt only later (common/config/loader.hpp, yaml_syntax.hpp).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include "common/config/loader.hpp"
#include "common/config/yaml_syntax.hpp"
#include "tests/unit/fixtures.hpp"

using namespace tsunagi::config;
using tsunagi::test::TempDir;

namespace {

const std::string kNode = R"(node:
  name: n1
  asn: 65000
  router_id: 10.255.0.1
ports:
  - { name: a0, role: access, device: "net_af_packet0,iface=veth0" }
)";

std::string errors_of(const LoadResult& r)
{
	std::string out;
	for (const auto& e : r.errors) {
		out += e.to_string() + "\n";
	}
	return out;
}

}  // namespace

TEST_CASE("a configuration over the size limit is refused before it is parsed", "[config]")
{
	TempDir d;
	const std::string big = kNode + std::string(4096, '#') + "\n";
	const std::string path = d.write("big.yaml", big);
	auto r = load_file(path, 4096);
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].to_string() ==
	      path + ": the configuration is " + std::to_string(big.size()) +
	          " bytes, over the limit of 4096 bytes (--max-config-size)");
	CHECK_FALSE(r.config);
	// The same text from elsewhere (a rollback) is held to the same limit.
	r = load_string(big, "rollback 1", 4096);
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].message.find("over the limit of 4096 bytes") != std::string::npos);
	CHECK(load_file(path).errors.empty());  // the default limit is 16 MiB
	CHECK(kDefaultMaxConfigBytes == size_t{16} << 20);
}

TEST_CASE("a directory or a device given as the configuration says what it is", "[config]")
{
	TempDir d;
	auto r = load_file(d.path);
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].to_string() == d.path + ": is a directory, not a YAML file");
	r = load_file("/dev/null");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].message == "is not a regular file");
}

TEST_CASE("error messages never carry control bytes from the file", "[config]")
{
	// A NUL after a backslash in a quoted scalar: the parser quotes the byte it refuses.
	const std::string binary = std::string("node:\n  name: \"a\\") + '\0' + "\x1b[31m\"\n";
	const auto r = load_string(binary, "bin.yaml");
	REQUIRE_FALSE(r.errors.empty());
	for (const auto& e : r.errors) {
		const std::string s = e.to_string();
		INFO(s);
		CHECK(std::none_of(s.begin(), s.end(), [](char c) {
			return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
		}));
	}
	CHECK(errors_of(r).find("\\x00") != std::string::npos);
	// A key with an escape sequence in it is quoted the same way.
	const auto k = load_string(kNode + "tenants:\n  - \"x\\e[2J\": 1\n", "k.yaml");
	CHECK(errors_of(k).find("\\x1b") != std::string::npos);
}

TEST_CASE("runtime_dir must be absolute and normalised", "[config]")
{
	auto with = [](const std::string& dir) {
		return load_string(
		    "node:\n  name: n1\n  asn: 1\n  router_id: 10.0.0.1\n"
		    "  runtime_dir: \"" +
		        dir + "\"\nports: []\n",
		    "t.yaml");
	};
	CHECK(with("/run/tsunagi-a").errors.empty());
	CHECK(with("/run/tsunagi/node.1").errors.empty());
	for (const auto& [dir, why] : std::vector<std::pair<std::string, std::string>>{
	         {"/run/tsunagi/../../tmp", "must be normalised: no '.' or '..' components"},
	         {"/run/./tsunagi", "must be normalised: no '.' or '..' components"},
	         {"/run/tsunagi/", "must not end in '/'"},
	         {"/run//tsunagi", "must not contain '//'"},
	         {"/", "must not be the root directory"},
	         {"run/tsunagi", "must be an absolute path"},
	         {"/" + std::string(90, 'x'), "is longer than 80 characters"}}) {
		const auto r = with(dir);
		INFO(dir << ": " << errors_of(r));
		REQUIRE(r.errors.size() == 1);
		CHECK(r.errors[0].line == 5);
		CHECK(r.errors[0].message.find("node.runtime_dir: runtime_dir \"") == 0);
		CHECK(r.errors[0].message.find(why) != std::string::npos);
	}
}

TEST_CASE("a device string is what DPDK takes, never shell syntax", "[config]")
{
	auto with = [](const std::string& device) {
		return load_string(
		    "node:\n  name: n1\n  asn: 1\n  router_id: 10.0.0.1\nports:\n"
		    "  - { name: a0, role: access, device: '" +
		        device + "' }\n",
		    "t.yaml");
	};
	for (const char* ok : {"0000:3b:00.0", "net_af_packet0,iface=veth-cloud,qpairs=2",
	                       "net_pcap0,rx_pcap=/var/tmp/in.pcap,infinite_rx=1", "net_null0",
	                       "net_ring0", "0000:5e:00.1,representor=[0-3]"}) {
		INFO(ok);
		CHECK(with(ok).errors.empty());
	}
	for (const char* bad :
	     {"net_tap0,iface=x;reboot", "$(id)", "a b", "net_null0|x", "`x`", "x&y", "a>b", ""}) {
		const auto r = with(bad);
		INFO(bad << ": " << errors_of(r));
		REQUIRE(r.errors.size() == 1);
		CHECK(r.errors[0].line == 6);
		CHECK((r.errors[0].message.find("is not a DPDK device") != std::string::npos ||
		       r.errors[0].message.find("must not be empty") != std::string::npos));
	}
}

TEST_CASE("a key indented too far is named, with the key whose column it should have", "[config]")
{
	const auto r = load_string(R"(node:
  name: a
  asn: 1
    router_id: 10.0.0.1
ports: []
)",
	                           "t.yaml");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].to_string() ==
	      "t.yaml:4:5: node: YAML syntax error: \"router_id\" is indented more (column 5) "
	      "than \"asn\" on line 3 (column 3), whose value is already given; the keys of one "
	      "mapping start in the same column (the parser says: illegal map value)");
}

TEST_CASE("a key indented too little says which levels it could line up with", "[config]")
{
	const auto r = load_string(R"(node: { name: a, asn: 1, router_id: 10.0.0.1 }
ports: []
tenants:
  - name: x
    vni: 1
    attachments:
      - port: a
        vlan: 3
     inner_vlan: 4
)",
	                           "t.yaml");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].to_string() ==
	      "t.yaml:9:6: tenants[0].attachments: YAML syntax error: \"inner_vlan\" is indented "
	      "to column 6, which lines up with nothing above it (keys there start at columns "
	      "1, 5 and 9, list items at columns 3 and 7); line it up with the keys it belongs "
	      "with (the parser says: end of map not found)");
}

TEST_CASE("syntax errors in lists, tabs and values name their place too", "[config]")
{
	// The second item's key under-indented: the path is the list's.
	auto r = load_string("tenants:\n  - name: x\n    vni: 1\n   hybrid_vlan: 4\n", "t.yaml");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].line == 4);
	CHECK(r.errors[0].column == 4);
	CHECK(r.errors[0].message.find("tenants[0]: YAML syntax error: \"hybrid_vlan\" is "
	                               "indented to column 4") == 0);
	r = load_string("node:\n\tname: a\n", "t.yaml");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].message.find("line 2 is indented with a tab") != std::string::npos);
	r = load_string("node:\n  name: a: b\n", "t.yaml");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].message ==
	      "node: YAML syntax error: the value of \"name\" contains \": \"; put it in quotes "
	      "(the parser says: illegal map value)");
	r = load_string("node: - a\n", "t.yaml");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].message.find("a list item (\"- \") where a value was expected") !=
	      std::string::npos);
	r = load_string("node:\n  name: [a, b\n", "t.yaml");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].message.find("is not closed") != std::string::npos);
}

TEST_CASE("reading the structure skips comments, block scalars and documents", "[config]")
{
	const std::string text =
	    "# head\n---\nnode:\n  # a comment\n  banner: |\n    a: b\n"
	    "      c: d\n  name: x\n    bad: 1\n";
	const auto e = explain_syntax_error(text, 8, 7, "illegal map value");
	CHECK(e.line == 9);
	CHECK(e.path == "node");
	CHECK(e.message.find("\"bad\" is indented more (column 5) than \"name\" on line 8") !=
	      std::string::npos);
	// No position: the parser's words, as they are.
	const auto none = explain_syntax_error(text, -1, -1, "unexpected end");
	CHECK(none.line == 0);
	CHECK(none.message == "YAML syntax error: unexpected end");
}
