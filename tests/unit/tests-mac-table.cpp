#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <vector>

#include "dataplane/pipeline/mac_table.hpp"

using tsunagi::abi::kNone;
using tsunagi::dp::MacTable;
using Learn = MacTable::Learn;

namespace {
const uint8_t kA[6] = {0x02, 0, 0, 0, 0, 0x0a};
const uint8_t kB[6] = {0x02, 0, 0, 0, 0, 0x0b};
constexpr uint32_t kAging = 300;
}  // namespace

TEST_CASE("a learned MAC is found on its member within its tenant only", "[mac-table]")
{
	MacTable t(64);
	REQUIRE(t.learn(MacTable::key(1, kA), 7, 100, 0, kAging) == Learn::learned);
	CHECK(t.lookup(MacTable::key(1, kA), 100, kAging) == 7);
	CHECK(t.lookup(MacTable::key(2, kA), 100, kAging) == kNone);
	CHECK(t.lookup(MacTable::key(1, kB), 100, kAging) == kNone);
	CHECK(t.learn(MacTable::key(1, kA), 7, 101, 0, kAging) == Learn::refreshed);
	CHECK(t.dynamic_count(1) == 1);
}

TEST_CASE("a MAC seen on another member moves there", "[mac-table]")
{
	MacTable t(64);
	t.learn(MacTable::key(1, kA), 7, 100, 0, kAging);
	CHECK(t.learn(MacTable::key(1, kA), 9, 101, 0, kAging) == Learn::moved);
	CHECK(t.lookup(MacTable::key(1, kA), 101, kAging) == 9);
	CHECK(t.dynamic_count(1) == 1);
}

TEST_CASE("entries older than the aging time are misses and are swept", "[mac-table]")
{
	MacTable t(64);
	t.learn(MacTable::key(1, kA), 7, 100, 0, kAging);
	CHECK(t.lookup(MacTable::key(1, kA), 100 + kAging, kAging) == 7);
	CHECK(t.lookup(MacTable::key(1, kA), 101 + kAging, kAging) == kNone);
	CHECK(t.age(100 + kAging, kAging, t.capacity()) == 0);
	CHECK(t.age(101 + kAging, kAging, t.capacity()) == 1);
	CHECK(t.size() == 0);
	CHECK(t.dynamic_count(1) == 0);
}

TEST_CASE("the limit refuses new MACs of a full tenant but not known ones", "[mac-table]")
{
	MacTable t(64);
	CHECK(t.learn(MacTable::key(1, kA), 7, 100, 1, kAging) == Learn::learned);
	CHECK(t.learn(MacTable::key(1, kB), 7, 100, 1, kAging) == Learn::limit);
	CHECK(t.learn(MacTable::key(1, kA), 8, 100, 1, kAging) == Learn::moved);
	CHECK(t.learn(MacTable::key(2, kB), 7, 100, 1, kAging) == Learn::learned);
}

TEST_CASE("static entries never age and never move", "[mac-table]")
{
	MacTable t(64);
	REQUIRE(t.add_static(MacTable::key(1, kA), 3));
	CHECK(t.learn(MacTable::key(1, kA), 9, 100, 0, kAging) == Learn::pinned);
	CHECK(t.lookup(MacTable::key(1, kA), 1'000'000, kAging) == 3);
	CHECK(t.age(1'000'000, kAging, t.capacity()) == 0);
	CHECK(t.dynamic_count(1) == 0);
}

TEST_CASE("a remote MAC never ages, and a frame from it on another member moves it there",
          "[mac-table]")
{
	MacTable t(64);
	const uint64_t a = MacTable::key(1, kA);
	REQUIRE(t.add_static(a, 3, MacTable::kRemote));
	// From its VTEP: known there, and not made young (it has no age).
	CHECK(t.learn(a, 3, 100, 0, kAging) == Learn::refreshed);
	CHECK(t.lookup(a, 1'000'000, kAging) == 3);
	CHECK(t.age(1'000'000, kAging, t.capacity()) == 0);
	CHECK(t.dynamic_count(1) == 0);
	// The host moved to member 9: learned there, as any learned MAC (it ages from now).
	CHECK(t.learn(a, 9, 1'000'000, 0, kAging) == Learn::moved);
	CHECK(t.lookup(a, 1'000'000, kAging) == 9);
	CHECK(t.dynamic_count(1) == 1);
	CHECK(t.lookup(a, 1'000'001 + kAging, kAging) == kNone);
	// Remote again (the host moved back and the tables say so): the tables' entry wins.
	REQUIRE(t.add_static(a, 3, MacTable::kRemote));
	CHECK(t.lookup(a, 1'000'000, kAging) == 3);
	CHECK(t.dynamic_count(1) == 0);
}

TEST_CASE("a full table refuses new MACs instead of probing forever", "[mac-table]")
{
	MacTable t(16);
	size_t learned = 0;
	for (uint8_t i = 0; i < 32; ++i) {
		const uint8_t m[6] = {0x02, 0, 0, 0, 1, i};
		if (t.learn(MacTable::key(1, m), 1, 100, 0, kAging) == Learn::learned) {
			++learned;
		}
	}
	CHECK(learned == 14);
	const uint8_t other[6] = {0x02, 0, 0, 0, 2, 0};
	CHECK(t.lookup(MacTable::key(1, other), 100, kAging) == kNone);
}

TEST_CASE("removals keep every other entry reachable", "[mac-table]")
{
	// A model check: random learning, aging and removal against std::map.
	MacTable t(1024);
	std::map<uint64_t, std::pair<uint32_t, uint32_t>> model;  // key -> member, seen
	std::mt19937 rng(42);
	uint32_t now = 1000;
	for (int step = 0; step < 20000; ++step) {
		const uint8_t m[6] = {0x02, 0, 0, 0, 0, uint8_t(rng() % 180)};
		const uint64_t k = MacTable::key(rng() % 3, m);
		const uint32_t member = rng() % 5;
		if (rng() % 50 == 0) {
			now += 40;
			t.age(now, kAging, t.capacity());
			std::erase_if(model,
			              [&](auto& kv) { return now - kv.second.second > kAging; });
		}
		const Learn r = t.learn(k, member, now, 0, kAging);
		REQUIRE(r != Learn::full);
		model[k] = {member, now};
		if (rng() % 7 == 0) {
			const uint64_t victim = k;
			t.remove_if([&](const MacTable::Entry& e) { return e.key == victim; });
			model.erase(victim);
		}
		if (step % 500 == 0) {
			REQUIRE(t.size() == model.size());
			for (auto& [key, v] : model) {
				REQUIRE(t.lookup(key, now, kAging) == v.first);
			}
		}
	}
}

TEST_CASE("a clear in slices removes exactly a tenant's dynamic entries", "[mac-table]")
{
	// A small, crowded table, so probe runs wrap around its end and clearing shifts
	// entries across slice boundaries.
	for (uint32_t budget : {1u, 5u, 64u, 1024u}) {
		for (uint32_t tenant : {2u, MacTable::kAllTenants}) {
			MacTable t(256);
			std::mt19937 rng(budget * 7 + tenant);
			std::map<uint64_t, bool> entries;  // key → static
			while (entries.size() < 200) {
				uint8_t mac[6] = {0x02, 0, 0, 0, uint8_t(rng()), uint8_t(rng())};
				const uint64_t key = MacTable::key(1 + rng() % 3, mac);
				if (entries.count(key) != 0) {
					continue;
				}
				const bool is_static = rng() % 5 == 0;
				if (is_static) {
					REQUIRE(t.add_static(key, 9));
				} else {
					REQUIRE(t.learn(key, 3, 100, 0, kAging) == Learn::learned);
				}
				entries[key] = is_static;
			}
			size_t cursor = 0, removed = 0;
			while (cursor < t.capacity()) {
				removed += t.clear_step(cursor, budget, tenant);
			}
			size_t expected = 0;
			for (const auto& [key, is_static] : entries) {
				const bool cleared =
				    !is_static &&
				    (tenant == MacTable::kAllTenants || (key >> 48) == tenant);
				expected += cleared;
				INFO("budget " << budget << " key " << key);
				CHECK((t.lookup(key, 100, kAging) == kNone) == cleared);
			}
			CHECK(removed == expected);
			CHECK(t.size() == entries.size() - expected);
		}
	}
}

TEST_CASE("the per-tenant counts can live where the caller says, for another process to read",
          "[mac-table]")
{
	std::vector<uint32_t> counts(tsunagi::abi::kMaxTenants + 1, 0);
	MacTable t(64, counts.data());
	REQUIRE(t.learn(MacTable::key(3, kA), 7, 100, 0, kAging) == Learn::learned);
	REQUIRE(t.learn(MacTable::key(3, kB), 7, 100, 0, kAging) == Learn::learned);
	CHECK(counts[3] == 2);
	t.erase(MacTable::key(3, kA));
	CHECK(counts[3] == 1);
	CHECK(t.dynamic_count(3) == 1);
}
