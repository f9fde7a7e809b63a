// Package config holds Sluice's one typed configuration model. The Fluent Bit
// classic format (package classic) and the Fluent Bit YAML format (package
// yamlconf) are adapters that both produce a Model; nothing downstream knows
// which format a pipeline was written in.
//
// The model is deliberately untyped at the parameter level: a Section keeps
// its keys and values as the user wrote them, each with its position, so that
// the plugin layer (package plugin) can validate them against each plugin's
// declared parameters and report errors at file:line.
package config

import (
	"fmt"
	"strings"
)

// Position is where a thing was written: a file, a 1-based line and column.
// Line 0 means "not from a file" (command-line flags, defaults).
type Position struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// String renders the position as file:line:col, omitting what is unknown.
func (p Position) String() string {
	switch {
	case p.File == "" && p.Line == 0:
		return "<command line>"
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	}
}

// Param is one key/value pair of a section. Keys keep the user's spelling;
// lookups are case-insensitive, as in Fluent Bit. A key may appear more than
// once (modify's repeated Add, tail's repeated Path): all occurrences are kept
// in order.
type Param struct {
	Key   string   `json:"key"`
	Value string   `json:"value"`
	Pos   Position `json:"pos"`
}

// Kind says which part of the pipeline a section configures.
type Kind string

// The section kinds of a Fluent Bit configuration.
const (
	KindService         Kind = "service"
	KindInput           Kind = "input"
	KindFilter          Kind = "filter"
	KindOutput          Kind = "output"
	KindParser          Kind = "parser"
	KindMultilineParser Kind = "multiline_parser"
)

// Section is one [INPUT], [FILTER], [OUTPUT], [PARSER], [MULTILINE_PARSER]
// or [SERVICE] block (or the equivalent YAML mapping).
type Section struct {
	Kind   Kind     `json:"kind"`
	Pos    Position `json:"pos"`
	Params []Param  `json:"params"`
}

// Get returns the last value of key (case-insensitive) and whether it was set.
// Fluent Bit lets a later occurrence of a single-valued key win.
func (s *Section) Get(key string) (string, bool) {
	for i := len(s.Params) - 1; i >= 0; i-- {
		if strings.EqualFold(s.Params[i].Key, key) {
			return s.Params[i].Value, true
		}
	}
	return "", false
}

// Lookup is Get returning the whole Param, so callers can report its position.
func (s *Section) Lookup(key string) (Param, bool) {
	for i := len(s.Params) - 1; i >= 0; i-- {
		if strings.EqualFold(s.Params[i].Key, key) {
			return s.Params[i], true
		}
	}
	return Param{}, false
}

// Name returns the plugin name of the section (its Name key), lower-cased.
func (s *Section) Name() string {
	v, _ := s.Get("name")
	return strings.ToLower(strings.TrimSpace(v))
}

// Model is a whole pipeline configuration. Sections appear in the order they
// were written, across included files.
type Model struct {
	// Service holds the [SERVICE] keys. Several [SERVICE] sections merge
	// into one, later keys winning, as in Fluent Bit.
	Service Section `json:"service"`

	Inputs           []Section `json:"inputs,omitempty"`
	Filters          []Section `json:"filters,omitempty"`
	Outputs          []Section `json:"outputs,omitempty"`
	Parsers          []Section `json:"parsers,omitempty"`
	MultilineParsers []Section `json:"multiline_parsers,omitempty"`

	// Files lists every file read to build the model, main file first;
	// hot reload and `sluice validate` report them.
	Files []string `json:"files,omitempty"`
}

// Add appends a section to the list its kind belongs to; a service section
// is merged into Service.
func (m *Model) Add(s Section) {
	switch s.Kind {
	case KindService:
		if m.Service.Pos.File == "" && m.Service.Pos.Line == 0 {
			m.Service.Pos = s.Pos
		}
		m.Service.Kind = KindService
		m.Service.Params = append(m.Service.Params, s.Params...)
	case KindInput:
		m.Inputs = append(m.Inputs, s)
	case KindFilter:
		m.Filters = append(m.Filters, s)
	case KindOutput:
		m.Outputs = append(m.Outputs, s)
	case KindParser:
		m.Parsers = append(m.Parsers, s)
	case KindMultilineParser:
		m.MultilineParsers = append(m.MultilineParsers, s)
	}
}

// Error is a configuration error at a position. Hint, when set, says what
// would be valid ("did you mean ...", "valid values are ...").
type Error struct {
	Pos     Position
	Section string // e.g. "[OUTPUT] file", empty for file-level errors
	Msg     string
	Hint    string
}

// Error renders "file:line:col: [SECTION name] message; hint".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	b.WriteString(": ")
	if e.Section != "" {
		b.WriteString(e.Section)
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Errorf builds an *Error at pos.
func Errorf(pos Position, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
