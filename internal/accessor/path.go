package accessor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/record"
)

// Segment is one step of a Path: a map key, or an array index when IsIndex.
type Segment struct {
	Key     string
	Index   int
	IsIndex bool
}

// Path names a value inside a record body, such as $kubernetes['labels']['app'].
// The zero Path is not valid; build one with Parse or ParseKey.
type Path struct {
	source   string
	segments []Segment
}

// SyntaxError is a malformed accessor, with the 1-based column of the
// character at fault.
type SyntaxError struct {
	Input  string
	Column int
	Reason string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("record accessor %q, column %d: %s", e.Input, e.Column, e.Reason)
}

// Parse compiles a record accessor that starts with '$'. The whole of s must
// be the accessor.
func Parse(s string) (*Path, error) {
	p, n, err := parsePath(s, 0)
	if err != nil {
		return nil, err
	}
	if n != len(s) {
		return nil, &SyntaxError{s, n + 1, fmt.Sprintf("unexpected %q after the accessor", s[n])}
	}
	return p, nil
}

// ParseKey compiles a parameter that names a key the way Fluent Bit's plugins
// accept it: either a record accessor ($a['b']) or a plain top-level key
// (log), taken literally.
func ParseKey(s string) (*Path, error) {
	if strings.HasPrefix(s, "$") {
		return Parse(s)
	}
	if s == "" {
		return nil, &SyntaxError{s, 1, "empty key"}
	}
	return &Path{source: s, segments: []Segment{{Key: s}}}, nil
}

// parsePath reads an accessor starting at s[at] == '$' and returns it with
// the offset just past it.
func parsePath(s string, at int) (*Path, int, error) {
	if at >= len(s) || s[at] != '$' {
		return nil, at, &SyntaxError{s, at + 1, "a record accessor starts with $"}
	}
	i := at + 1
	start := i
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	if i == start {
		return nil, i, &SyntaxError{s, i + 1, "expected a key name after $"}
	}
	p := &Path{segments: []Segment{{Key: s[start:i]}}}
	for i < len(s) && s[i] == '[' {
		seg, next, err := parseSubscript(s, i)
		if err != nil {
			return nil, next, err
		}
		p.segments = append(p.segments, seg)
		i = next
	}
	p.source = s[at:i]
	return p, i, nil
}

// parseSubscript reads "['key']", "[\"key\"]" or "[3]" at s[at] == '['.
func parseSubscript(s string, at int) (Segment, int, error) {
	i := at + 1
	if i >= len(s) {
		return Segment{}, i, &SyntaxError{s, i + 1, "unterminated ["}
	}
	if q := s[i]; q == '\'' || q == '"' {
		end := strings.IndexByte(s[i+1:], q)
		if end < 0 {
			return Segment{}, len(s), &SyntaxError{s, i + 1, "unterminated quoted key"}
		}
		key := s[i+1 : i+1+end]
		i += end + 2
		if i >= len(s) || s[i] != ']' {
			return Segment{}, i, &SyntaxError{s, i + 1, "expected ] after the quoted key"}
		}
		return Segment{Key: key}, i + 1, nil
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start || i >= len(s) || s[i] != ']' {
		return Segment{}, i, &SyntaxError{s, i + 1, "expected a quoted key or an array index inside [ ]"}
	}
	n, err := strconv.Atoi(s[start:i])
	if err != nil {
		return Segment{}, i, &SyntaxError{s, start + 1, "array index out of range"}
	}
	return Segment{Index: n, IsIndex: true}, i + 1, nil
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '@'
}

// String returns the accessor as written.
func (p *Path) String() string { return p.source }

// Segments returns the steps of the path, the top-level key first. Callers
// must not modify the slice.
func (p *Path) Segments() []Segment { return p.segments }

// TopKey returns the top-level key the path starts from.
func (p *Path) TopKey() string { return p.segments[0].Key }

// Get returns the raw msgpack value the path names in body, a record's
// msgpack map. It reports false when a key is absent, an index is out of
// range, or a step meets a value of the wrong kind. The result aliases body.
func (p *Path) Get(body []byte) ([]byte, bool) {
	v := body
	for _, seg := range p.segments {
		var ok bool
		if seg.IsIndex {
			v, ok = record.Index(v, seg.Index)
		} else {
			v, ok = record.Lookup(v, seg.Key)
		}
		if !ok {
			return nil, false
		}
	}
	return v, true
}
