// The shell's view of the node (shell::Backend): what tsunagi-sh's commands read and do,
// answered by the node's components.
#pragma once

#include "control/daemon/node.hpp"
#include "control/shell/backend.hpp"

namespace tsunagi::control {

class ShellBackend : public shell::Backend {
public:
	explicit ShellBackend(Node& node) : node_(node) {}

	const config::Config& config() const override { return node_.config(); }
	std::string running_yaml() const override { return node_.reloader().running_yaml(); }
	abi::TableView tables() const override { return node_.tables(); }
	uint64_t image_bytes() const override { return node_.image_bytes(); }
	uint64_t published_generation() const override { return node_.published_generation(); }
	std::optional<uint64_t> update_latency_us() const override
	{
		return node_.update_latency_us();
	}
	std::optional<shell::DataplaneState> dataplane() const override
	{
		return node_.dataplane();
	}
	std::vector<config::Neighbor> learned_neighbors() const override
	{
		return node_.learned_neighbors();
	}
	std::optional<std::vector<shell::EvpnTenant>> evpn() const override { return node_.evpn(); }

	shell::ReloadResult reload(bool check_only, uint32_t confirm_within_s) override
	{
		return node_.reloader().reload(check_only, confirm_within_s);
	}
	shell::ReloadResult confirm() override { return node_.reloader().confirm(); }
	shell::ReloadResult rollback(uint32_t n) override { return node_.reloader().rollback(n); }
	std::vector<shell::Applied> history() const override { return node_.reloader().history(); }
	std::optional<uint64_t> confirm_deadline_s() const override
	{
		return node_.reloader().confirm_deadline_s();
	}

	std::optional<shm::MacDump> mac_table(uint32_t tenant, std::string& error) override;
	std::optional<uint64_t> clear_mac_table(uint32_t tenant, std::string& error) override;
	std::optional<std::string> trace(uint16_t port, const std::string& frame,
	                                 std::string& error) override;
	std::optional<std::string> vtysh(const std::string& command) override
	{
		return node_.vtysh(command);
	}

private:
	Node& node_;
};

}  // namespace tsunagi::control
