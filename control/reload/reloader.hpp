// Reloads, as an operator of a router expects them (docs/shell.md): the YAML file re-read,
// checked and diffed against what runs, applied as one publication or not at all; a
// reload that rolls itself back unless confirmed in time; rollback to any of the last
// configurations applied, which outlive the daemon (config_history.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/config/model.hpp"
#include "control/reload/config_history.hpp"
#include "control/shell/backend.hpp"

namespace tsunagi::control {

class Reloader {
public:
	// The node a configuration is put in force on.
	class Target {
	public:
		virtual ~Target() = default;
		virtual const config::Config& running() const = 0;
		// Puts `next` (read from `text`) in force, saying what it did through `say`;
		// false when the running configuration stays.
		virtual bool put_in_force(config::Config next, const std::string& text,
		                          const std::function<void(std::string)>& say) = 0;
		// After every reload, rollback or roll-back that was not a check.
		virtual void reloaded(bool ok) = 0;
	};
	using Log = std::function<void(const std::string&)>;

	// `path`: the node's YAML file; `max_bytes`: the largest one taken. What the history
	// of an earlier daemon holds that cannot be read is said in `startup_log`.
	Reloader(std::string path, size_t max_bytes, const std::string& runtime_dir, Target& target,
	         Log log, std::vector<std::string>& startup_log);

	// Re-reads the YAML file and applies what changed; `check_only` reports the diff and
	// applies nothing. Every line is also logged (but for a check, which changes nothing).
	shell::ReloadResult reload(bool check_only, uint32_t confirm_within_s = 0);
	shell::ReloadResult confirm();
	shell::ReloadResult rollback(uint32_t n);
	std::vector<shell::Applied> history() const;
	std::optional<uint64_t> confirm_deadline_s() const;
	// An unconfirmed reload whose time is up: the configuration before it comes back.
	// Returns what to tell the shell's sessions, or "".
	std::string expire_unconfirmed();
	// The configuration the daemon started with, first in the history unless it is what
	// was in force when the previous daemon stopped.
	void record_startup(const std::string& text);
	// The YAML in force, as applied (RUNTIME_DIR/running.yaml).
	std::string running_yaml() const;

private:
	// Validates `text` (from `source`, for error positions), says what changes and applies
	// it, as one atomic publication; `check_only` applies nothing.
	shell::ReloadResult apply_text(const std::string& text, const std::string& source,
	                               bool check_only, const std::string& origin);
	shell::ReloadResult validate_and_apply(const std::string& text, const std::string& source,
	                                       bool check_only, const std::string& origin);
	void remember(const std::string& text, const std::string& origin);
	shell::ReloadResult refuse(std::string why, bool quiet = false);

	std::string path_;
	size_t max_bytes_;
	Target& target_;
	Log log_;
	ConfigHistory history_;
	// An applied reload that rolls back unless confirmed by `deadline`.
	struct Pending {
		std::string previous;
		std::chrono::steady_clock::time_point deadline;
	};
	std::optional<Pending> pending_;
};

}  // namespace tsunagi::control
