#include "common/config/yaml_syntax.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

namespace tsunagi::config {

namespace {

// One level of block structure open at a line: a key whose value is being read, or a list
// whose items are.
struct Frame {
	int indent = 0;
	bool seq = false;
	std::string key;
	int index = 0;           // seq: the current item
	bool has_value = false;  // key: a value follows it on its own line
	int line = 0;            // 1-based, where the key or the latest item is
};

struct KeyLine {
	std::string key;
	bool has_value = false;
	bool block_scalar = false;  // `|` or `>`: the lines under it are text
};

int indent_of(std::string_view l)
{
	return int(l.find_first_not_of(' ') == std::string_view::npos ? l.size()
	                                                              : l.find_first_not_of(' '));
}

bool blank_or_comment(std::string_view l)
{
	const size_t i = l.find_first_not_of(" \t");
	return i == std::string_view::npos || l[i] == '#';
}

std::string_view trim(std::string_view s)
{
	const size_t b = s.find_first_not_of(" \t");
	if (b == std::string_view::npos) {
		return {};
	}
	const size_t e = s.find_last_not_of(" \t");
	return s.substr(b, e - b + 1);
}

// `content` (a line without its indentation, or what follows "- ") as `key: value`, if
// it is one.
std::optional<KeyLine> key_line(std::string_view content)
{
	if (content.empty() ||
	    std::string_view("[{#|>&*!%@`").find(content[0]) != std::string_view::npos) {
		return std::nullopt;
	}
	size_t colon = std::string_view::npos;
	std::string key;
	if (content[0] == '"' || content[0] == '\'') {
		const size_t close = content.find(content[0], 1);
		if (close == std::string_view::npos || close + 1 >= content.size() ||
		    content[close + 1] != ':') {
			return std::nullopt;
		}
		colon = close + 1;
		key = std::string(content.substr(1, close - 1));
	} else {
		for (size_t i = 0; i < content.size(); ++i) {
			if (content[i] == ':' &&
			    (i + 1 == content.size() || content[i + 1] == ' ')) {
				colon = i;
				break;
			}
			if (content[i] == ' ' && i + 1 < content.size() && content[i + 1] == '#') {
				return std::nullopt;
			}
		}
		if (colon == std::string_view::npos) {
			return std::nullopt;
		}
		key = std::string(trim(content.substr(0, colon)));
	}
	KeyLine k;
	k.key = std::move(key);
	std::string_view value = trim(content.substr(colon + 1));
	if (!value.empty() && value[0] == '#') {
		value = {};
	}
	k.has_value = !value.empty();
	k.block_scalar = !value.empty() && (value[0] == '|' || value[0] == '>');
	return k;
}

std::string path_of(const std::vector<Frame>& frames, size_t count)
{
	std::string out;
	for (size_t i = 0; i < count && i < frames.size(); ++i) {
		if (frames[i].seq) {
			out += "[" + std::to_string(frames[i].index) + "]";
		} else {
			out += (out.empty() ? "" : ".") + frames[i].key;
		}
	}
	return out;
}

// The frames that enclose a line indented `indent`.
size_t enclosing(const std::vector<Frame>& frames, int indent)
{
	size_t n = 0;
	while (n < frames.size() && frames[n].indent < indent) {
		++n;
	}
	return n;
}

std::string quoted(std::string_view s)
{
	return "\"" + std::string(s.substr(0, 60)) + (s.size() > 60 ? "...\"" : "\"");
}

std::string columns_text(const std::set<int>& cols)
{
	std::string out;
	size_t i = 0;
	for (int c : cols) {
		out += (i == 0 ? "" : i + 1 == cols.size() ? " and " : ", ") + std::to_string(c);
		++i;
	}
	return out;
}

// The block structure open after the lines before `stop` (0-based), read as an operator
// reads it: by indentation.
struct Reading {
	std::vector<Frame> frames;
	int last_line = 0;  // 1-based: the last line that was a key or an item
	int last_indent = -1;
	bool last_has_value = false;
	std::string last_key;
};

Reading read_until(const std::vector<std::string_view>& lines, size_t stop)
{
	Reading r;
	int block_indent = -1;  // inside a block scalar under a key at this indent
	for (size_t n = 0; n < stop && n < lines.size(); ++n) {
		const std::string_view l = lines[n];
		if (blank_or_comment(l)) {
			continue;
		}
		int indent = indent_of(l);
		if (block_indent >= 0 && indent > block_indent) {
			continue;
		}
		block_indent = -1;
		std::string_view content = l.substr(size_t(indent));
		if (content == "---" || content == "...") {
			r.frames.clear();
			continue;
		}
		while (content.size() >= 1 && content[0] == '-' &&
		       (content.size() == 1 || content[1] == ' ')) {
			while (!r.frames.empty() && r.frames.back().indent > indent) {
				r.frames.pop_back();
			}
			if (!r.frames.empty() && r.frames.back().seq &&
			    r.frames.back().indent == indent) {
				++r.frames.back().index;
				r.frames.back().line = int(n) + 1;
			} else {
				r.frames.push_back({indent, true, "", 0, false, int(n) + 1});
			}
			const std::string_view rest = content.substr(1);
			const int skip = int(rest.find_first_not_of(' '));
			if (skip < 0) {
				content = {};
				break;
			}
			indent += 1 + skip;
			content = rest.substr(size_t(skip));
		}
		const auto k = key_line(content);
		if (!k) {
			continue;  // a scalar item, or a plain scalar going on over lines
		}
		while (!r.frames.empty() && r.frames.back().indent >= indent) {
			r.frames.pop_back();
		}
		r.frames.push_back({indent, false, k->key, 0, k->has_value, int(n) + 1});
		r.last_line = int(n) + 1;
		r.last_indent = indent;
		r.last_has_value = k->has_value;
		r.last_key = k->key;
		if (k->block_scalar) {
			block_indent = indent;
		}
	}
	return r;
}

}  // namespace

SyntaxError explain_syntax_error(std::string_view text, int line0, int column0,
                                 const std::string& parser)
{
	std::vector<std::string_view> lines;
	for (size_t start = 0; start <= text.size();) {
		size_t end = text.find('\n', start);
		if (end == std::string_view::npos) {
			end = text.size();
		}
		std::string_view l = text.substr(start, end - start);
		if (!l.empty() && l.back() == '\r') {
			l.remove_suffix(1);
		}
		lines.push_back(l);
		start = end + 1;
	}
	SyntaxError e;
	e.message = "YAML syntax error: " + parser;
	if (line0 < 0 || lines.empty()) {
		return e;
	}
	const size_t at = std::min(size_t(line0), lines.size() - 1);
	const std::string_view line = lines[at];
	const Reading r = read_until(lines, at);
	const int indent = indent_of(line);
	e.line = int(at) + 1;
	e.column = column0 >= 0 ? column0 + 1 : 1;
	e.path = path_of(r.frames, r.frames.size());

	std::string_view content = line.substr(size_t(indent));
	while (content.size() >= 2 && content[0] == '-' && content[1] == ' ') {
		content = trim(content.substr(1));
	}
	const auto k = key_line(content);
	const std::string what = k ? quoted(k->key) : "this line";
	const std::string suffix = " (the parser says: " + parser + ")";

	if (line.substr(0, line.find_first_not_of(" \t")).find('\t') != std::string_view::npos) {
		e.column = 1;
		e.path = path_of(r.frames, enclosing(r.frames, indent));
		e.message = "YAML syntax error: line " + std::to_string(e.line) +
		            " is indented with a tab; YAML indents with spaces only" + suffix;
		return e;
	}
	if (parser.rfind("illegal map value", 0) == 0) {
		e.column = indent + 1;
		if (r.last_indent >= 0 && indent > r.last_indent && r.last_has_value) {
			e.path = path_of(r.frames, enclosing(r.frames, r.last_indent));
			e.message =
			    "YAML syntax error: " + what + " is indented more (column " +
			    std::to_string(indent + 1) + ") than " + quoted(r.last_key) +
			    " on line " + std::to_string(r.last_line) + " (column " +
			    std::to_string(r.last_indent + 1) +
			    "), whose value is already given; the keys of one mapping start "
			    "in the same column" +
			    suffix;
			return e;
		}
		if (k && k->has_value &&
		    content.find(": ", content.find(':') + 1) != std::string_view::npos) {
			e.path = path_of(r.frames, enclosing(r.frames, indent));
			e.message = "YAML syntax error: the value of " + what +
			            " contains \": \"; put it in quotes" + suffix;
			return e;
		}
		e.path = path_of(r.frames, enclosing(r.frames, indent));
		e.message = "YAML syntax error: " + what +
		            " is a key where none can start; is the line above it complete?" +
		            suffix;
		return e;
	}
	if (parser.rfind("end of map not found", 0) == 0 ||
	    parser.rfind("end of sequence not found", 0) == 0) {
		std::set<int> keys, items;
		for (const auto& f : r.frames) {
			(f.seq ? items : keys).insert(f.indent + 1);
		}
		e.column = indent + 1;
		e.path = path_of(r.frames, enclosing(r.frames, indent));
		e.message = "YAML syntax error: " + what + " is indented to column " +
		            std::to_string(indent + 1) +
		            ", which lines up with nothing above it (keys there start at column" +
		            (keys.size() == 1 ? " " : "s ") + columns_text(keys) +
		            (items.empty() ? ""
		                           : ", list items at column" +
		                                 std::string(items.size() == 1 ? " " : "s ") +
		                                 columns_text(items)) +
		            "); line it up with the keys it belongs with" + suffix;
		return e;
	}
	if (parser.rfind("illegal block entry", 0) == 0 ||
	    parser.rfind("block sequence entries are not allowed", 0) == 0) {
		e.path = path_of(r.frames, enclosing(r.frames, indent));
		e.message =
		    "YAML syntax error: a list item (\"- \") where a value was expected; "
		    "start the list on the next line, indented under its key" +
		    suffix;
		return e;
	}
	if (parser.find("flow not found") != std::string::npos) {
		e.message =
		    "YAML syntax error: a '[' or '{' before this point is not closed" + suffix;
		return e;
	}
	return e;
}

}  // namespace tsunagi::config
