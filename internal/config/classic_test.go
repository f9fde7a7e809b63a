package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// describe renders a model one section a line, "kind: key=value; key=value",
// so that tables can state the expected model plainly.
func describe(m *Model) string {
	var b strings.Builder
	for _, s := range sectionsOf(m) {
		if s.Kind == "" {
			continue // no service section
		}
		b.WriteString(string(s.Kind) + ":")
		for i, p := range s.Params {
			if i > 0 {
				b.WriteByte(';')
			}
			fmt.Fprintf(&b, " %s=%s", p.Key, p.Value)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// configErrors flattens a returned error into its *Error parts, failing the
// test if any part is not a *Error.
func configErrors(t *testing.T, err error) []*Error {
	t.Helper()
	var out []*Error
	var walk func(error)
	walk = func(e error) {
		if joined, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range joined.Unwrap() {
				walk(inner)
			}
			return
		}
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("error %q is a %T, want *config.Error", e, e)
		}
		out = append(out, ce)
	}
	if err != nil {
		walk(err)
	}
	return out
}

// wantError describes one expected error: its exact position, and text its
// message and hint contain.
type wantError struct {
	pos, msg, hint string
}

func checkErrors(t *testing.T, err error, want []wantError) {
	t.Helper()
	got := configErrors(t, err)
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		g := got[i]
		if g.Pos.String() != w.pos || !strings.Contains(g.Msg, w.msg) || !strings.Contains(g.Hint, w.hint) {
			t.Errorf("error %d:\n got  %s\n want at %s a message with %q and a hint with %q", i, g, w.pos, w.msg, w.hint)
		}
	}
}

func TestParseClassic(t *testing.T) {
	t.Setenv("SLUICE_TEST_REGION", "eu-west-1")
	tests := []struct {
		name, src, want string
		warnings        []string
	}{{
		name: "sections and keys are case-insensitive, spelling is kept",
		src:  "[service]\n    Flush 1\n[Input]\n    NAME cpu\n    tag  cpu.local\n",
		want: "service: Flush=1\ninput: NAME=cpu; tag=cpu.local\n",
	}, {
		name: "value is the rest of the line, trailing blanks trimmed",
		src:  "[FILTER]\n    Name   grep\n    Regex  log  [Ee]rror   \n",
		want: "filter: Name=grep; Regex=log  [Ee]rror\n",
	}, {
		name: "comments at any indentation, blank lines with spaces, CRLF and a BOM",
		src:  "\uFEFF# top\r\n[INPUT]\r\n  # indented comment\r\n    \r\n    Name cpu\r\n# column 1 comment\r\n    Tag x\r\n",
		want: "input: Name=cpu; Tag=x\n",
	}, {
		name: "a tab separates key and value",
		src:  "[INPUT]\n    Name\tcpu\n",
		want: "input: Name=cpu\n",
	}, {
		name: "tab indentation used consistently is valid",
		src:  "[INPUT]\n\tName cpu\n\tTag  x\n",
		want: "input: Name=cpu; Tag=x\n",
	}, {
		name: "each section may use its own indentation",
		src:  "[INPUT]\n  Name cpu\n[OUTPUT]\n    Name stdout\n",
		want: "input: Name=cpu\noutput: Name=stdout\n",
	}, {
		name: "twice the indentation is accepted, as Fluent Bit does",
		src:  "[INPUT]\n    Name cpu\n        Tag x\n",
		want: "input: Name=cpu; Tag=x\n",
	}, {
		name: "several SERVICE sections merge, later keys last",
		src:  "[SERVICE]\n    Flush 1\n[INPUT]\n    Name cpu\n[SERVICE]\n    Log_Level debug\n    Flush 5\n",
		want: "service: Flush=1; Log_Level=debug; Flush=5\ninput: Name=cpu\n",
	}, {
		name: "repeated keys are all kept in order",
		src:  "[FILTER]\n    Name modify\n    Add a 1\n    Add b 2\n",
		want: "filter: Name=modify; Add=a 1; Add=b 2\n",
	}, {
		name: "multiline parser rules keep the raw rest of the line",
		src:  "[MULTILINE_PARSER]\n    name  ml\n    rule  \"start_state\"  \"/^\\d+ \\w/\"  \"cont\"\n",
		want: "multiline_parser: name=ml; rule=\"start_state\"  \"/^\\d+ \\w/\"  \"cont\"\n",
	}, {
		name: "@SET applies to every value, even before the @SET line",
		src:  "[OUTPUT]\n    Name ${out}\n    Match ${tag}.*\n@SET out=stdout\n@set tag = app\n",
		want: "output: Name=stdout; Match=app.*\n",
	}, {
		name: "environment variables expand; @SET wins over the environment",
		src:  "@SET SLUICE_TEST_REGION=us-east-1\n[OUTPUT]\n    region ${SLUICE_TEST_REGION}\n",
		want: "output: region=us-east-1\n",
	}, {
		name:     "an undefined variable expands to nothing, with a warning",
		src:      "[OUTPUT]\n    Name stdout\n    Match ${SLUICE_TEST_UNSET}app\n",
		want:     "output: Name=stdout; Match=app\n",
		warnings: []string{"main.conf:3:5: variable ${SLUICE_TEST_UNSET} in \"Match\" is not set"},
	}, {
		name: "a default applies to an unset variable",
		src:  "[OUTPUT]\n    region ${SLUICE_TEST_UNSET:-us-west-2}\n",
		want: "output: region=us-west-2\n",
	}, {
		name:     "text after a header and an empty section are warnings",
		src:      "[SERVICE] # main\n    Flush 1\n[INPUT]\n",
		want:     "service: Flush=1\ninput:\n",
		warnings: []string{"main.conf:1:11: text \"# main\" after the section header is ignored", "main.conf:3:1: section [INPUT] has no entries"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, warnings, err := ParseClassic("main.conf", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(m); got != tt.want {
				t.Errorf("model:\n%s\nwant:\n%s", got, tt.want)
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings %v, want %d", warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.HasPrefix(warnings[i].String(), w) {
					t.Errorf("warning %q, want it to start with %q", warnings[i], w)
				}
			}
		})
	}
}

func TestParseClassicPositions(t *testing.T) {
	src := "[SERVICE]\n    Flush 1\n\n[OUTPUT]\n\tName stdout\n"
	m, _, err := ParseClassic("fluent-bit.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want Position }{
		{m.Service.Pos, Position{"fluent-bit.conf", 1, 1}},
		{m.Service.Params[0].Pos, Position{"fluent-bit.conf", 2, 5}},
		{m.Outputs[0].Pos, Position{"fluent-bit.conf", 4, 1}},
		{m.Outputs[0].Params[0].Pos, Position{"fluent-bit.conf", 5, 2}},
	} {
		if c.got != c.want {
			t.Errorf("position %v, want %v", c.got, c.want)
		}
	}
}

func TestParseClassicErrors(t *testing.T) {
	const valid = "valid sections are SERVICE, INPUT, FILTER, OUTPUT, PARSER, MULTILINE_PARSER"
	tests := []struct {
		name, src string
		want      []wantError
	}{{
		name: "unknown section, with the closest valid one",
		src:  "[INPUT]\n    Name cpu\n[OUTPT]\n    Name stdout\n",
		want: []wantError{{"main.conf:3:1", `unknown section "[OUTPT]"`, "did you mean [OUTPUT]? " + valid}},
	}, {
		name: "unknown section far from any valid one",
		src:  "[PIPELINE]\n    Name x\n",
		want: []wantError{{"main.conf:1:1", `unknown section "[PIPELINE]"`, valid}},
	}, {
		name: "Fluent Bit section Sluice does not support",
		src:  "[CUSTOM]\n    Name calyptia\n",
		want: []wantError{{"main.conf:1:1", `unknown section "[CUSTOM]"`, "does not support Fluent Bit's [CUSTOM]"}},
	}, {
		name: "header without its closing bracket",
		src:  "[INPUT\n    Name cpu\n",
		want: []wantError{{"main.conf:1:1", `"[INPUT" has no closing ]`, "[INPUT]"}},
	}, {
		name: "indentation shallower than the section's first entry",
		src:  "[INPUT]\n    Name cpu\n  Tag  x\n",
		want: []wantError{{"main.conf:3:3", "shallower than the section's first entry: 2 spaces here, 4 spaces on line 2", "same way"}},
	}, {
		name: "indentation deeper than the first entry, not twice it",
		src:  "[INPUT]\n    Name cpu\n      Tag  x\n",
		want: []wantError{{"main.conf:3:7", "deeper than the section's first entry: 6 spaces here", ""}},
	}, {
		name: "tabs and spaces mixed",
		src:  "[INPUT]\n\tName cpu\n    Tag  x\n",
		want: []wantError{{"main.conf:3:5", "inconsistent use of tabs and spaces: 4 spaces here, 1 tab on line 2", ""}},
	}, {
		name: "entry at column 1",
		src:  "[INPUT]\nName cpu\n",
		want: []wantError{{"main.conf:2:1", `entry "Name" is not indented`, "4 spaces"}},
	}, {
		name: "header written without brackets",
		src:  "[INPUT]\n    Name cpu\nOUTPUT\n",
		want: []wantError{{"main.conf:3:1", `entry "OUTPUT" is not indented`, "did you mean [OUTPUT]?"}},
	}, {
		name: "entries before any section, reported once",
		src:  "    Name cpu\n    Tag x\n[INPUT]\n    Name cpu\n",
		want: []wantError{{"main.conf:1:5", `"Name" is outside any section`, "[INPUT]"}},
	}, {
		name: "key without a value",
		src:  "[OUTPUT]\n    Name stdout\n    Match\n",
		want: []wantError{{"main.conf:3:5", `key "Match" has no value`, "Match VALUE"}},
	}, {
		name: "indented section header",
		src:  "[INPUT]\n    Name cpu\n    [OUTPUT]\n",
		want: []wantError{{"main.conf:3:5", `"[OUTPUT]" must start at column 1`, ""}},
	}, {
		name: "unknown command",
		src:  "@INCLUDES other.conf\n",
		want: []wantError{{"main.conf:1:1", `unknown command "@INCLUDES"`, "did you mean @INCLUDE?"}},
	}, {
		name: "@SET without =",
		src:  "@SET region\n",
		want: []wantError{{"main.conf:1:1", `@SET "region" is not KEY=VALUE`, "@SET region=us-east-1"}},
	}, {
		name: "@INCLUDE without a path",
		src:  "@INCLUDE\n",
		want: []wantError{{"main.conf:1:1", "@INCLUDE needs a file name", ""}},
	}, {
		name: "every error of the file is reported, in order",
		src:  "[INPUT]\n    Name cpu\n  Tag x\n[OUTPT]\n    Name stdout\n[OUTPUT]\n    Match\n",
		want: []wantError{
			{"main.conf:3:3", "shallower", ""},
			{"main.conf:4:1", "unknown section", "[OUTPUT]"},
			{"main.conf:7:5", `key "Match" has no value`, ""},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := ParseClassic("main.conf", []byte(tt.src))
			if m != nil {
				t.Errorf("got a model with errors: %v", describe(m))
			}
			checkErrors(t, err, tt.want)
		})
	}
}

func TestErrorSectionContext(t *testing.T) {
	_, _, err := ParseClassic("main.conf", []byte("[OUTPUT]\n    Name stdout\n    Match\n"))
	want := `main.conf:3:5: [OUTPUT] key "Match" has no value; write the value after the key on the same line: Match VALUE`
	if err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
