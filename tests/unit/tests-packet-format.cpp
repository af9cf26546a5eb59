// The checksum helpers of dataplane/pkt/format.hpp against a sum made from scratch.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#include "dataplane/pkt/format.hpp"

namespace pkt = tsunagi::pkt;

namespace {

// A 20-byte IPv4 header with random contents and a valid checksum.
void random_header(std::mt19937& rng, uint8_t* ip)
{
	for (int i = 0; i < 20; ++i) {
		ip[i] = uint8_t(rng());
	}
	ip[0] = 0x45;
	std::memset(ip + 10, 0, 2);
	// rte_raw_cksum sums words as they lie in memory: stored back the same way.
	const auto ck = uint16_t(~rte_raw_cksum(ip, 20));
	std::memcpy(ip + 10, &ck, 2);
}

}  // namespace

TEST_CASE("ipv4_header_intact accepts a valid checksum and refuses any one bit changed")
{
	std::mt19937 rng(7);
	uint8_t ip[20];
	random_header(rng, ip);
	CHECK(pkt::ipv4_header_intact(ip, 20));
	for (int bit = 0; bit < 160; ++bit) {
		uint8_t bad[20];
		std::memcpy(bad, ip, 20);
		bad[bit / 8] ^= uint8_t(1u << (bit % 8));
		CHECK_FALSE(pkt::ipv4_header_intact(bad, 20));
	}
}

TEST_CASE("checksum_adjust gives what a full sum gives, for every TTL a header can change to")
{
	std::mt19937 rng(11);
	for (int round = 0; round < 64; ++round) {
		uint8_t ip[20];
		random_header(rng, ip);
		for (unsigned ttl = 0; ttl < 256; ++ttl) {
			uint8_t edited[20];
			std::memcpy(edited, ip, 20);
			const uint16_t old_word = pkt::load_be16(edited + 8);
			edited[8] = uint8_t(ttl);
			pkt::store_be16(edited + 10,
			                pkt::checksum_adjust(pkt::load_be16(edited + 10), old_word,
			                                     pkt::load_be16(edited + 8)));
			REQUIRE(pkt::ipv4_header_intact(edited, 20));
		}
	}
}

TEST_CASE("checksum_adjust keeps a wrong checksum wrong")
{
	std::mt19937 rng(13);
	uint8_t ip[20];
	random_header(rng, ip);
	ip[11] ^= 0x10;
	const uint16_t old_word = pkt::load_be16(ip + 8);
	ip[8] = uint8_t(ip[8] - 1);
	pkt::store_be16(ip + 10, pkt::checksum_adjust(pkt::load_be16(ip + 10), old_word,
	                                              pkt::load_be16(ip + 8)));
	CHECK_FALSE(pkt::ipv4_header_intact(ip, 20));
}
