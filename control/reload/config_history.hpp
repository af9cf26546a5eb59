// The configurations tsunagid applied, newest first: what `show config-history` lists and
// `rollback N` returns to. Kept on disk beside the running configuration
// (RUNTIME_DIR/config-history/), so a restarted daemon can still roll back to what was in
// force before it.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "control/shell/backend.hpp"

namespace tsunagi::control {

class ConfigHistory {
public:
	static constexpr size_t kDepth = 10;  // the running one and nine to roll back to

	// Reads what an earlier daemon left in `dir`; what cannot be read is skipped and said
	// in `log`.
	ConfigHistory(std::string dir, std::vector<std::string>& log);

	// Records `entry` as the newest and writes the history out; the oldest beyond kDepth
	// goes. False (with `error`) when it could not be written: it is still kept in memory.
	bool push(shell::Applied entry, std::string& error);

	const std::deque<shell::Applied>& entries() const { return entries_; }
	bool empty() const { return entries_.empty(); }
	size_t size() const { return entries_.size(); }
	const shell::Applied& operator[](size_t i) const { return entries_[i]; }
	// Renames the newest entry's origin ("reload (unconfirmed)" → "reload (confirmed)").
	bool relabel_newest(const std::string& origin, std::string& error);

private:
	bool save(std::string& error);

	std::string dir_;
	std::deque<shell::Applied> entries_;
	std::deque<uint64_t> seqs_;  // entries_[i] is in file seqs_[i]
	uint64_t next_seq_ = 1;
};

}  // namespace tsunagi::control
