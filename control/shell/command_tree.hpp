// The shell's grammar, FRR-vtysh style: commands are paths of keywords and arguments in a
// tree per mode; a word may be abbreviated to any unique prefix; `?` lists what may come
// next, Tab completes it; `| include|exclude|begin REGEX` and `| count` filter output;
// `do` runs an exec command from configure mode. The daemon is the only place a command
// line is parsed (docs/shell.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/shell/output_filter.hpp"

namespace tsunagi::shell {

enum class Mode : uint8_t { exec, configure };

// What an argument accepts and where Tab finds its values.
struct ArgType {
	enum class Accept : uint8_t {
		word,    // any one word
		number,  // decimal in [min, max]
		hex,     // hexadecimal digits (spaces and colons between bytes allowed in `rest`)
		rest,    // every remaining word up to a `|`, joined by single spaces
	};
	std::string help;
	Accept accept = Accept::word;
	uint64_t min = 0, max = 0;
	std::string values;  // the completion source ("tenant", "port"); empty: none
};

// The words a command line matched: keywords by their full name, arguments by the name
// they have in the syntax.
struct Args {
	std::vector<std::string> keywords;
	std::map<std::string, std::string> values;

	bool has(std::string_view keyword) const;
	const std::string& get(const std::string& name) const;  // "" when absent
};

struct HelpItem {
	std::string word;  // a keyword, an argument's shown name, "<cr>" or "|"
	std::string help;
};

class CommandTree {
public:
	using Values = std::function<std::vector<std::string>(const std::string& source)>;

	CommandTree();
	~CommandTree();

	// Help shown for a keyword wherever it appears.
	void keyword(const std::string& word, std::string help);
	// An argument's type; in a syntax its name (all capitals, digits, '-' allowed) may be
	// suffixed `:LABEL` to store the value under LABEL and show LABEL in help.
	void arg(const std::string& name, ArgType type);
	// Adds a command: words separated by spaces, `[...]` an optional group (not nested).
	// Returns the command's number, which a match reports; -1 for a syntax with an
	// undeclared argument or an unbalanced bracket (a programming error the unit tests
	// catch).
	int add(Mode mode, std::string_view syntax);

	struct Match {
		int command = -1;        // -1: `error` says why
		Mode mode = Mode::exec;  // where the command lives (exec for `do ...`)
		Args args;
		std::vector<Filter> filters;
		std::string error;
	};
	Match parse(Mode mode, std::string_view line) const;

	// What may follow `line` (the text before the cursor): every candidate for the next
	// word when it ends in a space, else the candidates the last, partial word may be.
	// nullopt with `error` set when the words before make no command.
	std::optional<std::vector<HelpItem>> help(Mode mode, std::string_view line,
	                                          std::string& error) const;
	// Words Tab may put in place of the last (partial) word of `line`.
	std::vector<std::string> complete(Mode mode, std::string_view line,
	                                  const Values& values) const;

	struct Node;

private:
	struct State;
	struct Walk;
	Walk walk(Mode mode, const std::vector<std::string>& words, size_t count) const;

	std::map<std::string, std::string> keyword_help_;
	std::map<std::string, ArgType> args_;
	std::unique_ptr<Node> exec_, configure_, filters_;
	int commands_ = 0;
};

}  // namespace tsunagi::shell
