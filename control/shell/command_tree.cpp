#include "control/shell/command_tree.hpp"

#include <algorithm>
#include <cctype>

namespace tsunagi::shell {

bool Args::has(std::string_view keyword) const
{
	return std::find(keywords.begin(), keywords.end(), keyword) != keywords.end();
}

const std::string& Args::get(const std::string& name) const
{
	static const std::string none;
	const auto it = values.find(name);
	return it == values.end() ? none : it->second;
}

struct CommandTree::Node {
	std::string word;              // a keyword, or the argument's shown name
	const ArgType* arg = nullptr;  // null for a keyword
	std::string label;             // an argument's key in Args::values
	std::vector<std::unique_ptr<Node>> children;
	int command = -1;
	// Where the words after this one are looked up instead of `children`: `do` goes on in
	// exec mode; `|` in the filters.
	const Node* jump = nullptr;
	bool pipe = false;  // output may be filtered after this word

	Node* child(const std::string& w, const ArgType* a, const std::string& lbl)
	{
		for (auto& c : children) {
			if (c->word == w && c->arg == a && c->label == lbl) {
				return c.get();
			}
		}
		children.push_back(std::make_unique<Node>());
		Node* n = children.back().get();
		n->word = w;
		n->arg = a;
		n->label = lbl;
		return n;
	}
};

namespace {

using Node = CommandTree::Node;

std::vector<std::string> split(std::string_view line)
{
	std::vector<std::string> out;
	std::string cur;
	for (char c : line) {
		if (std::isspace(static_cast<unsigned char>(c))) {
			if (!cur.empty()) {
				out.push_back(std::move(cur));
				cur.clear();
			}
		} else {
			cur += c;
		}
	}
	if (!cur.empty()) {
		out.push_back(std::move(cur));
	}
	return out;
}

bool accepts(const ArgType& t, const std::string& w)
{
	switch (t.accept) {
		case ArgType::Accept::number: {
			if (w.empty() || w.size() > 19 ||
			    !std::all_of(w.begin(), w.end(), [](char c) {
				    return std::isdigit(static_cast<unsigned char>(c));
			    })) {
				return false;
			}
			const uint64_t v = std::stoull(w);
			return v >= t.min && v <= t.max;
		}
		case ArgType::Accept::hex:
			return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
				return std::isxdigit(static_cast<unsigned char>(c)) || c == ':';
			});
		case ArgType::Accept::word:
		case ArgType::Accept::rest:
			return !w.empty();
	}
	return false;
}

// How well a word fits a node: an exact keyword beats an abbreviation, which beats an
// argument (a typed one before any word), as in FRR's matcher.
enum class Fit : uint8_t { none, word_arg, typed_arg, prefix, exact };

Fit fit(const Node& n, const std::string& w)
{
	if (n.arg == nullptr) {
		if (n.word == w) {
			return Fit::exact;
		}
		return n.word.compare(0, w.size(), w) == 0 ? Fit::prefix : Fit::none;
	}
	if (!accepts(*n.arg, w)) {
		return Fit::none;
	}
	return n.arg->accept == ArgType::Accept::word || n.arg->accept == ArgType::Accept::rest
	           ? Fit::word_arg
	           : Fit::typed_arg;
}

const std::vector<std::unique_ptr<Node>>& next_of(const Node& n)
{
	return n.jump != nullptr ? n.jump->children : n.children;
}

}  // namespace

CommandTree::CommandTree()
    : exec_(std::make_unique<Node>()),
      configure_(std::make_unique<Node>()),
      filters_(std::make_unique<Node>())
{
	arg("REGEX", {"A regular expression (ECMAScript syntax)", ArgType::Accept::rest});
	keyword("include", "Show only the lines that match");
	keyword("exclude", "Show only the lines that do not match");
	keyword("begin", "Show the output from the first line that matches");
	keyword("count", "Count the lines of output");
	keyword("do", "Run an exec-mode command");
	for (const char* k : {"include", "exclude", "begin"}) {
		Node* n = filters_->child(k, nullptr, "");
		Node* re = n->child("REGEX", &args_.at("REGEX"), "REGEX");
		re->command = 0;
		re->pipe = true;
	}
	Node* count = filters_->child("count", nullptr, "");
	count->command = 0;
	count->pipe = true;
	Node* d = configure_->child("do", nullptr, "");
	d->jump = exec_.get();
}

CommandTree::~CommandTree() = default;

void CommandTree::keyword(const std::string& word, std::string help)
{
	keyword_help_[word] = std::move(help);
}

void CommandTree::arg(const std::string& name, ArgType type)
{
	args_[name] = std::move(type);
}

int CommandTree::add(Mode mode, std::string_view syntax)
{
	// Each optional group doubles the paths: every combination of groups present.
	std::vector<std::vector<std::string>> groups;  // [0]: words outside any group
	std::vector<int> group_of;
	std::vector<std::string> words;
	int open = -1;
	for (std::string w : split(syntax)) {
		const bool starts = w.front() == '[';
		const bool ends = w.back() == ']';
		if (starts) {
			if (open != -1) {
				return -1;
			}
			w.erase(0, 1);
			open = int(groups.size());
			groups.emplace_back();
		}
		if (ends) {
			if (open == -1) {
				return -1;
			}
			w.pop_back();
		}
		words.push_back(w);
		group_of.push_back(open);
		if (ends) {
			open = -1;
		}
	}
	if (open != -1 || words.empty()) {
		return -1;
	}
	for (const auto& w : words) {
		const std::string name = w.substr(0, w.find(':'));
		const bool is_arg = std::isupper(static_cast<unsigned char>(name.front()));
		if (is_arg && args_.count(name) == 0) {
			return -1;
		}
	}
	const int id = commands_++;
	const size_t n_groups = groups.size();
	for (uint64_t present = 0; present < (uint64_t{1} << n_groups); ++present) {
		Node* n = mode == Mode::exec ? exec_.get() : configure_.get();
		for (size_t i = 0; i < words.size(); ++i) {
			if (group_of[i] != -1 && !(present >> group_of[i] & 1)) {
				continue;
			}
			const std::string& w = words[i];
			const size_t colon = w.find(':');
			const std::string name = w.substr(0, colon);
			if (std::isupper(static_cast<unsigned char>(name.front()))) {
				const std::string label =
				    colon == std::string::npos ? name : w.substr(colon + 1);
				n = n->child(label, &args_.at(name), label);
			} else {
				n = n->child(w, nullptr, "");
			}
		}
		n->command = id;
		n->pipe = true;
	}
	return id;
}

// One way the words so far can be read; a line may be read several ways until a later
// word (or its end) settles which, as FRR's matcher does: `sh ten` is `show tenants`,
// since `show tenant` would need a name.
struct CommandTree::State {
	const Node* node = nullptr;
	Mode mode = Mode::exec;
	Args args;
	std::vector<Filter> filters;
	int command = -1;              // the command matched before any `|`
	bool in_filters = false;       // after a `|`
	const Node* filter = nullptr;  // the filter keyword being read
};

struct CommandTree::Walk {
	std::vector<State> states;
	std::string error;
};

CommandTree::Walk CommandTree::walk(Mode mode, const std::vector<std::string>& words,
                                    size_t count) const
{
	Walk w;
	State start;
	start.mode = mode;
	start.node = mode == Mode::exec ? exec_.get() : configure_.get();
	w.states.push_back(std::move(start));
	for (size_t i = 0; i < count; ++i) {
		const std::string& word = words[i];
		std::vector<std::pair<Fit, State>> next;
		Fit best = Fit::none;
		for (State& st : w.states) {
			auto take = [&](const Node* n, Fit f, State s) {
				if (f < best) {
					return;
				}
				best = f;
				s.node = n;
				next.emplace_back(f, std::move(s));
			};
			if (word == "|") {
				if (st.node->pipe) {
					State s = st;
					if (!s.in_filters) {
						s.command = st.node->command;
					}
					s.in_filters = true;
					s.filter = nullptr;
					take(filters_.get(), Fit::exact, std::move(s));
				}
				continue;
			}
			// Words go on into a `rest` argument until a `|`.
			if (st.node->arg != nullptr &&
			    st.node->arg->accept == ArgType::Accept::rest && i > 0 &&
			    words[i - 1] != "|") {
				// Moved, not copied, when nothing else goes on from here: a long
				// line (a frame in hex, byte by byte) costs linear time.
				const Node* node = st.node;
				State s = next_of(*node).empty() ? std::move(st) : st;
				std::string& v = s.in_filters ? s.filters.back().pattern
				                              : s.args.values[node->label];
				v += " " + word;
				take(node, Fit::word_arg, std::move(s));
				if (next_of(*node).empty()) {
					continue;
				}
			}
			for (const auto& c : next_of(*st.node)) {
				const Fit f = fit(*c, word);
				if (f == Fit::none) {
					continue;
				}
				State s = st;
				if (st.node->jump == exec_.get()) {
					s.mode = Mode::exec;  // `do`
				}
				if (c->arg == nullptr) {
					if (s.in_filters) {
						s.filter = c.get();
						if (c->word == "count") {
							s.filters.push_back(
							    {Filter::Kind::count, "", {}});
						}
					} else {
						s.args.keywords.push_back(c->word);
					}
				} else if (s.in_filters) {
					const std::string& k = s.filter->word;
					s.filters.push_back({k == "exclude" ? Filter::Kind::exclude
					                     : k == "begin" ? Filter::Kind::begin
					                                    : Filter::Kind::include,
					                     word,
					                     {}});
				} else {
					s.args.values[c->label] = word;
				}
				take(c.get(), f, std::move(s));
			}
		}
		std::vector<State> states_before = std::move(w.states);
		w.states.clear();
		for (auto& [f, s] : next) {
			if (f == best) {
				w.states.push_back(std::move(s));
			}
		}
		if (w.states.empty()) {
			w.error = "% Unknown command: " + word;
			// A number where one is taken, but not this one: say so, as vtysh does.
			for (const State& st : states_before) {
				for (const auto& c : next_of(*st.node)) {
					if (c->arg != nullptr &&
					    c->arg->accept == ArgType::Accept::number &&
					    !accepts(*c->arg, word) && !word.empty() &&
					    std::all_of(word.begin(), word.end(), [](char ch) {
						    return std::isdigit(
						        static_cast<unsigned char>(ch));
					    })) {
						w.error = "% Value out of range: " + word + " (" +
						          c->label + " is " +
						          std::to_string(c->arg->min) + "-" +
						          std::to_string(c->arg->max) + ")";
					}
				}
			}
			return w;
		}
	}
	return w;
}

CommandTree::Match CommandTree::parse(Mode mode, std::string_view line) const
{
	Match m;
	const auto words = split(line);
	if (words.empty()) {
		return m;  // an empty line: nothing to do, nothing to say
	}
	Walk w = walk(mode, words, words.size());
	if (!w.error.empty()) {
		m.error = w.error;
		return m;
	}
	std::vector<State*> complete;
	for (auto& st : w.states) {
		if (st.node->command >= 0) {
			complete.push_back(&st);
		}
	}
	if (complete.empty()) {
		m.error = "% Command incomplete: " + std::string(line);
		return m;
	}
	if (complete.size() > 1) {
		m.error = "% Ambiguous command: " + std::string(line);
		return m;
	}
	State& st = *complete.front();
	m.command = st.in_filters ? st.command : st.node->command;
	m.mode = st.mode;
	m.args = std::move(st.args);
	m.filters = std::move(st.filters);
	for (auto& f : m.filters) {
		if (std::string why = compile(f); !why.empty()) {
			m.command = -1;
			m.error = std::move(why);
			return m;
		}
	}
	return m;
}

namespace {

bool partial_last(std::string_view line)
{
	return !line.empty() && !std::isspace(static_cast<unsigned char>(line.back()));
}

}  // namespace

std::optional<std::vector<HelpItem>> CommandTree::help(Mode mode, std::string_view line,
                                                       std::string& error) const
{
	const auto words = split(line);
	const bool partial = partial_last(line);
	const Walk w = walk(mode, words, partial ? words.size() - 1 : words.size());
	error = "% There is no matched command.";
	if (!w.error.empty()) {
		return std::nullopt;
	}
	const std::string prefix = partial ? words.back() : "";
	std::vector<HelpItem> out;
	auto add = [&](std::string word, std::string help) {
		for (const auto& h : out) {
			if (h.word == word) {
				return;
			}
		}
		out.push_back({std::move(word), std::move(help)});
	};
	bool cr = false, pipe = false;
	for (const State& st : w.states) {
		for (const auto& c : next_of(*st.node)) {
			if (partial && fit(*c, prefix) == Fit::none) {
				continue;
			}
			if (c->arg != nullptr) {
				add(c->word, c->arg->help);
			} else {
				const auto it = keyword_help_.find(c->word);
				add(c->word,
				    it == keyword_help_.end() ? std::string() : it->second);
			}
		}
		cr = cr || st.node->command >= 0;
		pipe = pipe || st.node->pipe;
	}
	if (!partial && cr) {
		add("<cr>", "");
	}
	if (pipe && (!partial || prefix == "|")) {
		add("|", "Filter the output");
	}
	if (out.empty()) {
		return std::nullopt;
	}
	return out;
}

std::vector<std::string> CommandTree::complete(Mode mode, std::string_view line,
                                               const Values& values) const
{
	const auto words = split(line);
	const bool partial = partial_last(line);
	const Walk w = walk(mode, words, partial ? words.size() - 1 : words.size());
	const std::string prefix = partial ? words.back() : "";
	std::vector<std::string> out;
	for (const State& st : w.states) {
		for (const auto& c : next_of(*st.node)) {
			if (c->arg == nullptr) {
				if (c->word.compare(0, prefix.size(), prefix) == 0) {
					out.push_back(c->word);
				}
			} else if (!c->arg->values.empty() && values) {
				for (auto& v : values(c->arg->values)) {
					if (v.compare(0, prefix.size(), prefix) == 0) {
						out.push_back(std::move(v));
					}
				}
			}
		}
	}
	std::sort(out.begin(), out.end());
	out.erase(std::unique(out.begin(), out.end()), out.end());
	return out;
}

}  // namespace tsunagi::shell
