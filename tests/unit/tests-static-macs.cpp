// Static MACs edited one at a time (control/compile/static_mac_writer.hpp) and followed by a
// dataplane MacTable through the ring of changes (dataplane/pipeline/mac_table_statics.cpp):
// whatever generations the reader skips, it ends with the statics of the newest one.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <memory>
#include <random>

#include "common/abi/table_view.hpp"
#include "common/config/loader.hpp"
#include "control/compile/compiler.hpp"
#include "control/compile/table_writer.hpp"
#include "dataplane/pipeline/mac_table.hpp"
#include "fixtures.hpp"

using namespace tsunagi;
using tsunagi::dp::MacTable;

namespace {

constexpr int kTenants = 8;

config::Mac mac_of(int n)
{
	return config::Mac{{0x02, 0x10, uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n), 0x01}};
}

// Tenants with two attachments each; statics[tenant] maps a MAC number to the attachment
// (0 or 1) it is pinned to.
struct Statics {
	std::map<int, std::map<int, int>> of;

	// 20 MACs on each tenant, where random_edit() keeps them.
	void seed(int& next_mac)
	{
		for (int i = 0; i < kTenants; ++i) {
			for (int k = 0; k < 20; ++k) {
				of[i][next_mac++] = k % 2;
			}
		}
	}

	config::Tenant tenant(int i) const
	{
		config::Tenant t;
		t.name = "s" + std::to_string(i);
		t.vni = 5000 + uint32_t(i);
		t.hybrid_vlan = uint16_t(100 + i);
		for (int a = 0; a < 2; ++a) {
			t.attachments.push_back({{}, a == 0 ? "a0" : "a1", uint16_t(10 + i), 0});
		}
		if (auto it = of.find(i); it != of.end()) {
			for (const auto& [n, a] : it->second) {
				config::StaticMac s;
				s.mac = mac_of(n);
				s.port = a == 0 ? "a0" : "a1";
				s.vlan = uint16_t(10 + i);
				t.static_macs.push_back(s);
			}
		}
		return t;
	}
	config::Config config() const
	{
		config::Config cfg = test::load_config(test::kNodeAndPorts);
		for (int i = 0; i < kTenants; ++i) {
			cfg.tenants.push_back(tenant(i));
		}
		return cfg;
	}
};

struct Live {
	compile::Image image;
	std::unique_ptr<compile::TableWriter> writer;
	uint64_t header = 0;
	uint64_t generation;

	Live(const config::Config& cfg, uint64_t gen) : generation(gen)
	{
		const compile::IdPlan ids(cfg, nullptr, gen);
		const auto layout = compile::Layout::plan(cfg, ids, true, {0, 0});
		image = compile::Image::zeroed(layout.total);
		writer = std::make_unique<compile::TableWriter>(image.data(), layout, cfg, ids,
		                                                std::vector<config::Neighbor>{});
		header = *writer->commit(gen);
	}
	void upsert(const config::Tenant& t)
	{
		REQUIRE(writer->upsert_tenant(t, ++generation));
		header = *writer->commit(generation);
		writer->reclaim(generation);  // a dataplane keeping up: room is reused
	}
	abi::TableView view() const { return abi::TableView(image.data(), header); }
};

std::map<uint64_t, uint32_t> statics_of(const MacTable& t)
{
	std::map<uint64_t, uint32_t> out;
	for (size_t i = 0; i < t.capacity(); ++i) {
		const MacTable::Entry& e = t.slots()[i];
		if (e.member != abi::kNone && abi::from_tables(e.seen)) {
			out[e.key] = e.member;
		}
	}
	return out;
}

std::map<uint64_t, uint32_t> fresh_statics(const abi::TableView& v)
{
	MacTable fresh(1 << 16);
	fresh.adopt(v);
	return statics_of(fresh);
}

// One random edit of one tenant's statics: add, remove or move a MAC. A tenant keeps
// between 10 and 30, so that the image never needs rebuilding.
config::Tenant random_edit(Statics& s, std::mt19937& rng, int& next_mac)
{
	const int i = int(rng() % kTenants);
	auto& mine = s.of[i];
	const unsigned what = mine.size() < 10 ? 0 : mine.size() > 30 ? 1 : rng() % 3;
	if (what == 0) {
		mine[next_mac++] = int(rng() % 2);
	} else {
		auto it = std::next(mine.begin(), long(rng() % mine.size()));
		if (what == 1) {
			mine.erase(it);
		} else {
			it->second ^= 1;
		}
	}
	return s.tenant(i);
}

// Seeded statics in a live image, and a MAC table that has adopted its first header.
struct Followed {
	Statics s;
	int next_mac = 0;
	std::unique_ptr<Live> live;
	MacTable follower{1 << 16};

	Followed()
	{
		s.seed(next_mac);
		live = std::make_unique<Live>(s.config(), 1);
		follower.adopt(live->view());
	}
};

}  // namespace

TEST_CASE("the image's static MAC key is the MAC table's", "[static-macs]")
{
	const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	CHECK(abi::static_mac_key(7, mac) == MacTable::key(7, mac));
}

TEST_CASE("a MAC table following single static edits equals one adopting the result anew",
          "[static-macs]")
{
	Followed f;
	CHECK(statics_of(f.follower).size() == kTenants * 20);
	std::mt19937 rng(11);
	for (int step = 0; step < 3000; ++step) {
		f.live->upsert(random_edit(f.s, rng, f.next_mac));
		// Every generation, or every few: a reader may skip generations.
		if (step % 3 != 1) {
			f.follower.adopt(f.live->view());
		}
		if (step % 250 == 0) {
			f.follower.adopt(f.live->view());
			REQUIRE(statics_of(f.follower) == fresh_statics(f.live->view()));
		}
	}
	f.follower.adopt(f.live->view());
	CHECK(statics_of(f.follower) == fresh_statics(f.live->view()));
	CHECK(f.live->view().header().static_count == statics_of(f.follower).size());
}

TEST_CASE("a MAC learned and then made static is pinned, and unpinned when removed",
          "[static-macs]")
{
	Statics s;
	Live live(s.config(), 1);
	MacTable follower(1 << 10);
	follower.adopt(live.view());
	const abi::TableView v0 = live.view();
	const uint32_t tenant = v0.tenant_by_name("s3");
	const config::Mac mac = mac_of(77);
	const uint64_t key = MacTable::key(tenant, mac.bytes.data());
	const uint32_t other = v0.flood_list(tenant)[0];
	REQUIRE(follower.learn(key, other, 100, 0, 300) == MacTable::Learn::learned);

	s.of[3][77] = 1;
	live.upsert(s.tenant(3));
	follower.adopt(live.view());
	const uint32_t pinned = follower.lookup(key, 100, 300);
	CHECK(pinned != other);
	CHECK(follower.learn(key, other, 101, 0, 300) == MacTable::Learn::pinned);
	CHECK(follower.dynamic_count(tenant) == 0);

	s.of[3].erase(77);
	live.upsert(s.tenant(3));
	follower.adopt(live.view());
	CHECK(follower.lookup(key, 101, 300) == abi::kNone);
	CHECK(statics_of(follower).empty());
}

TEST_CASE("a reader further behind than the ring holds recovers by scanning", "[static-macs]")
{
	Followed f;
	std::mt19937 rng(5);
	const uint64_t ring = f.live->view().static_log.size;

	SECTION("skipped more changes than the ring holds")
	{
		const uint64_t applied = f.live->view().header().static_head;
		while (f.live->view().header().static_head < applied + ring + 100) {
			f.live->upsert(random_edit(f.s, rng, f.next_mac));
		}
		f.follower.adopt(f.live->view());
		CHECK(statics_of(f.follower) == fresh_statics(f.live->view()));
	}
	SECTION("reads an older header whose changes the writer has since overwritten")
	{
		for (int k = 0; k < 10; ++k) {
			f.live->upsert(random_edit(f.s, rng, f.next_mac));
		}
		// Its header is kept where the writer never reuses: the first header's place.
		const abi::Header kept = f.live->view().header();
		while (f.live->view().header().static_head < kept.static_head + ring + 5) {
			f.live->upsert(random_edit(f.s, rng, f.next_mac));
		}
		std::memcpy(f.live->image.data(), &kept, sizeof(kept));
		const abi::TableView older(f.live->image.data(), 0);
		f.follower.adopt(older);
		// The scan saw the map as it is now: newer than `older`, never older.
		CHECK(statics_of(f.follower) == fresh_statics(f.live->view()));
		f.follower.adopt(f.live->view());
		CHECK(statics_of(f.follower) == fresh_statics(f.live->view()));
	}
}

TEST_CASE("a logged change naming a member out of range pins nothing", "[static-macs]")
{
	Statics s;
	s.of[0][1] = 0;
	Live live(s.config(), 1);
	MacTable follower(1 << 10);
	follower.adopt(live.view());
	REQUIRE(statics_of(follower).size() == 1);
	s.of[0][1] = 1;
	live.upsert(s.tenant(0));
	const abi::TableView v = live.view();
	const uint64_t head = v.header().static_head;
	auto& c = const_cast<abi::StaticMacChange&>(v.static_log[head & (v.static_log.size - 1)]);
	c.word = abi::change_word(head, uint32_t(v.members.size + 5));
	follower.adopt(v);
	CHECK(statics_of(follower).empty());
}

// Every static MAC replaced by a new one in each generation, with the dataplane a
// generation behind (so the erased keys' tombstones cannot be reused yet): the image keeps
// room for it, as long as it runs, without a rebuild.
TEST_CASE("statics replaced wholesale generation after generation keep fitting", "[static-macs]")
{
	Statics s;
	int next_mac = 0;
	s.seed(next_mac);
	Live live(s.config(), 1);
	MacTable follower(1 << 16);
	follower.adopt(live.view());
	for (int round = 0; round < 300; ++round) {
		const uint64_t gen = ++live.generation;
		for (int i = 0; i < kTenants; ++i) {
			std::map<int, int> fresh;
			for (const auto& [n, a] : s.of[i]) {
				fresh[next_mac++] = a;
			}
			s.of[i] = std::move(fresh);
			INFO("round " << round << ", tenant " << i);
			REQUIRE(live.writer->upsert_tenant(s.tenant(i), gen));
		}
		live.header = *live.writer->commit(gen);
		follower.adopt(live.view());
		live.writer->reclaim(gen - 1);
	}
	const auto want = fresh_statics(live.view());
	CHECK(want.size() == size_t(kTenants) * 20);
	CHECK(statics_of(follower) == want);
}

// EVPN's remote MACs reach the image as movable statics; a MAC that moved to a local member
// since stays learned there when the tables withdraw the remote entry, whichever way the
// reader follows the tables (the ring, or a scan).
TEST_CASE("a movable static is remote in the MAC table, and its withdrawal spares a move",
          "[static-macs]")
{
	for (const bool scan : {false, true}) {
		INFO((scan ? "a reader that scans" : "a reader that follows the ring"));
		Statics s;
		Live live(s.config(), 1);
		MacTable follower(1 << 10);
		follower.adopt(live.view());
		config::Tenant t = s.tenant(0);
		config::StaticMac remote;
		remote.mac = mac_of(7);
		remote.port = "a1";
		remote.vlan = 10;
		remote.movable = true;
		t.static_macs.push_back(remote);
		live.upsert(t);
		const abi::TableView v = live.view();
		std::vector<std::pair<uint32_t, bool>> seen;
		v.for_each_static(
		    [&](uint64_t, uint32_t m, bool movable) { seen.emplace_back(m, movable); });
		REQUIRE(seen.size() == 1);
		CHECK(seen[0].second);
		follower.adopt(v);
		const uint64_t key = MacTable::key(0, remote.mac.bytes.data());
		const uint32_t a1 = seen[0].first;
		REQUIRE(follower.lookup(key, 0, 300) == a1);
		auto seen_of = [&](uint64_t k) {
			for (size_t i = 0; i < follower.capacity(); ++i) {
				if (follower.slots()[i].key == k &&
				    follower.slots()[i].member != abi::kNone) {
					return follower.slots()[i].seen;
				}
			}
			return uint32_t{0};
		};
		CHECK(seen_of(key) == MacTable::kRemote);
		// The host shows up on tenant 0's other attachment: learned there.
		uint32_t a0 = abi::kNone;
		for (uint32_t m = 0; m < v.members.size; ++m) {
			if (m != a1 && v.tenant_of(m) == 0) {
				a0 = m;
			}
		}
		REQUIRE(a0 != abi::kNone);
		CHECK(follower.learn(key, a0, 50, 0, 300) == MacTable::Learn::moved);
		// The tables withdraw the remote MAC: the learned entry stays.
		t.static_macs.pop_back();
		live.upsert(t);
		if (scan) {
			// More changes than the ring holds, elsewhere: the reader scans.
			const uint64_t ring = v.static_log.size;
			for (uint64_t k = 0; k < ring + 100; ++k) {
				s.of[1][1000] = int(k % 2);
				live.upsert(s.tenant(1));
			}
		}
		follower.adopt(live.view());
		CHECK(follower.lookup(key, 50, 300) == a0);
		CHECK(statics_of(follower).size() == (scan ? 1u : 0u));
	}
}
