#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/abi/table_view.hpp"
#include "control/compile/compiler.hpp"
#include "control/metrics/daemon_metrics.hpp"
#include "control/metrics/exposition.hpp"
#include "control/metrics/http_endpoint.hpp"
#include "control/metrics/render.hpp"
#include "tests/unit/fixtures.hpp"

namespace abi = tsunagi::abi;
namespace compile = tsunagi::compile;
namespace dp = tsunagi::dp;
namespace metrics = tsunagi::metrics;

namespace {

// Three tenants, so a cap of two leaves one over.
const char* kThreeTenants = R"(
node: { name: n1, asn: 65000, router_id: 10.255.0.1 }
ports:
  - { name: a0, role: access, device: d0 }
  - { name: t.0, role: trunk, device: d1 }
tenants:
  - { name: x, vni: 10, hybrid_vlan: 100, attachments: [ { port: a0, vlan: 5 } ] }
  - { name: y, vni: 11, hybrid_vlan: 101, attachments: [ { port: a0, vlan: 6 } ] }
  - { name: z, vni: 12, hybrid_vlan: 102, attachments: [ { port: a0, vlan: 7 } ],
      vrf: { rd: "65000:1", gateway: [10.1.0.1/24] } }
)";

struct Lines {
	std::vector<std::string> all;
	explicit Lines(const std::string& text)
	{
		std::istringstream in(text);
		for (std::string l; std::getline(in, l);) {
			all.push_back(l);
		}
	}
	// The value of the sample written exactly as `head` (name and labels).
	std::optional<std::string> value(const std::string& head) const
	{
		for (const auto& l : all) {
			if (l.rfind(head + " ", 0) == 0) {
				return l.substr(head.size() + 1);
			}
		}
		return std::nullopt;
	}
};

// A node's tables and counters as a scrape would see them.
struct Scrape {
	tsunagi::config::Config cfg = tsunagi::test::load_config(kThreeTenants);
	compile::Image img = compile::compile(cfg, 7);
	abi::TableView view{img.data()};
	metrics::Histogram latency{metrics::update_latency_bounds()};
	metrics::Snapshot snap;

	Scrape()
	{
		snap.version = "1.2.3";
		snap.view = view;
		snap.published_generation = 7;
		snap.dataplane_up = true;
		snap.in_use_generation = 7;
		snap.update_latency = &latency;
		dp::CounterTotals c;
		c.ports.resize(view.ports.size);
		c.punted.resize(view.ports.size);
		c.tenants.resize(view.tenants.size);
		c.learned_macs.resize(view.tenants.size);
		c.ports[0] = {10, 1000, 20, 2000};
		c.punted[0] = 3;
		for (const char* t : {"x", "y", "z"}) {
			const uint32_t i = view.tenant_by_name(t);
			c.tenants[i] = {uint64_t(t[0]), 100, 1, 1};
			c.learned_macs[i] = 3;
		}
		c.drops[1] = 4;
		c.mac.learned = 5;
		snap.counters = c;
		snap.workers = {{0.25, 1.0}};
		snap.vrf_routes = {{"z", 2}};
	}
};

}  // namespace

TEST_CASE("label values escape backslash, quote and newline; help text keeps quotes", "[metrics]")
{
	CHECK(metrics::escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
	CHECK(metrics::escape_help("say \"hi\"\\\n") == "say \"hi\"\\\\\\n");
	metrics::Exposition e;
	e.family("m_total", metrics::Type::counter, "help");
	e.sample("m_total", {{"port", "a\"b"}, {"x", "1"}}, uint64_t{5});
	CHECK(e.text() ==
	      "# HELP m_total help\n# TYPE m_total counter\nm_total{port=\"a\\\"b\","
	      "x=\"1\"} 5\n");
}

TEST_CASE("values are written as the official clients write them", "[metrics]")
{
	CHECK(metrics::format_value(0.0001) == "0.0001");
	CHECK(metrics::format_value(2.5) == "2.5");
	CHECK(metrics::format_value(10) == "10");
	CHECK(metrics::format_value(1.5e9) == "1.5e+09");
	CHECK(metrics::format_value(1.0 / 0.0) == "+Inf");
}

TEST_CASE("histogram buckets are cumulative and end with +Inf", "[metrics]")
{
	metrics::Histogram h({0.1, 1, 0.01});
	for (double v : {0.005, 0.01, 0.05, 0.5, 5.0}) {
		h.observe(v);
	}
	metrics::Exposition e;
	e.histogram("lat_seconds", {}, h);
	const Lines l(e.text());
	CHECK(l.value("lat_seconds_bucket{le=\"0.01\"}") == "2");  // 0.005 and 0.01 (le is <=)
	CHECK(l.value("lat_seconds_bucket{le=\"0.1\"}") == "3");
	CHECK(l.value("lat_seconds_bucket{le=\"1\"}") == "4");
	CHECK(l.value("lat_seconds_bucket{le=\"+Inf\"}") == "5");
	CHECK(l.value("lat_seconds_count") == "5");
	CHECK(std::stod(*l.value("lat_seconds_sum")) == Approx(5.565));
}

TEST_CASE("every family has HELP and TYPE once, before its samples; counters end in _total",
          "[metrics]")
{
	Scrape s;
	s.snap.bgp = std::vector<metrics::BgpSession>{{"carrier", true}};
	const Lines l(metrics::render(s.snap));
	std::map<std::string, std::string> type;  // family → type
	std::set<std::string> helped;
	std::string current;
	for (const auto& line : l.all) {
		if (line.rfind("# HELP ", 0) == 0) {
			const std::string name = line.substr(7, line.find(' ', 7) - 7);
			CHECK(helped.insert(name).second);
			current = name;
		} else if (line.rfind("# TYPE ", 0) == 0) {
			const std::string name = line.substr(7, line.find(' ', 7) - 7);
			INFO(line);
			CHECK(name == current);
			CHECK(type.emplace(name, line.substr(line.rfind(' ') + 1)).second);
		} else {
			INFO(line);
			const std::string name = line.substr(0, line.find_first_of("{ "));
			CHECK(name.rfind("tsunagi_", 0) == 0);
			const bool of_family = name == current || (type[current] == "histogram" &&
			                                           (name == current + "_bucket" ||
			                                            name == current + "_sum" ||
			                                            name == current + "_count"));
			CHECK(of_family);
		}
	}
	for (const auto& [name, t] : type) {
		INFO(name);
		CHECK(helped.count(name) == 1);
		CHECK((t == "counter") == (name.size() > 6 && name.ends_with("_total")));
	}
	CHECK(type.size() >= 25);
}

TEST_CASE("a scrape shows ports, tenants, every drop reason, generations and build info",
          "[metrics]")
{
	Scrape s;
	const Lines l(metrics::render(s.snap));
	CHECK(l.value("tsunagi_port_rx_packets_total{port=\"a0\"}") == "10");
	CHECK(l.value("tsunagi_port_tx_bytes_total{port=\"a0\"}") == "2000");
	CHECK(l.value("tsunagi_port_punted_packets_total{port=\"a0\"}") == "3");
	CHECK(l.value("tsunagi_port_rx_packets_total{port=\"t.0\"}") == "0");
	CHECK(l.value("tsunagi_tenant_rx_packets_total{tenant=\"y\"}") == std::to_string(int('y')));
	for (size_t r = 0; r < dp::kDropCount; ++r) {
		INFO(dp::kDropNames[r]);
		CHECK(l.value("tsunagi_drops_total{reason=\"" + std::string(dp::kDropNames[r]) +
		              "\"}") == (r == 1 ? "4" : "0"));
	}
	CHECK(l.value("tsunagi_mac_learned_total") == "5");
	CHECK(l.value("tsunagi_tenant_learned_macs{tenant=\"x\"}") == "3");
	CHECK(l.value("tsunagi_table_generation") == "7");
	CHECK(l.value("tsunagi_dataplane_table_generation") == "7");
	CHECK(l.value("tsunagi_build_info{version=\"1.2.3\"}") == "1");
	CHECK(l.value("tsunagi_worker_busy_seconds_total{worker=\"0\"}") == "0.25");
	CHECK(l.value("tsunagi_vrf_routes{tenant=\"z\"}") == "2");
	CHECK(!l.value("tsunagi_bgp_session_up{peer=\"carrier\"}"));  // only with FRR
	CHECK(!l.value("tsunagi_evpn_remote_vteps{tenant=\"x\"}"));   // only with EVPN
}

TEST_CASE("with EVPN a scrape shows each EVPN tenant's remote VTEPs and MACs", "[metrics]")
{
	Scrape s;
	s.snap.bgp = {{"192.0.2.9", true}};
	s.snap.evpn = {{"x", 2, 100000, 7}, {"y", 0, 0, 0}};
	const Lines l(metrics::render(s.snap));
	CHECK(l.value("tsunagi_bgp_session_up{peer=\"192.0.2.9\"}") == "1");
	CHECK(l.value("tsunagi_evpn_remote_vteps{tenant=\"x\"}") == "2");
	CHECK(l.value("tsunagi_evpn_remote_macs{tenant=\"x\"}") == "100000");
	CHECK(l.value("tsunagi_evpn_remote_macs{tenant=\"y\"}") == "0");
	CHECK(l.value("tsunagi_evpn_local_macs{tenant=\"x\"}") == "7");
}

TEST_CASE("tenants beyond the cap are summed as tenant=\"_other\"", "[metrics]")
{
	Scrape s;
	s.snap.max_tenants = 2;
	const Lines l(metrics::render(s.snap));
	int named = 0;
	for (const char* t : {"x", "y", "z"}) {
		named +=
		    l.value("tsunagi_tenant_rx_packets_total{tenant=\"" + std::string(t) + "\"}")
		        ? 1
		        : 0;
	}
	CHECK(named == 2);
	REQUIRE(l.value("tsunagi_tenant_rx_bytes_total{tenant=\"_other\"}"));
	CHECK(l.value("tsunagi_tenant_rx_bytes_total{tenant=\"_other\"}") == "100");
	CHECK(l.value("tsunagi_tenant_learned_macs{tenant=\"_other\"}") == "3");
	s.snap.max_tenants = 3;
	CHECK(!Lines(metrics::render(s.snap))
	           .value("tsunagi_tenant_rx_bytes_total{tenant=\"_other\"}"));
}

TEST_CASE("without a dataplane a scrape says so and shows no counters", "[metrics]")
{
	Scrape s;
	s.snap.dataplane_up = false;
	s.snap.counters.reset();
	const Lines l(metrics::render(s.snap));
	CHECK(l.value("tsunagi_dataplane_up") == "0");
	CHECK(!l.value("tsunagi_port_rx_packets_total{port=\"a0\"}"));
	CHECK(!l.value("tsunagi_drops_total{reason=\"malformed\"}"));
}

TEST_CASE("the update latency is observed once per generation a running dataplane switches to",
          "[metrics]")
{
	metrics::DaemonMetrics m;
	const uint64_t t = tsunagi::shm::monotonic_ns();
	m.dataplane_seen(4, t + 10, 4, t + 500);    // a dataplane starting: not an update
	m.dataplane_seen(5, t + 1000, 4, t + 500);  // still on the previous one
	CHECK(m.update_latency().count() == 0);
	m.dataplane_seen(5, t + 1000, 5, t + 3'001'000);
	m.dataplane_seen(5, t + 1000, 5, t + 3'001'000);
	REQUIRE(m.update_latency().count() == 1);
	CHECK(m.update_latency().sum() == Approx(0.003));
}

TEST_CASE("--metrics-address takes HOST:PORT, [IPV6]:PORT and none", "[metrics]")
{
	std::string err;
	auto a = metrics::parse_listen_address("127.0.0.1:9469", err);
	REQUIRE(a);
	CHECK(a->addr.ss_family == AF_INET);
	a = metrics::parse_listen_address("[::1]:9469", err);
	REQUIRE(a);
	CHECK(a->addr.ss_family == AF_INET6);
	CHECK(!metrics::parse_listen_address("none", err));
	CHECK(err.empty());
	for (const char* bad : {"", "9469", "::1:9469", "[::1]", "1.2.3.4:0", "1.2.3.4:65536",
	                        "host:80", "1.2.3.4:x"}) {
		INFO(bad);
		CHECK(!metrics::parse_listen_address(bad, err));
		CHECK(err.find("--metrics-address") != std::string::npos);
	}
}

namespace {

// One HTTP/1.0 exchange with `ep`, served from this thread as tsunagid's loop would.
std::string fetch(metrics::HttpEndpoint& ep, const std::string& request)
{
	const int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_port = htons(ep.port());
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
	REQUIRE(write(fd, request.data(), request.size()) == ssize_t(request.size()));
	std::string out;
	for (int i = 0; i < 500; ++i) {
		ep.serve();
		pollfd p{fd, POLLIN, 0};
		if (poll(&p, 1, 10) == 1) {
			char buf[4096];
			const ssize_t n = read(fd, buf, sizeof(buf));
			if (n <= 0) {
				break;
			}
			out.append(buf, size_t(n));
		}
	}
	close(fd);
	return out;
}

}  // namespace

TEST_CASE("the endpoint serves GET /metrics, 404 elsewhere and 405 for other methods", "[metrics]")
{
	std::string err;
	auto where = metrics::parse_listen_address("127.0.0.1:1", err);
	REQUIRE(where);
	reinterpret_cast<sockaddr_in*>(&where->addr)->sin_port = 0;  // any free port
	int renders = 0;
	auto ep = metrics::HttpEndpoint::open(
	    *where, [&] { return "m " + std::to_string(++renders) + "\n"; }, err);
	REQUIRE(ep);
	std::vector<pollfd> fds;
	ep->add_fds(fds);
	CHECK(fds.size() == 1);
	CHECK(fds[0].fd >= 0);

	const std::string ok = fetch(*ep, "GET /metrics HTTP/1.0\r\n\r\n");
	INFO(ok);
	CHECK(ok.rfind("HTTP/1.1 200", 0) == 0);
	CHECK(ok.find("Content-Type: text/plain; version=0.0.4; charset=utf-8") !=
	      std::string::npos);
	CHECK(ok.ends_with("\r\n\r\nm 1\n"));
	CHECK(fetch(*ep, "GET /other HTTP/1.0\r\n\r\n").find(" 404 ") != std::string::npos);
	const std::string post =
	    fetch(*ep, "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
	CHECK(post.find(" 405 ") != std::string::npos);
	CHECK(post.find("Allow: GET, HEAD") != std::string::npos);
	CHECK(renders == 1);  // only a good request renders
	// Garbage is refused (MHD answers 400 or closes) and the endpoint goes on serving.
	CHECK(fetch(*ep, "garbage\r\n\r\n").find(" 200 ") == std::string::npos);
	CHECK(fetch(*ep, "GET /metrics HTTP/1.0\r\n\r\n").ends_with("m 2\n"));

	// The address in use: a clear error, no crash.
	auto taken = metrics::parse_listen_address("127.0.0.1:" + std::to_string(ep->port()), err);
	CHECK(!metrics::HttpEndpoint::open(
	    *taken, [] { return std::string(); }, err));
	CHECK(err.find("cannot listen on 127.0.0.1:") != std::string::npos);

	// The daemon's listener says it will try again, and goes on without one meanwhile.
	metrics::DaemonMetrics m;
	CHECK(!m.listen(
	    *taken, 10, [] { return metrics::Sources{}; }, err));
	CHECK(err.find("trying again") != std::string::npos);
	CHECK(m.serve().empty());
	fds.clear();
	m.add_fds(fds);
	CHECK(fds.empty());
}

TEST_CASE("learned MACs of several workers are the largest table's count, traffic is summed",
          "[metrics]")
{
	std::vector<dp::WorkerCounters> w(2);
	std::memset(static_cast<void*>(w.data()), 0, sizeof(dp::WorkerCounters) * w.size());
	w[0].learned_macs[1] = 4;
	w[1].learned_macs[1] = 6;
	w[0].tenants[1].rx_packets = 4;
	w[1].tenants[1].rx_packets = 6;
	const dp::WorkerCounters* p[] = {&w[0], &w[1]};
	const dp::CounterTotals t = dp::add_up(p, 2, 1, 2);
	CHECK(t.learned_macs[1] == 6);
	CHECK(t.tenants[1].rx_packets == 10);
}
