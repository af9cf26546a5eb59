// Compiles a validated configuration into the table image the pipeline reads.
#pragma once

#include <cstdint>

#include "control/compile/image_builder.hpp"
#include "control/config/model.hpp"

namespace tsunagi::compile {

// The MAC a port uses when the config gives none and no device supplies one (replay):
// locally administered, derived from the port's position in the list.
config::Mac default_port_mac(size_t port_index);

// The port's MAC as the tables will carry it.
config::Mac port_mac(const config::Config& cfg, size_t port_index);

Image compile(const config::Config& cfg, uint64_t generation);

}  // namespace tsunagi::compile
