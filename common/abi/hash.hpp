// The one hash both the table compiler (insert) and the pipeline (lookup) use.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/abi/tables.hpp"

namespace tsunagi::abi {

// A 64-bit finaliser (splitmix64): cheap, and every input bit reaches every output bit,
// which linear probing over power-of-two tables needs.
inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

inline uint64_t hash_bytes(const void* data, size_t len, uint64_t seed = 0)
{
	const auto* p = static_cast<const uint8_t*>(data);
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ull);
	while (len >= 8) {
		uint64_t w;
		std::memcpy(&w, p, 8);
		h = mix64(h ^ w);
		p += 8;
		len -= 8;
	}
	uint64_t tail = 0;
	std::memcpy(&tail, p, len);
	return mix64(h ^ tail);
}

template <class Key>
inline uint64_t hash_key(const Key& k)
{
	return mix64(k);
}

// A 16-byte address with a word of context, in two rounds whatever the family: IPv4 keys
// leave the upper words zero.
inline uint64_t hash_addr16(const uint8_t* addr, uint64_t context)
{
	uint64_t lo, hi;
	std::memcpy(&lo, addr, 8);
	std::memcpy(&hi, addr + 8, 8);
	return mix64(lo ^ mix64(hi ^ context));
}

template <>
inline uint64_t hash_key(const VtepKey& k)
{
	return hash_addr16(k.ip, (uint64_t{k.vni} << 1) ^ k.v6);
}

template <>
inline uint64_t hash_key(const Route6Key& k)
{
	return hash_addr16(k.addr, (uint64_t{k.tenant} << 8) ^ k.len);
}

}  // namespace tsunagi::abi
