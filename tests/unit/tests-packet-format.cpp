// The checksum helpers of common/pkt/format.hpp against a sum made from scratch.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#include "common/pkt/format.hpp"

namespace pkt = tsunagi::pkt;

namespace {

// An IPv4 header of `ihl` bytes (20, or more with options) with random contents and a
// valid checksum.
void random_header(std::mt19937& rng, uint8_t* ip, uint32_t ihl = 20)
{
	for (uint32_t i = 0; i < ihl; ++i) {
		ip[i] = uint8_t(rng());
	}
	ip[0] = uint8_t(0x40 | (ihl / 4));
	std::memset(ip + 10, 0, 2);
	// rte_raw_cksum sums words as they lie in memory: stored back the same way.
	const auto ck = uint16_t(~rte_raw_cksum(ip, ihl));
	std::memcpy(ip + 10, &ck, 2);
}

}  // namespace

TEST_CASE("ipv4_header_intact accepts a valid checksum and refuses any one bit changed")
{
	std::mt19937 rng(7);
	// 20 bytes take the unrolled sum, longer headers the general one.
	for (const uint32_t ihl : {20u, 24u, 60u}) {
		for (int round = 0; round < 32; ++round) {
			uint8_t ip[60];
			random_header(rng, ip, ihl);
			REQUIRE(pkt::ipv4_header_intact(ip, ihl));
			for (uint32_t bit = 0; bit < ihl * 8; ++bit) {
				uint8_t bad[60];
				std::memcpy(bad, ip, ihl);
				bad[bit / 8] ^= uint8_t(1u << (bit % 8));
				REQUIRE_FALSE(pkt::ipv4_header_intact(bad, ihl));
			}
		}
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
