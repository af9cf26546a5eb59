// A frame's headers in words, one line each (Ethernet, VLAN tags, ARP, MPLS, IPv4/IPv6,
// UDP/TCP/ICMP, VXLAN and the frame inside it): what `trace` shows of a frame before and
// after the pipeline. For people, not parsers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tsunagi::pkt {

std::vector<std::string> describe_frame(const uint8_t* frame, size_t len);

}  // namespace tsunagi::pkt
