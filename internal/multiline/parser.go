package multiline

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/regex"
)

// StartState is the state a message begins in.
const StartState = "start_state"

// DefaultFlushTimeout is how long an unfinished message waits for its next
// line before it is emitted as it is: Fluent Bit's flush_timeout default.
const DefaultFlushTimeout = 4 * time.Second

// Kind is what a parser does with a line.
type Kind uint8

// The parser kinds.
const (
	// KindRegex parsers join lines by their rules.
	KindRegex Kind = iota + 1
	// KindDocker parsers decode Docker json-file lines and join the
	// pieces of a line Docker split (those whose log does not end in \n).
	KindDocker
	// KindCRI parsers decode CRI log lines and join `P` lines with the
	// `F` line that ends them.
	KindCRI
)

// Rule is one transition of a regex parser.
type Rule struct {
	// From lists the states the rule applies in.
	From []string
	// Regex must match the line for the rule to apply. A match the engine
	// gave up on (regex.ErrTimeout) is no match.
	Regex *regex.Regexp
	// Next is the state after a matching line.
	Next string
	// Any, when set, lists strings one of which a line must contain for
	// Regex to be tried: a cheap filter in front of a costly unanchored
	// regex. It must not change what matches.
	Any [][]byte
}

// Parser is an immutable multiline parser, safe for concurrent use by any
// number of Joiners.
type Parser struct {
	name         string
	kind         Kind
	flushTimeout time.Duration
	rules        map[string][]Rule // by state
}

// New builds a parser. A regex parser needs at least one rule from
// start_state, and every state a rule leads to (other than start_state)
// must be a state some rule applies in or end the message.
func New(name string, kind Kind, flushTimeout time.Duration, rules []Rule) (*Parser, error) {
	if flushTimeout <= 0 {
		flushTimeout = DefaultFlushTimeout
	}
	p := &Parser{name: name, kind: kind, flushTimeout: flushTimeout, rules: map[string][]Rule{}}
	for _, r := range rules {
		if r.Regex == nil || len(r.From) == 0 || r.Next == "" {
			return nil, fmt.Errorf("multiline parser %q: a rule needs states, a regex and a next state", name)
		}
		for _, s := range r.From {
			p.rules[s] = append(p.rules[s], r)
		}
	}
	if kind == KindRegex && len(p.rules[StartState]) == 0 {
		return nil, fmt.Errorf("multiline parser %q: no rule starts from %q; the first rule must name it", name, StartState)
	}
	return p, nil
}

// Name is the parser's name.
func (p *Parser) Name() string { return p.name }

// Kind is the parser's kind.
func (p *Parser) Kind() Kind { return p.kind }

// FlushTimeout is how long an unfinished message waits for more lines.
func (p *Parser) FlushTimeout() time.Duration { return p.flushTimeout }

// step returns the state after line in state, and whether a rule matched.
func (p *Parser) step(state string, line []byte) (string, bool) {
	for i := range p.rules[state] {
		r := &p.rules[state][i]
		if len(r.Any) > 0 && !containsAny(line, r.Any) {
			continue
		}
		if ok, _ := r.Regex.Match(line); ok { // gave up: the line does not continue the rule
			return r.Next, true
		}
	}
	return "", false
}

// terminal reports whether no rule leaves state: the message is complete.
func (p *Parser) terminal(state string) bool { return len(p.rules[state]) == 0 }

// ParseRule reads a rule as [MULTILINE_PARSER] writes it: three
// double-quoted words, the states (comma-separated), the regex between
// slashes, and the next state:
//
//	"start_state, cont"  "/^\s+at /"  "cont"
func ParseRule(raw string) (Rule, error) {
	words := splitRule(raw)
	if len(words) != 3 {
		return Rule{}, fmt.Errorf("rule %q: want three quoted values: \"state\" \"/regex/\" \"next_state\"", raw)
	}
	re, err := regex.Compile(words[1]) // strips the /.../ delimiters
	if err != nil {
		return Rule{}, fmt.Errorf("rule %q: regex: %v", raw, err)
	}
	var from []string
	for _, s := range strings.Split(words[0], ",") {
		if s = strings.TrimSpace(s); s != "" {
			from = append(from, s)
		}
	}
	next := strings.TrimSpace(words[2])
	if len(from) == 0 || next == "" {
		return Rule{}, fmt.Errorf("rule %q: the state and the next state must not be empty", raw)
	}
	return Rule{From: from, Regex: re, Next: next}, nil
}

// splitRule splits a rule into its words: double-quoted strings in which
// \" is a quote (the YAML adapter writes a regex's quotes so) and every
// other backslash is kept for the regex, or bare words.
func splitRule(raw string) []string {
	var words []string
	s := strings.TrimSpace(raw)
	for s != "" {
		if s[0] != '"' {
			i := strings.IndexAny(s, " \t")
			if i < 0 {
				i = len(s)
			}
			words = append(words, s[:i])
			s = strings.TrimLeft(s[i:], " \t")
			continue
		}
		var w strings.Builder
		i := 1
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) && s[i+1] == '"' {
				i++
			}
			w.WriteByte(s[i])
		}
		words = append(words, w.String())
		if i < len(s) {
			i++
		}
		s = strings.TrimLeft(s[i:], " \t")
	}
	return words
}

// FromSection builds a parser from a [MULTILINE_PARSER] section: name,
// type (regex), flush_timeout in milliseconds, and repeated rule keys.
// Errors carry the position of the key at fault.
func FromSection(s *config.Section) (*Parser, error) {
	name, _ := s.Get("name")
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, &config.Error{Pos: s.Pos, Section: "[MULTILINE_PARSER]", Msg: "missing name"}
	}
	label := fmt.Sprintf("[MULTILINE_PARSER] %s", name)
	timeout := DefaultFlushTimeout
	var rules []Rule
	for _, kv := range s.Params {
		switch strings.ToLower(kv.Key) {
		case "name":
		case "type":
			if t := strings.ToLower(strings.TrimSpace(kv.Value)); t != "regex" {
				return nil, &config.Error{Pos: kv.Pos, Section: label, Msg: fmt.Sprintf("type %q is not supported", kv.Value),
					Hint: "write type regex; the docker and cri formats are built in by those names"}
			}
		case "flush_timeout":
			ms, err := plugin.ParseDuration(kv.Value + "ms")
			if err != nil {
				return nil, &config.Error{Pos: kv.Pos, Section: label, Msg: "flush_timeout: " + err.Error(), Hint: "write milliseconds, e.g. 1000"}
			}
			timeout = ms
		case "rule":
			r, err := ParseRule(kv.Value)
			if err != nil {
				return nil, &config.Error{Pos: kv.Pos, Section: label, Msg: err.Error()}
			}
			rules = append(rules, r)
		case "key_content", "parser", "key_pattern", "key_group":
			// Fluent Bit's field selection for the multiline filter and
			// its post-join parser; tail joins the line itself.
		default:
			return nil, &config.Error{Pos: kv.Pos, Section: label, Msg: fmt.Sprintf("unknown key %q", kv.Key),
				Hint: "valid keys are name, type, flush_timeout, rule, key_content, parser"}
		}
	}
	p, err := New(name, KindRegex, timeout, rules)
	if err != nil {
		return nil, &config.Error{Pos: s.Pos, Section: label, Msg: err.Error()}
	}
	return p, nil
}

// Resolve returns the parsers named in names, in order: built-ins
// (docker, cri, go, java, python) and the [MULTILINE_PARSER] sections,
// which win over a built-in of the same name.
func Resolve(names []string, sections []config.Section) ([]*Parser, error) {
	var out []*Parser
	for _, n := range names {
		var found *Parser
		for i := len(sections) - 1; i >= 0 && found == nil; i-- {
			if v, _ := sections[i].Get("name"); strings.EqualFold(strings.TrimSpace(v), n) {
				p, err := FromSection(&sections[i])
				if err != nil {
					return nil, err
				}
				found = p
			}
		}
		if found == nil {
			found = Builtin(n)
		}
		if found == nil {
			return nil, fmt.Errorf("unknown multiline parser %q; valid names are docker, cri, go, java, python and the names of [MULTILINE_PARSER] sections", n)
		}
		out = append(out, found)
	}
	return out, nil
}

func containsAny(line []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(line, s) {
			return true
		}
	}
	return false
}
