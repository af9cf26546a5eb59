#include "common/config/port_mac.hpp"

namespace tsunagi::config {

Mac default_port_mac(size_t port_index)
{
	// 02:54:53 = locally administered, "TS".
	return Mac{{0x02, 0x54, 0x53, 0x00, uint8_t(port_index >> 8), uint8_t(port_index)}};
}

Mac port_mac(const Config& cfg, size_t port_index)
{
	const auto& p = cfg.ports[port_index];
	return p.mac ? *p.mac : p.device_mac ? *p.device_mac : default_port_mac(port_index);
}

}  // namespace tsunagi::config
