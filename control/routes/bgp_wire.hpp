// The byte reader and result helpers the BMP and BGP decoders share; private to
// control/routes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "control/routes/bmp.hpp"

namespace tsunagi::routes::wire {

// Bounds-checked big-endian reads over one message; a read past the end sets `bad` and
// yields zeros, so decoders check once per record instead of at every field.
struct Reader {
	const uint8_t* p;
	size_t n;
	bool bad = false;

	bool has(size_t k)
	{
		if (k > n) {
			bad = true;
			n = 0;
			return false;
		}
		return true;
	}
	const uint8_t* take(size_t k)
	{
		if (!has(k)) {
			return nullptr;
		}
		const uint8_t* at = p;
		p += k;
		n -= k;
		return at;
	}
	uint64_t be(size_t k)
	{
		const uint8_t* at = take(k);
		uint64_t v = 0;
		for (size_t i = 0; at != nullptr && i < k; ++i) {
			v = v << 8 | at[i];
		}
		return v;
	}
	Reader sub(size_t k)
	{
		const uint8_t* at = take(k);
		return Reader{at != nullptr ? at : p, at != nullptr ? k : 0, at == nullptr};
	}
};

inline Decoded malformed(std::string why)
{
	Decoded d;
	d.skip = Skip::malformed;
	d.why = std::move(why);
	return d;
}

inline Decoded skipped(Skip s)
{
	Decoded d;
	d.skip = s;
	return d;
}

// An extended community's route target as "ASN:NN" or "A.B.C.D:NN"; empty if it is none.
std::string route_target(const uint8_t* e);

// EVPN (evpn_nlri.cpp). An 8-byte extended community EVPN reads (encapsulation, MAC
// mobility, router's MAC) into `a`; others are left alone.
void evpn_community(const uint8_t* e, EvpnAttrs& a);
// The PMSI tunnel attribute's value; empty when it adds up, else why not.
std::string read_pmsi(Reader v, EvpnAttrs& a);
// EVPN NLRI until `r` is used up: announced with next hop `hop`, route targets and
// attributes into e.evpn_reach, or withdrawn into e.evpn_withdrawn; types other than 2, 3
// and 5 counted in e.evpn_unknown. Empty when every route adds up, else why not.
std::string read_evpn(Reader r, bool withdraw, const config::IpAddr& hop,
                      const std::vector<std::string>& rts, const EvpnAttrs& a, Event& e);

}  // namespace tsunagi::routes::wire
