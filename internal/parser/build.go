package parser

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/regex"
)

// Key is one key of a [PARSER] section.
type Key struct {
	Name string
	Doc  string
}

// Keys lists the keys a [PARSER] section accepts, as Fluent Bit names them.
var Keys = []Key{
	{"Name", "unique name the parser is referred to by (required)"},
	{"Format", "regex, json, logfmt or ltsv (required)"},
	{"Regex", "Ruby-syntax regular expression with named groups (required for Format regex)"},
	{"Time_Key", "field holding the record time (default time)"},
	{"Time_Format", "strptime format of Time_Key, with %L for fractional seconds"},
	{"Time_Keep", "keep Time_Key in the record after reading the time (default off)"},
	{"Time_Strict", "reject a time with text left after Time_Format (default on)"},
	{"Time_Offset", "fixed UTC offset such as -0600 for times without a zone"},
	{"Time_System_Timezone", "read times without a zone in the system's time zone"},
	{"Types", "space-separated field:type pairs; types integer, float, bool, hex, string"},
	{"Decode_Field", "TYPE FIELD: decode FIELD (json, escaped, escaped_utf8, mysql_quoted) and add a decoded map's keys to the record"},
	{"Decode_Field_As", "TYPE FIELD [try_next|do_next]: replace FIELD's value by its decoding"},
	{"Skip_Empty_Values", "drop regex groups that captured nothing (default on)"},
	{"Logfmt_No_Bare_Keys", "reject logfmt lines with keys that have no value (default off)"},
}

// New builds a parser from a [PARSER] section. Errors are *config.Error
// positioned at the key at fault, joined.
func New(sect *config.Section) (*Parser, error) {
	name := strings.TrimSpace(get(sect, "Name"))
	label := "[PARSER]"
	if name != "" {
		label = fmt.Sprintf("[PARSER] %s", name)
	}
	var errs []error
	fail := func(key, format string, args ...any) {
		pos := sect.Pos
		if prm, ok := sect.Lookup(key); ok && prm.Pos.Line > 0 {
			pos = prm.Pos
		}
		errs = append(errs, &config.Error{Pos: pos, Section: label, Msg: fmt.Sprintf(format, args...)})
	}
	for _, prm := range sect.Params {
		if !knownKey(prm.Key) {
			names := make([]string, len(Keys))
			for i, k := range Keys {
				names[i] = k.Name
			}
			hint := "valid keys are " + strings.Join(names, ", ")
			if s := config.Suggest(prm.Key, names); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			errs = append(errs, &config.Error{Pos: prm.Pos, Section: label, Msg: fmt.Sprintf("unknown key %q", prm.Key), Hint: hint})
		}
	}
	p := &Parser{name: name, timeKey: "time", skipEmpty: true, timeStrict: true, now: time.Now, timeLoc: time.UTC}
	if name == "" {
		fail("Name", "missing Name; every parser needs a unique name")
	}
	switch f := strings.ToLower(strings.TrimSpace(get(sect, "Format"))); f {
	case "regex":
		p.format = FormatRegex
	case "json":
		p.format = FormatJSON
	case "logfmt":
		p.format = FormatLogfmt
	case "ltsv":
		p.format = FormatLTSV
	case "":
		fail("Format", "missing Format; valid formats are regex, json, logfmt, ltsv")
	default:
		fail("Format", "invalid Format %q; valid formats are regex, json, logfmt, ltsv", f)
	}
	if expr := strings.TrimSpace(get(sect, "Regex")); p.format == FormatRegex {
		if expr == "" {
			fail("Regex", "Format regex needs a Regex")
		} else if re, err := regex.Compile(expr); err != nil {
			fail("Regex", "Regex: %v", err)
		} else {
			p.regex, p.names = re, re.SubexpNames()
		}
	}
	if k := strings.TrimSpace(get(sect, "Time_Key")); k != "" {
		p.timeKey = k
	}
	if f := strings.TrimSpace(get(sect, "Time_Format")); f != "" {
		l, err := ParseTimeLayout(f)
		if err != nil {
			fail("Time_Format", "%v", err)
		}
		p.timeLayout = l
	}
	boolKey := func(key string, dst *bool) {
		if v, ok := sect.Get(key); ok && strings.TrimSpace(v) != "" {
			b, err := parseBool(v)
			if err != nil {
				fail(key, "%s: %v", key, err)
			}
			*dst = b
		}
	}
	boolKey("Time_Keep", &p.timeKeep)
	boolKey("Time_Strict", &p.timeStrict)
	boolKey("Skip_Empty_Values", &p.skipEmpty)
	boolKey("Logfmt_No_Bare_Keys", &p.noBareKeys)
	var systemTZ bool
	boolKey("Time_System_Timezone", &systemTZ)
	if v := strings.TrimSpace(get(sect, "Time_Offset")); v != "" {
		off, err := ParseOffset(v)
		if err != nil {
			fail("Time_Offset", "%v", err)
		}
		p.timeLoc = time.FixedZone(v, off)
	} else if systemTZ {
		p.timeLoc = time.Local
	}
	if v := strings.TrimSpace(get(sect, "Types")); v != "" {
		for _, pair := range strings.Fields(v) {
			key, typ, ok := strings.Cut(pair, ":")
			if !ok || key == "" {
				fail("Types", "Types: %q is not field:type", pair)
				continue
			}
			t, ok := map[string]valueType{"string": typeString, "integer": typeInt, "int": typeInt,
				"float": typeFloat, "bool": typeBool, "hex": typeHex}[strings.ToLower(typ)]
			if !ok {
				fail("Types", "Types: unknown type %q for %s; valid types are string, integer, float, bool, hex", typ, key)
				continue
			}
			p.types = append(p.types, fieldType{key: key, typ: t})
		}
	}
	for _, prm := range sect.Params {
		merge := strings.EqualFold(prm.Key, "Decode_Field")
		if !merge && !strings.EqualFold(prm.Key, "Decode_Field_As") {
			continue
		}
		d, err := parseDecoder(prm.Value, merge)
		if err != nil {
			errs = append(errs, &config.Error{Pos: prm.Pos, Section: label, Msg: fmt.Sprintf("%s: %v", prm.Key, err)})
			continue
		}
		p.decoders = append(p.decoders, d)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

func get(s *config.Section, key string) string { v, _ := s.Get(key); return v }

func knownKey(k string) bool {
	for _, key := range Keys {
		if strings.EqualFold(key.Name, k) {
			return true
		}
	}
	return false
}

func parseBool(raw string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q; valid values are on, off, true, false", raw)
}

// Registry holds a configuration's parsers by name.
type Registry struct {
	byName map[string]*Parser
}

// NewRegistry builds every parser of sections. A name defined twice keeps
// the first definition, as Fluent Bit does, and is reported in the
// returned warnings; every invalid section is an error (joined).
func NewRegistry(sections []config.Section) (*Registry, []config.Warning, error) {
	r := &Registry{byName: map[string]*Parser{}}
	var errs []error
	var warns []config.Warning
	first := map[string]config.Position{}
	for i := range sections {
		p, err := New(&sections[i])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if at, dup := first[p.name]; dup {
			warns = append(warns, config.Warning{Pos: sections[i].Pos,
				Msg: fmt.Sprintf("[PARSER] %s is already defined at %s; this definition is ignored", p.name, at)})
			continue
		}
		first[p.name] = sections[i].Pos
		r.byName[p.name] = p
	}
	return r, warns, errors.Join(errs...)
}

// Lookup returns the parser named name.
func (r *Registry) Lookup(name string) (*Parser, bool) {
	if r == nil {
		return nil, false
	}
	p, ok := r.byName[name]
	return p, ok
}

// Names lists the parsers in alphabetical order, for error hints.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// UnknownHint says what to write instead of an unknown parser name.
func (r *Registry) UnknownHint(name string) string {
	names := r.Names()
	if len(names) == 0 {
		return "no parser is defined; add a [PARSER] section or a Parsers_File to [SERVICE]"
	}
	if s := config.Suggest(name, names); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "defined parsers are " + strings.Join(names, ", ")
}
