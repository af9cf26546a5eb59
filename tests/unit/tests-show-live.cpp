// What the shell shows of tables edited in place (control/shell/show_commands.hpp): only
// what is live. An in-place edit writes a changed entry anew and leaves the one it
// replaced, and a removed tenant leaves a hole its learned MACs still name until they age
// out; none of that is the node's any more.
#include <catch2/catch.hpp>

#include <memory>
#include <nlohmann/json.hpp>

#include "common/config/values.hpp"
#include "control/compile/id_plan.hpp"
#include "control/compile/table_writer.hpp"
#include "control/shell/shell.hpp"
#include "dataplane/pipeline/mac_table.hpp"
#include "tests/unit/fake_backend.hpp"

using namespace tsunagi;

namespace {

// FakeBackend's node, published by a TableWriter and edited in place as tsunagid does.
class EditedBackend : public test::FakeBackend {
public:
	EditedBackend()
	{
		const compile::IdPlan ids(cfg, nullptr, gen_);
		const auto layout = compile::Layout::plan(cfg, ids, true);
		image_ = compile::Image::zeroed(layout.total);
		writer_ = std::make_unique<compile::TableWriter>(image_.data(), layout, cfg, ids,
		                                                 std::vector<config::Neighbor>{});
		header_ = *writer_->commit(gen_);
	}

	// Publishes `next` with `learned` neighbours as the next generation, in place.
	void edit(const config::Config& next, const std::vector<config::Neighbor>& learned = {})
	{
		++gen_;
		REQUIRE(writer_->apply(next, learned, gen_));
		header_ = *writer_->commit(gen_);
		cfg = next;
	}

	abi::TableView tables() const override { return abi::TableView(image_.data(), header_); }

	// MACs learned on every member there is, live or not (the dataplane's view).
	std::optional<shm::MacDump> mac_table(uint32_t tenant, std::string&) override
	{
		const abi::TableView t = tables();
		shm::MacDump d{100, 1, {}};
		for (uint32_t m = 0; m < t.members.size; ++m) {
			const auto& e = t.members[m];
			if (e.kind != abi::MemberKind::attachment) {
				continue;
			}
			for (uint32_t ti = 0; ti < t.tenants.size; ++ti) {
				if (tenant != abi::kAllTenants && ti != tenant) {
					continue;
				}
				const auto it = tenant_of_member.find(m);
				if (it != tenant_of_member.end() &&
				    t.name(t.tenants[ti].name) == it->second) {
					d.records.push_back(
					    {(uint64_t(ti) << 48) | (0x020000000000 + m), m, 99, 0,
					     0});
				}
			}
		}
		return d;
	}

	std::map<uint32_t, std::string> tenant_of_member;

private:
	uint64_t gen_ = 1;
	compile::Image image_;
	std::unique_ptr<compile::TableWriter> writer_;
	uint64_t header_ = 0;
};

nlohmann::json show(shell::Shell& sh, const std::string& cmd)
{
	shell::Session s;
	const auto r = sh.exec(s, cmd + " json");
	REQUIRE(r.ok);
	return nlohmann::json::parse(r.output);
}

config::Neighbor neighbor(const std::string& port, const char* ip, const char* mac)
{
	config::Neighbor n;
	n.port = port;
	n.address = *config::parse_ip(ip);
	n.mac = *config::parse_mac(mac);
	return n;
}

}  // namespace

TEST_CASE("show vteps has one row per VTEP, the live one, once ARP resolved it", "[shell]")
{
	EditedBackend b;
	shell::Shell sh(b);
	auto v = show(sh, "show vteps")["vteps"];
	REQUIRE(v.size() == 1);
	CHECK(v[0]["vtep"] == "192.0.2.2");
	CHECK(v[0]["resolved"] == false);
	// The kernel resolved it: the entry is written anew and the member re-pointed.
	b.edit(b.cfg, {neighbor("u0", "192.0.2.2", "02:bb:00:00:00:02")});
	v = show(sh, "show vteps")["vteps"];
	REQUIRE(v.size() == 1);
	CHECK(v[0]["resolved"] == true);
	CHECK(v[0]["nextHopMac"] == "02:bb:00:00:00:02");
	CHECK(v[0]["tenants"] == nlohmann::json::array({"alpha"}));
}

TEST_CASE("show dataplane counts live members and VTEPs, not table slots", "[shell]")
{
	EditedBackend b;
	shell::Shell sh(b);
	auto t = show(sh, "show dataplane")["tables"];
	// alpha: two attachments and a VTEP; beta: one attachment.
	CHECK(t["tenants"] == 2);
	CHECK(t["members"] == 4);
	CHECK(t["vteps"] == 1);
	CHECK(t["staticMacs"] == 0);
	config::Config without_beta = b.cfg;
	without_beta.tenants.pop_back();
	b.edit(without_beta, {neighbor("u0", "192.0.2.2", "02:bb:00:00:00:02")});
	t = show(sh, "show dataplane")["tables"];
	CHECK(t["tenants"] == 1);
	CHECK(t["members"] == 3);
	CHECK(t["vteps"] == 1);
	shell::Session s;
	const std::string text = sh.exec(s, "show dataplane").output;
	CHECK(text.find("1 tenants, 3 members, 1 VTEPs, 0 static MACs") != std::string::npos);
}

TEST_CASE("a removed tenant's MACs leave show mac-table with it", "[shell]")
{
	EditedBackend b;
	const abi::TableView before = b.tables();
	for (uint32_t m = 0; m < before.members.size; ++m) {
		if (before.member_live(m)) {
			b.tenant_of_member[m] =
			    std::string(before.name(before.tenants[before.tenant_of(m)].name));
		}
	}
	shell::Shell sh(b);
	auto tenants_shown = [&] {
		std::multiset<std::string> out;
		const auto shown = show(sh, "show mac-table");
		for (const auto& e : shown["entries"]) {
			out.insert(e["tenant"].get<std::string>());
		}
		return out;
	};
	CHECK(tenants_shown() == std::multiset<std::string>{"alpha", "alpha", "beta"});
	config::Config without_beta = b.cfg;
	const config::Tenant beta = without_beta.tenants.back();
	without_beta.tenants.pop_back();
	b.edit(without_beta);
	CHECK(tenants_shown() == std::multiset<std::string>{"alpha", "alpha"});
	shell::Session s;
	CHECK(sh.exec(s, "show mac-table tenant beta").output == "% No tenant named beta\n");
	// Added again, it is a new tenant (another index): the old entries stay out of it.
	without_beta.tenants.push_back(beta);
	b.edit(without_beta);
	CHECK(tenants_shown() == std::multiset<std::string>{"alpha", "alpha"});
	CHECK(show(sh, "show mac-table tenant beta")["entries"].empty());
}
