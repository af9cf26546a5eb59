#include "control/shell/shell.hpp"

#include <algorithm>

#include "control/shell/show_commands.hpp"
#include "control/shell/show_evpn.hpp"
#include "control/shell/trace_view.hpp"

namespace tsunagi::shell {

namespace {

// A show command: its document as JSON when the line ends in `json`, else as text.
Reply shown(const std::string& command, const Shown& s, const Args& a)
{
	if (!s.error.empty()) {
		return {s.error + "\n", false};
	}
	return {a.has("json") ? s.doc.dump(2) + "\n" : render_text(command, s.doc), true};
}

}  // namespace

Shell::Shell(Backend& backend) : backend_(backend)
{
	define_words();
	add_show_commands();
	add_exec_actions();
	add_mode_commands();
	add_configure_commands();
}

// Every keyword and argument of the grammar, with its help text (`?`).
void Shell::define_words()
{
	auto& t = tree_;
	t.keyword("show", "Show running system information");
	t.keyword("json", "JavaScript Object Notation");
	t.keyword("tenants", "Every tenant (customer segment) with its counters");
	t.keyword("tenant", "One tenant in detail");
	t.keyword("attachments", "Every access-port VLAN and the tenant it belongs to");
	t.keyword("vteps", "Remote VXLAN tunnel endpoints and their next hops");
	t.keyword("vrf", "A tenant's VRF (private link)");
	t.keyword("routes", "The routes the dataplane forwards by");
	t.keyword("interfaces", "Ports with their counters");
	t.keyword("drops", "Packets the dataplane dropped, by reason");
	t.keyword("dataplane", "Table generations, workers, update latency");
	t.keyword("running-config", "The YAML configuration in force");
	t.keyword("bgp", "BGP information (FRR)");
	t.keyword("ip", "IPv4 information (FRR)");
	t.keyword("ipv6", "IPv6 information (FRR)");
	t.keyword("route", "Routing table (FRR)");
	t.keyword("configure", "Enter configuration mode");
	t.keyword("terminal", "Configure from the terminal");
	t.keyword("exit", "Leave this mode (in exec mode: end the session)");
	t.keyword("quit", "End the session");
	t.keyword("end", "Back to exec mode");
	t.keyword("reload", "Re-read the YAML file, show what changes and apply it atomically");
	t.keyword("check", "Only show what would change; apply nothing");
	t.keyword("confirm-within",
	          "Roll back by itself unless `confirm` follows within SECONDS (commit confirmed)");
	t.keyword("confirm", "Keep the reload that awaits confirmation");
	t.keyword("rollback", "Apply a configuration applied before (see show config-history)");
	t.keyword("mac-table", "MAC addresses the dataplane learned (or was given)");
	t.keyword("clear", "Reset learned state");
	t.keyword("evpn", "BGP EVPN: what the node learned of its EVPN tenants' VNIs");
	t.keyword("vni", "Each EVPN tenant's VNI with its remote VTEPs and MACs");
	t.keyword("mac", "Remote MACs learned from type-2 routes");
	t.keyword("trace", "What the pipeline does with a frame (nothing is sent)");
	t.arg("PORT", {"Port the frame arrives on", ArgType::Accept::word, 0, 0, "port"});
	t.arg("HEX-FRAME",
	      {"The frame in hexadecimal, from the destination MAC on (spaces, colons allowed)",
	       ArgType::Accept::rest});
	t.keyword("config-history", "The configurations applied, newest first, for rollback");
	t.arg("SECONDS", {"Seconds (1-86400)", ArgType::Accept::number, 1, 86400, ""});
	t.arg("N", {"How many configurations back (1-9)", ArgType::Accept::number, 1, 9, ""});
	t.arg("TENANT", {"Tenant name", ArgType::Accept::word, 0, 0, "tenant"});
	t.arg("VRF", {"VRF (tenant) name", ArgType::Accept::word, 0, 0, "vrf"});
	t.arg("LINE", {"The rest of the command, as FRR's vtysh takes it", ArgType::Accept::rest});
}

// What exec mode shows: the node's own documents, and FRR's passed through.
void Shell::add_show_commands()
{
	add(Mode::exec, "show tenants [json]", [this](Session&, const Args& a) {
		return shown("tenants", show_tenants(backend_), a);
	});
	add(Mode::exec, "show tenant TENANT [json]", [this](Session&, const Args& a) {
		return shown("tenant", show_tenant(backend_, a.get("TENANT")), a);
	});
	add(Mode::exec, "show attachments [json]", [this](Session&, const Args& a) {
		return shown("attachments", show_attachments(backend_), a);
	});
	add(Mode::exec, "show vteps [json]",
	    [this](Session&, const Args& a) { return shown("vteps", show_vteps(backend_), a); });
	add(Mode::exec, "show vrf VRF routes [json]", [this](Session&, const Args& a) {
		return shown("vrf-routes", show_vrf_routes(backend_, a.get("VRF")), a);
	});
	add(Mode::exec, "show interfaces [json]", [this](Session&, const Args& a) {
		return shown("interfaces", show_interfaces(backend_), a);
	});
	add(Mode::exec, "show drops [json]",
	    [this](Session&, const Args& a) { return shown("drops", show_drops(backend_), a); });
	add(Mode::exec, "show dataplane [json]", [this](Session&, const Args& a) {
		return shown("dataplane", show_dataplane(backend_), a);
	});
	add(Mode::exec, "show running-config [json]", [this](Session&, const Args& a) {
		return shown("running-config", show_running_config(backend_), a);
	});
	// Routing state is FRR's: its own commands, passed through unchanged (`json` included).
	for (const char* pass :
	     {"show bgp [LINE]", "show ip route [LINE]", "show ipv6 route [LINE]"}) {
		add(Mode::exec, pass, [this](Session&, const Args& a) {
			std::string cmd = "show";
			for (const auto& k : a.keywords) {
				cmd += k == "show" ? "" : " " + k;
			}
			if (!a.get("LINE").empty()) {
				cmd += " " + a.get("LINE");
			}
			auto out = backend_.vtysh(cmd);
			if (!out) {
				return Reply{
				    "% FRR is not run by this tsunagid (start it with --frr)\n",
				    false};
			}
			return Reply{*out, true};
		});
	}
	add(Mode::exec, "show evpn vni [json]", [this](Session&, const Args& a) {
		return shown("evpn-vni", show_evpn_vni(backend_), a);
	});
	add(Mode::exec, "show evpn mac [tenant TENANT] [json]", [this](Session&, const Args& a) {
		return shown("evpn-mac", show_evpn_mac(backend_, a.get("TENANT")), a);
	});
	add(Mode::exec, "show evpn vteps [json]", [this](Session&, const Args& a) {
		return shown("evpn-vteps", show_evpn_vteps(backend_), a);
	});
	add(Mode::exec, "show mac-table [tenant TENANT] [json]", [this](Session&, const Args& a) {
		return shown("mac-table", show_mac_table(backend_, a.get("TENANT")), a);
	});
}

// What exec mode does to the dataplane, and the configuration history.
void Shell::add_exec_actions()
{
	add(Mode::exec, "clear mac-table [tenant TENANT]", [this](Session& s, const Args& a) {
		const std::string& name = a.get("TENANT");
		const abi::TableView t = backend_.tables();
		uint32_t idx = abi::kAllTenants;
		if (!name.empty() &&
		    (idx = t.valid() ? t.tenant_by_name(name) : abi::kNone) == abi::kNone) {
			return Reply{"% No tenant named " + name + "\n", false};
		}
		record(s, "clear mac-table" + (name.empty() ? "" : " tenant " + name));
		std::string error;
		const auto n = backend_.clear_mac_table(idx, error);
		if (!n) {
			return Reply{"% " + error + "\n", false};
		}
		return Reply{"cleared " + std::to_string(*n) + " dynamic entries\n", true};
	});
	add(Mode::exec, "trace PORT HEX-FRAME", [this](Session&, const Args& a) {
		const abi::TableView t = backend_.tables();
		const uint16_t port = t.valid() ? t.port_by_name(a.get("PORT")) : abi::kNoPort;
		if (port == abi::kNoPort) {
			return Reply{"% No port named " + a.get("PORT") + "\n", false};
		}
		std::string frame, error;
		if (!parse_hex_frame(a.get("HEX-FRAME"), frame, error)) {
			return Reply{error + "\n", false};
		}
		const auto json = backend_.trace(port, frame, error);
		if (!json) {
			return Reply{"% " + error + "\n", false};
		}
		const auto v = nlohmann::json::parse(*json, nullptr, false);
		if (!v.is_object()) {
			return Reply{"% The dataplane's trace is not JSON\n", false};
		}
		return Reply{render_trace(t, frame, v), true};
	});
	add(Mode::exec, "show config-history [json]", [this](Session&, const Args& a) {
		return shown("config-history", show_config_history(backend_), a);
	});
}

// Moving between exec and configure mode, and leaving.
void Shell::add_mode_commands()
{
	add(Mode::exec, "configure [terminal]", [](Session& s, const Args&) {
		s.mode = Mode::configure;
		return Reply{};
	});
	add(Mode::exec, "exit", [](Session&, const Args&) { return Reply{"", true, true}; });
	add(Mode::exec, "quit", [](Session&, const Args&) { return Reply{"", true, true}; });
	add(Mode::configure, "exit", [](Session& s, const Args&) {
		s.mode = Mode::exec;
		return Reply{};
	});
	add(Mode::configure, "end", [](Session& s, const Args&) {
		s.mode = Mode::exec;
		return Reply{};
	});
	// A refusal reads as vtysh's do: every line of it behind "% ".
}

// What configure mode changes: reloads, confirmation and rollback.
void Shell::add_configure_commands()
{
	auto lines = [](const ReloadResult& r) {
		std::string out;
		for (const auto& l : r.lines) {
			out += (r.ok || l.rfind('%', 0) == 0 ? "" : "% ") + l + "\n";
		}
		return Reply{out, r.ok};
	};
	add(Mode::configure, "reload [check]", [this, lines](Session& s, const Args& a) {
		const bool check = a.has("check");
		if (!check) {
			record(s, "reload");
		}
		return lines(backend_.reload(check));
	});
	add(Mode::configure, "reload confirm-within SECONDS",
	    [this, lines](Session& s, const Args& a) {
		    record(s, "reload confirm-within " + a.get("SECONDS"));
		    return lines(backend_.reload(false, uint32_t(std::stoul(a.get("SECONDS")))));
	    });
	add(Mode::configure, "confirm", [this, lines](Session& s, const Args&) {
		record(s, "confirm");
		return lines(backend_.confirm());
	});
	add(Mode::configure, "rollback N", [this, lines](Session& s, const Args& a) {
		record(s, "rollback " + a.get("N"));
		return lines(backend_.rollback(uint32_t(std::stoul(a.get("N")))));
	});
}

void Shell::record(const Session& s, const std::string& command) const
{
	if (audit) {
		audit(s.user + " ran " + command);
	}
}

void Shell::add(Mode mode, std::string_view syntax, Handler h)
{
	const int id = tree_.add(mode, syntax);
	syntaxes_.emplace_back(syntax);
	if (id < 0) {
		valid_ = false;
		return;
	}
	handlers_.resize(std::max<size_t>(handlers_.size(), size_t(id) + 1));
	handlers_[size_t(id)] = std::move(h);
}

Reply Shell::exec(Session& s, std::string_view line)
{
	const auto m = tree_.parse(s.mode, line);
	if (m.command < 0) {
		if (s.mode == Mode::configure && !m.error.empty() &&
		    tree_.parse(Mode::exec, line).command >= 0) {
			return {"% \"" + std::string(line) + "\" is an exec-mode command: `do " +
			            std::string(line) + "` runs it from configure mode\n",
			        false};
		}
		return {m.error.empty() ? "" : m.error + "\n", m.error.empty()};
	}
	// `do` runs in exec mode, and leaves the session where it was.
	Session scratch = s;
	Session& where = m.mode == s.mode ? s : scratch;
	where.mode = m.mode;
	Reply r = handlers_[size_t(m.command)](where, m.args);
	if (!m.filters.empty()) {
		r.output = apply_filters(r.output, m.filters);
	}
	return r;
}

Reply Shell::help(const Session& s, std::string_view line) const
{
	std::string error;
	const auto items = tree_.help(s.mode, line, error);
	if (!items) {
		return {error + "\n", false};
	}
	size_t width = 0;
	for (const auto& i : *items) {
		width = std::max(width, i.word.size());
	}
	std::string out;
	for (const auto& i : *items) {
		out += "  " + i.word;
		if (!i.help.empty()) {
			out += std::string(width - i.word.size() + 2, ' ') + i.help;
		}
		out += "\n";
	}
	return {out, true};
}

std::vector<std::string> Shell::values(const std::string& source) const
{
	std::vector<std::string> out;
	for (const auto& t : backend_.config().tenants) {
		if (source == "tenant" || (source == "vrf" && t.vrf)) {
			out.push_back(t.name);
		}
	}
	if (source == "port") {
		for (const auto& p : backend_.config().ports) {
			out.push_back(p.name);
		}
	}
	return out;
}

std::vector<std::string> Shell::complete(const Session& s, std::string_view line) const
{
	return tree_.complete(s.mode, line,
	                      [this](const std::string& source) { return values(source); });
}

std::string Shell::prompt(const Session& s) const
{
	return backend_.config().node.name + (s.mode == Mode::configure ? "(config)# " : "# ");
}

}  // namespace tsunagi::shell
