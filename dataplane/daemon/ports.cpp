#include "dataplane/daemon/ports.hpp"

#include <rte_ethdev.h>

#include <algorithm>

#include "dataplane/daemon/eal_args.hpp"

namespace tsunagi::dp {

namespace {

constexpr uint16_t kRxDesc = 1024;
constexpr uint16_t kTxDesc = 1024;

std::string fail(const config::Port& p, const std::string& what, int rc)
{
	return "port " + p.name + " (" + p.device + "): " + what + ": " + rte_strerror(-rc);
}

}  // namespace

std::string start_ports(const config::Config& cfg, rte_mempool* pool, uint16_t queues,
                        PortSet& ports)
{
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		const config::Port& p = cfg.ports[i];
		uint16_t id;
		if (rte_eth_dev_get_port_by_name(device_name(p.device).c_str(), &id) != 0) {
			return "port " + p.name + ": no DPDK device \"" + device_name(p.device) +
			       "\" (is the device string right, and its driver available?)";
		}
		rte_eth_conf conf{};
		rte_eth_dev_info info{};
		rte_eth_dev_info_get(id, &info);
		bool strips_tags = false;
		if (std::string(info.driver_name) == "net_af_packet") {
			// Take the stripped tag as metadata rather than the driver's 0x8100
			// guess (pkt/stripped_tag.hpp restores it).
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
			strips_tags = true;
		}
		// Flood copies share the frame's payload behind a header segment of their own
		// where the driver can send such chains; elsewhere each is a whole copy.
		if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0 && i < 64) {
			conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
			ports.chain_tx |= uint64_t{1} << i;
		}
		// Several workers each poll their own queue of every port: RSS spreads flows over
		// them by addresses and ports, so one flow stays on one worker (in order) and a
		// VXLAN underlay spreads by the entropy in the outer UDP source port.
		const uint64_t rss = info.flow_type_rss_offloads &
		                     (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
		if (queues > 1 && rss != 0) {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = rss;
		}
		if (int rc = rte_eth_dev_configure(id, queues, queues, &conf); rc != 0) {
			return fail(p, "configure", rc);
		}
		uint16_t rxd = kRxDesc, txd = kTxDesc;
		rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd);
		const int socket = rte_eth_dev_socket_id(id);
		for (uint16_t q = 0; q < queues; ++q) {
			if (int rc = rte_eth_rx_queue_setup(id, q, rxd, socket, nullptr, pool);
			    rc != 0) {
				return fail(p, "RX queue", rc);
			}
			if (int rc = rte_eth_tx_queue_setup(id, q, txd, socket, nullptr); rc != 0) {
				return fail(p, "TX queue", rc);
			}
		}
		// A port with `mac:` answers to it; one without keeps its device's own (a NIC's
		// burned-in address), which tsunagid learns from the counters segment and puts
		// in the tables.
		rte_ether_addr addr;
		if (p.mac) {
			// Some virtual devices keep theirs; the port is promiscuous anyway.
			std::copy(p.mac->bytes.begin(), p.mac->bytes.end(), addr.addr_bytes);
			rte_eth_dev_default_mac_addr_set(id, &addr);
		}
		if (int rc = rte_eth_macaddr_get(id, &addr); rc != 0) {
			return fail(p, "read its MAC", rc);
		}
		ports.macs.push_back({});
		std::copy_n(addr.addr_bytes, 6, ports.macs.back().begin());
		if (int rc = rte_eth_dev_start(id); rc != 0) {
			return fail(p, "start", rc);
		}
		rte_eth_promiscuous_enable(id);
		ports.dpdk_id.push_back(id);
		ports.strips_tags.push_back(strips_tags);
	}
	return {};
}

void stop_ports(const PortSet& ports)
{
	for (uint16_t id : ports.dpdk_id) {
		rte_eth_dev_stop(id);
		rte_eth_dev_close(id);
	}
}

std::string ports_down(const config::Config& cfg, const PortSet& ports)
{
	std::string down;
	for (size_t i = 0; i < ports.dpdk_id.size() && i < cfg.ports.size(); ++i) {
		rte_eth_link link{};
		if (rte_eth_link_get_nowait(ports.dpdk_id[i], &link) != 0 ||
		    link.link_status != RTE_ETH_LINK_UP) {
			down += (down.empty() ? "" : ",") + cfg.ports[i].name;
		}
	}
	return down;
}

std::string ports_without_chains(const config::Config& cfg, const PortSet& ports)
{
	std::string names;
	for (size_t i = 0; i < ports.dpdk_id.size() && i < cfg.ports.size(); ++i) {
		if (i >= 64 || ((ports.chain_tx >> i) & 1) == 0) {
			names += (names.empty() ? "" : ",") + cfg.ports[i].name;
		}
	}
	return names;
}

}  // namespace tsunagi::dp
