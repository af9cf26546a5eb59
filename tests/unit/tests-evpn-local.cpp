// The node's learned MACs out to BGP EVPN: the dataplane's MAC log (common/shm/mac_log.hpp),
// tsunagid following it (LearnedMacs), the choice of what is advertised (evpn_local_macs)
// and the shadow ports' FDB lines (control/frr/evpn_fdb.hpp).
#include <catch2/catch.hpp>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/values.hpp"
#include "control/compile/compiler.hpp"
#include "control/daemon/evpn_local.hpp"
#include "control/dataplane_link/command_client.hpp"
#include "control/dataplane_link/learned_macs.hpp"
#include "control/frr/evpn_fdb.hpp"
#include "dataplane/pipeline/mac_table.hpp"
#include "fixtures.hpp"

using namespace tsunagi;

namespace {

struct Log {
	std::vector<shm::MacEvent> ring;
	std::atomic<uint64_t> head{0};
	explicit Log(uint32_t n) : ring(n) {}
	shm::MacLogWriter writer() { return {ring.data(), uint32_t(ring.size()), &head}; }
	shm::MacLogReader reader() const { return {ring.data(), uint32_t(ring.size()), &head}; }
};

const uint8_t kMac[6] = {0x02, 0, 0, 0, 0, 0x01};

frr::ShadowMac shadow(uint32_t vni, const char* mac)
{
	return {vni, *config::parse_mac(mac)};
}

}  // namespace

TEST_CASE("mac log: events read in order; a reader a ring behind is told it lost track",
          "[evpn][local]")
{
	Log log(8);
	auto w = log.writer();
	for (uint64_t i = 0; i < 5; ++i) {
		w.append(i, uint32_t(i + 100), 3);
	}
	std::vector<shm::MacEvent> out;
	uint64_t next = 0;
	REQUIRE(log.reader().read(next, out, 3));
	CHECK(next == 3);
	REQUIRE(log.reader().read(next, out, 100));
	REQUIRE(out.size() == 5);
	CHECK(out[4].key == 4);
	CHECK(out[4].member == 104);
	CHECK(out[4].epoch == 3);
	CHECK(next == 5);

	for (uint64_t i = 5; i < 14; ++i) {  // 9 more: event 5 is overwritten by event 13
		w.append(i, 0, 3);
	}
	out.clear();
	CHECK_FALSE(log.reader().read(next, out, 100));
	uint64_t fresh = log.reader().head();
	CHECK(log.reader().read(fresh, out, 100));
	CHECK(out.empty());
}

TEST_CASE("mac table: what is learned, moved, aged and pinned reaches the log", "[evpn][local]")
{
	Log log(64);
	dp::MacTable macs(64);
	macs.set_log(log.writer());
	const uint64_t k = dp::MacTable::key(2, kMac);
	CHECK(macs.learn(k, 7, 100, 0, 300) == dp::MacTable::Learn::learned);
	CHECK(macs.learn(k, 7, 101, 0, 300) == dp::MacTable::Learn::refreshed);  // no event
	CHECK(macs.learn(k, 8, 102, 0, 300) == dp::MacTable::Learn::moved);
	CHECK(macs.age(1000, 300, 64) == 1);
	macs.learn(k, 9, 1000, 0, 300);
	macs.add_static(k, 9);  // pinned by the tables: no longer a learned MAC
	macs.erase(k);          // a static entry's removal is not learning's

	std::vector<shm::MacEvent> ev;
	uint64_t next = 0;
	REQUIRE(log.reader().read(next, ev, 100));
	REQUIRE(ev.size() == 5);
	CHECK((ev[0].key == k && ev[0].member == 7));
	CHECK(ev[1].member == 8);
	CHECK(ev[2].member == abi::kNone);
	CHECK(ev[3].member == 9);
	CHECK(ev[4].member == abi::kNone);

	control::LearnedMacs learned;
	CHECK_FALSE(learned.follow(log.reader()));  // never synced: read the table first
	shm::MacDump dump;
	dump.records.push_back({k, 9, 1000, 0, 0});
	dump.records.push_back({k + 1, 4, abi::kStaticMac, 0, 0});  // static: not learned
	learned.resync(dump, 3, 0);
	REQUIRE(learned.follow(log.reader()));  // events 3 and 4 over the dump
	CHECK(learned.entries().empty());
	CHECK(learned.events() == 2);
}

TEST_CASE("learned macs: an event of another epoch means the dataplane forgot the old ones",
          "[evpn][local]")
{
	Log log(16);
	auto w = log.writer();
	control::LearnedMacs learned;
	learned.resync(shm::MacDump{}, 0, 1);
	w.append(10, 1, 1);
	w.append(11, 2, 1);
	REQUIRE(learned.follow(log.reader()));
	CHECK(learned.entries().size() == 2);
	w.append(10, abi::kNone, 1);
	w.append(12, 3, 2);
	REQUIRE(learned.follow(log.reader()));
	CHECK(learned.epoch() == 2);
	REQUIRE(learned.entries().size() == 1);
	CHECK(learned.entries().at(12) == 3);
}

TEST_CASE("evpn local macs: an EVPN tenant's MACs on attachments and trunks, by VNI",
          "[evpn][local]")
{
	// Tenant x (VNI 10) of the small node takes EVPN; beta (VNI 20) does not.
	config::Config cfg = test::load_config(std::string(test::kSmallNode) + R"(  - name: beta
    vni: 20
    hybrid_vlan: 200
    attachments: [ { port: a0, vlan: 8 } ]
)");
	cfg.node.evpn = config::Evpn{};
	cfg.tenants[0].evpn = true;
	const auto img = compile::compile(cfg, 1);
	const abi::TableView t(img.data());
	const uint32_t alpha = t.tenant_by_name("x");
	const uint32_t beta = t.tenant_by_name("beta");
	uint32_t attach = abi::kNone, trunk = abi::kNone, vtep = abi::kNone,
	         beta_attach = abi::kNone;
	for (uint32_t m = 0; m < t.members.size; ++m) {
		const auto& e = t.members[m];
		if (e.tenant == alpha && e.kind == abi::MemberKind::attachment)
			attach = m;
		if (e.tenant == alpha && e.kind == abi::MemberKind::trunk)
			trunk = m;
		if (e.tenant == alpha && e.kind == abi::MemberKind::vtep)
			vtep = m;
		if (e.tenant == beta && e.kind == abi::MemberKind::attachment)
			beta_attach = m;
	}
	REQUIRE((attach != abi::kNone && trunk != abi::kNone && vtep != abi::kNone &&
	         beta_attach != abi::kNone));
	auto key = [](uint32_t tenant, uint8_t last) {
		const uint8_t mac[6] = {0x02, 0, 0, 0, 0, last};
		return dp::MacTable::key(tenant, mac);
	};
	const std::unordered_map<uint64_t, uint32_t> learned{
	    {key(alpha, 1), attach},      {key(alpha, 2), trunk},
	    {key(alpha, 3), vtep},         // behind a VTEP: another node's
	    {key(beta, 4), beta_attach},   // beta does not take EVPN
	    {key(alpha, 5), beta_attach},  // a member of another tenant: never trusted
	};
	const uint32_t epoch = t.header().id_epoch;
	const auto want = frr::evpn_local_macs(t, cfg, learned, epoch);
	CHECK(want == std::set<frr::ShadowMac>{shadow(10, "02:00:00:00:00:01"),
	                                       shadow(10, "02:00:00:00:00:02")});
	CHECK(frr::evpn_local_macs(t, cfg, learned, epoch + 1).empty());
}

TEST_CASE("evpn fdb: the shadow ports' static entries, read and changed by bridge lines",
          "[evpn][local]")
{
	const auto have = frr::parse_shadow_fdb(
	    "33:33:00:00:00:01 dev tsp10 self permanent\n"
	    "02:00:00:00:00:01 dev tsp10 master tsb10 static\n"
	    "02:00:00:00:00:02 dev tsp10 master tsb10 permanent\n"
	    "02:00:00:00:00:03 dev tsx10 master tsb10 static\n"
	    "02:00:00:00:00:04 dev eth0 master br0 static\n"
	    "02:00:00:00:00:05 dev tsp20 vlan 1 master tsb20 static\n"
	    "garbage dev tsp10 master tsb10 static\n");
	CHECK(have == std::set<frr::ShadowMac>{shadow(10, "02:00:00:00:00:01"),
	                                       shadow(20, "02:00:00:00:00:05")});
	const auto lines = frr::fdb_lines(
	    have, {shadow(10, "02:00:00:00:00:01"), shadow(30, "02:00:00:00:00:ab")});
	CHECK(lines ==
	      std::vector<std::string>{"fdb del 02:00:00:00:00:05 dev tsp20 master",
	                               "fdb replace 02:00:00:00:00:ab dev tsp30 master static"});
}
