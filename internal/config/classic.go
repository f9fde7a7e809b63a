package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// ParseClassicFile reads a Fluent Bit classic configuration file and every
// file it includes. It does not load parsers_file; Load does.
func ParseClassicFile(path string) (*Model, []Warning, error) {
	p := newParse()
	p.open(path, link{}, nil, func(src []byte) { p.readClassic(path, src, nil) })
	return p.finish()
}

// ParseClassic parses src, a Fluent Bit classic configuration named name;
// @INCLUDE paths are relative to name's directory.
//
// The format, as Fluent Bit reads it (src/config_format/flb_cf_fluentbit.c):
// section headers such as [INPUT] start at column 1 and are
// case-insensitive; each entry is an indented "Key Value" line, the value
// being the rest of the line; lines whose first non-blank character is #
// are comments; @INCLUDE FILE reads another file (a glob reads every match)
// and @SET KEY=VALUE defines ${KEY} for every value of the configuration,
// wherever the @SET line is. The error, when not nil, is a *Error or an
// errors.Join of them, one per problem found.
func ParseClassic(name string, src []byte) (*Model, []Warning, error) {
	p := newParse()
	p.registerMain(name)
	p.within(func() { p.readClassic(name, src, nil) })
	return p.finish()
}

// sectionNames lists the classic sections Sluice reads, for hints.
var sectionNames = []string{"SERVICE", "INPUT", "FILTER", "OUTPUT", "PARSER", "MULTILINE_PARSER"}

// classicKind returns the kind of a section name, case-insensitively.
func classicKind(name string) (Kind, bool) {
	switch strings.ToUpper(name) {
	case "SERVICE":
		return KindService, true
	case "INPUT":
		return KindInput, true
	case "FILTER":
		return KindFilter, true
	case "OUTPUT":
		return KindOutput, true
	case "PARSER":
		return KindParser, true
	case "MULTILINE_PARSER":
		return KindMultilineParser, true
	}
	return "", false
}

// classicReader reads one classic file.
type classicReader struct {
	p    *parse
	file string
	dir  string
	o    origin

	sec          *Section // section being read; nil before a header or under a bad one
	title        string   // "[INPUT]", for messages
	skip         bool     // ignore entries until the next header: their problem is reported
	afterInclude bool     // an @INCLUDE closed the section above
	indent       string   // indentation of the section's first entry
	indentLine   int
}

// readClassic parses one classic file into p.m.
func (p *parse) readClassic(name string, src []byte, o origin) {
	r := &classicReader{p: p, file: name, dir: filepath.Dir(name), o: o}
	n := 0
	for line := range strings.Lines(strings.TrimPrefix(string(src), "\uFEFF")) {
		n++
		r.line(n, strings.TrimRight(line, "\r\n"))
	}
	r.endSection()
}

func (r *classicReader) line(n int, line string) {
	body := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(body)]
	switch {
	case strings.TrimSpace(body) == "" || body[0] == '#':
		return
	case indent == "" && body[0] == '[':
		r.header(n, line)
	case indent == "" && body[0] == '@':
		r.command(n, line)
	case body[0] == '[' || body[0] == '@':
		word, _ := splitWord(body)
		r.failAt(n, len(indent)+1, fmt.Sprintf("%q must start at column 1", word),
			"remove the indentation: section headers and @ commands are never indented")
	default:
		r.entry(n, indent, body)
	}
}

func (r *classicReader) header(n int, line string) {
	r.endSection()
	end := strings.IndexByte(line, ']')
	if end < 0 {
		r.skip = true
		r.failAt(n, 1, fmt.Sprintf("section header %q has no closing ]", line), "write a section header as [INPUT]")
		return
	}
	name := strings.TrimSpace(line[1:end])
	if after := line[end+1:]; strings.TrimSpace(after) != "" {
		col := end + 2 + len(after) - len(strings.TrimLeft(after, " \t"))
		r.p.warn(r.pos(n, col), fmt.Sprintf("text %q after the section header is ignored", strings.TrimSpace(after)))
	}
	kind, ok := classicKind(name)
	if !ok {
		r.skip = true
		r.failAt(n, 1, fmt.Sprintf("unknown section %q", line[:end+1]), sectionHint(name))
		return
	}
	r.sec = &Section{Kind: kind, Pos: r.pos(n, 1)}
	r.title = "[" + strings.ToUpper(name) + "]"
}

// endSection adds the section being read to the model.
func (r *classicReader) endSection() {
	if r.sec != nil {
		if len(r.sec.Params) == 0 {
			r.p.warn(r.sec.Pos, fmt.Sprintf("section %s has no entries", r.title))
		}
		r.p.m.Add(*r.sec)
	}
	r.sec, r.title, r.skip, r.afterInclude, r.indent, r.indentLine = nil, "", false, false, "", 0
}

func (r *classicReader) command(n int, line string) {
	word, arg := splitWord(line[1:])
	switch strings.ToUpper(word) {
	case "INCLUDE":
		r.include(n, arg)
	case "SET":
		key, value, ok := strings.Cut(arg, "=")
		if key = strings.TrimSpace(key); !ok || key == "" {
			r.failAt(n, 1, fmt.Sprintf("@SET %q is not KEY=VALUE", arg), "for example: @SET region=us-east-1")
			return
		}
		r.p.vars[key] = strings.TrimSpace(value)
	default:
		hint := "valid commands are @INCLUDE and @SET"
		if s := Suggest(word, []string{"INCLUDE", "SET"}); s != "" {
			hint = "did you mean @" + s + "? " + hint
		}
		r.failAt(n, 1, fmt.Sprintf("unknown command %q", "@"+word), hint)
	}
}

// include reads the files of an @INCLUDE line. Its path is not expanded:
// Fluent Bit reads it as written.
func (r *classicReader) include(n int, pattern string) {
	if pattern == "" {
		r.failAt(n, 1, "@INCLUDE needs a file name or a glob pattern", "for example: @INCLUDE inputs.conf")
		return
	}
	r.endSection()
	r.afterInclude = true
	site := link{at: r.pos(n, 1), how: viaInclude}
	for _, path := range r.p.includePaths(pattern, r.dir, site, r.o) {
		r.p.open(path, site, r.o, func(src []byte) { r.p.readClassic(path, src, r.o.push(site)) })
	}
}

func (r *classicReader) entry(n int, indent, body string) {
	if r.skip {
		return
	}
	key, value := splitWord(body)
	col := len(indent) + 1
	switch {
	case r.sec == nil:
		r.skip = true
		r.failAt(n, col, fmt.Sprintf("%q is outside any section", key), r.orphanHint(body))
	case indent == "":
		hint := "indent every entry of a section, for example with 4 spaces"
		if guess := headerGuess(body); guess != "" {
			hint = "did you mean " + guess + "? " + hint
		}
		r.failAt(n, 1, fmt.Sprintf("entry %q is not indented", key), hint)
	case !r.indentOK(n, indent): // reported by indentOK
	case value == "":
		r.failAt(n, col, fmt.Sprintf("key %q has no value", key), "write the value after the key on the same line: "+key+" VALUE")
	default:
		r.sec.Params = append(r.sec.Params, Param{Key: key, Value: value, Pos: r.pos(n, col)})
	}
}

// indentOK checks an entry's indentation against the section's first entry.
// Like Fluent Bit (check_indent), tabs and spaces must match character for
// character, and exactly twice the indentation is accepted: Fluent Bit
// reads it as the content of a group, and with no group open, as an entry
// of the section.
func (r *classicReader) indentOK(n int, indent string) bool {
	if r.indent == "" {
		r.indent, r.indentLine = indent, n
		return true
	}
	if indent == r.indent || indent == r.indent+r.indent {
		return true
	}
	common := 0
	for common < len(indent) && common < len(r.indent) && indent[common] == r.indent[common] {
		common++
	}
	problem := "indentation is deeper than the section's first entry"
	switch {
	case common < len(indent) && common < len(r.indent):
		problem = "inconsistent use of tabs and spaces"
	case len(indent) < len(r.indent):
		problem = "indentation is shallower than the section's first entry"
	}
	r.failAt(n, len(indent)+1,
		fmt.Sprintf("%s: %s here, %s on line %d", problem, describeIndent(indent), describeIndent(r.indent), r.indentLine),
		"indent every entry of a section the same way; Fluent Bit rejects the file otherwise")
	return false
}

func (r *classicReader) orphanHint(body string) string {
	switch {
	case r.afterInclude:
		return "an @INCLUDE line ends the section above it: repeat the section header after the @INCLUDE"
	case headerGuess(body) != "":
		return "did you mean " + headerGuess(body) + "?"
	}
	return "entries belong under a section header such as [INPUT]"
}

func (r *classicReader) failAt(n, col int, msg, hint string) {
	r.p.fail(r.o, &Error{Pos: r.pos(n, col), Section: r.title, Msg: msg, Hint: hint})
}

func (r *classicReader) pos(n, col int) Position { return Position{File: r.file, Line: n, Column: col} }

// splitWord splits "Key  the value" into "Key" and "the value".
func splitWord(s string) (word, rest string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return strings.TrimSpace(s), ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

// headerGuess returns "[OUTPUT]" for a line such as "OUTPUT" or "[OUTPUT",
// a section header written without its brackets.
func headerGuess(body string) string {
	name := strings.Trim(strings.TrimSpace(body), "[]")
	if _, ok := classicKind(name); ok {
		return "[" + strings.ToUpper(name) + "]"
	}
	return ""
}

// sectionHint says which sections are valid, suggesting the closest.
func sectionHint(name string) string {
	hint := "valid sections are " + strings.Join(sectionNames, ", ")
	switch strings.ToUpper(name) {
	case "CUSTOM", "PLUGINS", "UPSTREAM", "NODE", "STREAM_TASK":
		return "Sluice does not support Fluent Bit's [" + strings.ToUpper(name) + "] sections; " + hint
	}
	if s := Suggest(name, sectionNames); s != "" {
		return "did you mean [" + s + "]? " + hint
	}
	return hint
}

// describeIndent renders an indentation for messages: "4 spaces", "1 tab".
func describeIndent(s string) string {
	tabs := strings.Count(s, "\t")
	spaces := len(s) - tabs
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case tabs == 0:
		return plural(spaces, "space")
	case spaces == 0:
		return plural(tabs, "tab")
	}
	return plural(tabs, "tab") + " and " + plural(spaces, "space")
}
