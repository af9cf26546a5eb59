// The dataplane's cache of segment hosts (dataplane/pipeline/neighbor_cache.hpp).
#include <catch2/catch.hpp>
#include <cstring>

#include "dataplane/pipeline/neighbor_cache.hpp"

using tsunagi::dp::NeighborCache;

namespace {

std::array<uint8_t, 16> v4(uint32_t a)
{
	std::array<uint8_t, 16> out{};
	const uint8_t b[4] = {uint8_t(a >> 24), uint8_t(a >> 16), uint8_t(a >> 8), uint8_t(a)};
	NeighborCache::mapped4(b, out.data());
	return out;
}

const uint8_t kMac[6] = {2, 0, 0, 0, 0, 1};

}  // namespace

TEST_CASE("neighbor cache: learned per tenant, for the aging time", "[neighbors]")
{
	NeighborCache c(16);
	const auto a = v4(0x0a01000b);
	CHECK(c.find(1, a.data(), 10, 300) == nullptr);
	c.learn(1, a.data(), kMac, 10);
	REQUIRE(c.find(1, a.data(), 10, 300) != nullptr);
	CHECK(std::memcmp(c.find(1, a.data(), 300, 300), kMac, 6) == 0);
	CHECK(c.find(2, a.data(), 10, 300) == nullptr);   // another tenant's address space
	CHECK(c.find(1, a.data(), 311, 300) == nullptr);  // aged out
	c.learn(1, a.data(), kMac, 400);
	CHECK(c.find(1, a.data(), 400, 300) != nullptr);
	c.clear();
	CHECK(c.find(1, a.data(), 400, 300) == nullptr);
}

TEST_CASE("neighbor cache: one solicitation a second per address", "[neighbors]")
{
	NeighborCache c(16);
	const auto a = v4(0x0a01000d), b = v4(0x0a01000e);
	CHECK(c.may_ask(1, a.data(), 5));
	CHECK_FALSE(c.may_ask(1, a.data(), 5));
	CHECK(c.may_ask(1, b.data(), 5));
	CHECK(c.may_ask(1, a.data(), 6));
	CHECK(c.find(1, a.data(), 6, 300) == nullptr);  // asking is not knowing
	c.learn(1, a.data(), kMac, 6);
	CHECK(c.find(1, a.data(), 6, 300) != nullptr);
}

TEST_CASE("neighbor cache: a flood of addresses replaces the stalest, never grows", "[neighbors]")
{
	NeighborCache c(4);  // 16 entries
	const auto keep = v4(0x0a000001);
	c.learn(7, keep.data(), kMac, 1000);
	for (uint32_t i = 0; i < 10000; ++i) {
		const auto x = v4(0x0b000000 + i);
		c.may_ask(7, x.data(), 10 + i / 1000);  // older than `keep`'s entry
	}
	// Every set's stalest entry went first; `keep` was the freshest of its set throughout.
	CHECK(c.find(7, keep.data(), 1000, 300) != nullptr);
	const auto last = v4(0x0b000000 + 9999);
	CHECK_FALSE(c.may_ask(7, last.data(), 19));  // just asked, and still there
}
