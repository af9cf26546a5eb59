// The shell's commands (DESIGN.md §6, docs/shell.md): the grammar they form and what each
// does with the node. One Shell serves every session of the daemon's socket.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "control/shell/backend.hpp"
#include "control/shell/command_tree.hpp"

namespace tsunagi::shell {

struct Session {
	Mode mode = Mode::exec;
	std::string user;  // who is connected, for the log of changes
};

struct Reply {
	std::string output;
	bool ok = true;
	bool close = false;  // the session ends (exit in exec mode)
};

class Shell {
public:
	explicit Shell(Backend& backend);

	// Runs one command line.
	Reply exec(Session& s, std::string_view line);
	// `?` at the end of `line`: the candidates for the next word, one per line, with help.
	Reply help(const Session& s, std::string_view line) const;
	// Tab at the end of `line`: the words the last one may complete to.
	std::vector<std::string> complete(const Session& s, std::string_view line) const;
	std::string prompt(const Session& s) const;

	// Every command's syntax made a path in the grammar (checked by the unit tests).
	bool valid() const { return valid_; }
	// What the commands' syntaxes are, for the documentation test.
	const std::vector<std::string>& syntaxes() const { return syntaxes_; }

	// Lines a command with side effects logs: who did what.
	std::function<void(const std::string&)> audit;

private:
	using Handler = std::function<Reply(Session&, const Args&)>;
	void add(Mode mode, std::string_view syntax, Handler h);
	void define_words();
	void add_show_commands();
	void add_exec_actions();
	void add_mode_commands();
	void add_configure_commands();
	std::vector<std::string> values(const std::string& source) const;
	// Tells `audit` who ran a command that changes something.
	void record(const Session& s, const std::string& command) const;

	Backend& backend_;
	CommandTree tree_;
	std::vector<Handler> handlers_;
	std::vector<std::string> syntaxes_;
	bool valid_ = true;
};

}  // namespace tsunagi::shell
