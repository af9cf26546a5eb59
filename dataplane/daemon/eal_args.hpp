// What the dataplane asks of DPDK's EAL, from the YAML: lcores, memory, the devices of
// its ports, a file prefix of its own so several nodes can share a machine.
#pragma once

#include <string>
#include <vector>

#include "common/config/model.hpp"
#include "dataplane/runtime/eal_setup.hpp"

namespace tsunagi::dp {

// The device's name as DPDK registers it: the part of the device string before the
// first comma ("net_af_packet0,iface=x" → "net_af_packet0").
std::string device_name(const std::string& device);

// A virtual device ("net_…", "eth_…") is created with --vdev; anything else is a bus
// address (PCI) put on the allow list.
bool is_virtual_device(const std::string& device);

EalOptions eal_options(const config::Config& cfg, bool huge);

}  // namespace tsunagi::dp
