package accessor

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// body encodes a JSON object as the msgpack map of a record body.
func body(t testing.TB, js string) []byte {
	t.Helper()
	b, err := record.AppendJSONAsMsgpack(nil, []byte(js))
	if err != nil {
		t.Fatalf("encoding %s: %v", js, err)
	}
	return b
}

const sample = `{"log":"some message","stream":"stdout","n":42,"f":1.5,"ok":true,"none":null,
 "labels":{"color":"blue","unset":null,"project":{"env":"production"},"a.b":"dotted"},
 "list":["zero",{"k":"v"},[7]],
 "kubernetes":{"namespace_name":"payments","container_name":"api"}}`

func TestPathGet(t *testing.T) {
	b := body(t, sample)
	tests := []struct {
		accessor string
		want     string // as text; "" with found false means absent
		found    bool
	}{
		{"$log", "some message", true},
		{"$labels['color']", "blue", true},
		{`$labels["color"]`, "blue", true},
		{"$labels['project']['env']", "production", true},
		{"$labels['a.b']", "dotted", true},
		{"$labels['unset']", "", false}, // present but null: no text
		{"$labels['undefined']", "", false},
		{"$list[0]", "zero", true},
		{"$list[1]['k']", "v", true},
		{"$list[2][0]", "7", true},
		{"$list[3]", "", false},
		{"$log['x']", "", false},  // a string has no keys
		{"$labels[0]", "", false}, // a map has no index
		{"$n", "42", true},
		{"$f", "1.5", true},
		{"$ok", "true", true},
		{"$labels['project']", `{"env":"production"}`, true},
	}
	for _, tt := range tests {
		p, err := Parse(tt.accessor)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.accessor, err)
		}
		if p.String() != tt.accessor {
			t.Errorf("String() = %q, want %q", p.String(), tt.accessor)
		}
		got, found := "", false
		if v, ok := p.Get(b); ok {
			var text []byte
			text, found = AppendText(nil, v)
			got = string(text)
		}
		if got != tt.want || found != tt.found {
			t.Errorf("%s = %q, %v; want %q, %v", tt.accessor, got, found, tt.want, tt.found)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in     string
		column int
		reason string
	}{
		{"log", 1, "starts with $"},
		{"$", 2, "key name"},
		{"$a[", 4, "unterminated ["},
		{"$a['b", 4, "unterminated quoted"},
		{"$a['b'", 7, "expected ]"},
		{"$a[x]", 4, "quoted key or an array index"},
		{"$a[1", 5, "quoted key or an array index"},
		{"$a b", 3, "after the accessor"},
		{"$a[99999999999999999999]", 4, "out of range"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError", tt.in, err)
			continue
		}
		if se.Column != tt.column || !strings.Contains(se.Reason, tt.reason) {
			t.Errorf("Parse(%q): column %d %q; want column %d containing %q", tt.in, se.Column, se.Reason, tt.column, tt.reason)
		}
	}
}

func TestParseKey(t *testing.T) {
	b := body(t, sample)
	for _, key := range []string{"log", "$log"} {
		p, err := ParseKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := p.Get(b); !ok || string(mustText(t, v)) != "some message" {
			t.Errorf("ParseKey(%q).Get failed", key)
		}
		if p.TopKey() != "log" {
			t.Errorf("TopKey = %q", p.TopKey())
		}
	}
	// A plain key is literal: brackets are part of the name.
	p, _ := ParseKey("a['b']")
	if segs := p.Segments(); len(segs) != 1 || segs[0].Key != "a['b']" {
		t.Errorf("plain key segments = %+v", segs)
	}
	if _, err := ParseKey(""); err == nil {
		t.Error("empty key accepted")
	}
}

func mustText(t *testing.T, v []byte) []byte {
	t.Helper()
	text, ok := AppendText(nil, v)
	if !ok {
		t.Fatalf("no text for %x", v)
	}
	return text
}

func TestTemplateRender(t *testing.T) {
	b := body(t, sample)
	tests := []struct {
		template string
		tag      string
		want     string
		ok       bool
		static   bool
		pattern  string
	}{
		{"webapp", "x", "webapp", true, true, "webapp"},
		{"$TAG", "kube.var.log", "kube.var.log", true, false, "*"},
		{"app-$TAG[1]", "kube.var.log", "app-var", true, false, "app-*"},
		{"$TAG[0].$TAG[2]", "kube.var.log", "kube.log", true, false, "*.*"},
		{"$TAG[5]", "kube.var.log", "", false, false, "*"},
		{"/eks/$kubernetes['namespace_name']/$kubernetes['container_name']", "t", "/eks/payments/api", true, false, "/eks/*/*"},
		{"$kubernetes['namespace_name'].$kubernetes['container_name']", "t", "payments.api", true, false, "*.*"},
		{"$TAG-$stream", "a.b", "a.b-stdout", true, false, "*-*"},
		{"fallback-$missing", "t", "fallback-", false, false, "fallback-*"},
		{"cost: 5$ or $", "t", "cost: 5$ or $", true, true, "cost: 5$ or $"},
		{"n=$n,f=$f", "t", "n=42,f=1.5", true, false, "n=*,f=*"},
		{"$1-$0", "t", "", false, false, "*-*"}, // no captures given
	}
	for _, tt := range tests {
		tpl, err := ParseTemplate(tt.template)
		if err != nil {
			t.Fatalf("ParseTemplate(%q): %v", tt.template, err)
		}
		got, ok := tpl.Render(nil, tt.tag, b)
		if ok != tt.ok || (ok && string(got) != tt.want) {
			t.Errorf("Render(%q, tag %q) = %q, %v; want %q, %v", tt.template, tt.tag, got, ok, tt.want, tt.ok)
		}
		if tpl.IsStatic() != tt.static {
			t.Errorf("%q IsStatic = %v", tt.template, tpl.IsStatic())
		}
		if p := tpl.Pattern("*"); p != tt.pattern {
			t.Errorf("%q Pattern = %q, want %q", tt.template, p, tt.pattern)
		}
	}
}

func TestTemplateCaptures(t *testing.T) {
	tpl, err := ParseTemplate("from.$TAG.$1.$0")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := tpl.RenderCaptures(nil, "app", body(t, `{}`), [][]byte{[]byte("GET /x"), []byte("GET")})
	if !ok || string(got) != "from.app.GET.GET /x" {
		t.Errorf("got %q, %v", got, ok)
	}
	if paths := tpl.Paths(); len(paths) != 0 {
		t.Errorf("Paths = %v", paths)
	}
}

func TestTemplateErrors(t *testing.T) {
	for _, in := range []string{"$TAG[x]", "$TAG['a']", "x.$a['b", "$a[?]"} {
		if _, err := ParseTemplate(in); err == nil {
			t.Errorf("ParseTemplate(%q) accepted", in)
		}
	}
}

func TestRenderAllocations(t *testing.T) {
	b := body(t, sample)
	tpl, _ := ParseTemplate("/eks/$kubernetes['namespace_name']/$TAG[1]")
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() { buf, _ = tpl.Render(buf[:0], "kube.var.log", b) })
	if allocs != 0 {
		t.Errorf("Render allocates %.1f times per call", allocs)
	}
}

func BenchmarkTemplateRender(b *testing.B) {
	rec := body(b, sample)
	tpl, _ := ParseTemplate("/eks/$kubernetes['namespace_name']/$kubernetes['container_name']")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = tpl.Render(buf[:0], "kube.var.log", rec)
	}
}

// FuzzParse checks that no accessor or template crashes the parser; that a
// refused accessor's error gives a column inside it; that Get finds what
// walking encoding/json's reading of the record along the path finds; that
// the path written back in canonical form parses the same; and that
// whatever parses renders against any record without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"$a", "$a['b'][0]", `$a["b"]`, "$TAG[1]", "x.$TAG.$1", "$a[", "$['x']", "$$", "$a[0"} {
		f.Add(s)
	}
	f.Add("$labels['project']['env']")
	f.Add("$list[1]['k']")
	f.Add(`$labels["a.b"]`)
	f.Add("$list[2][0]")
	rec, _ := record.AppendJSONAsMsgpack(nil, []byte(sample))
	var generic any
	if err := json.Unmarshal([]byte(sample), &generic); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		var se *SyntaxError
		if err != nil && (!errors.As(err, &se) || se.Column < 1 || se.Column > len(s)+1 || se.Reason == "") {
			t.Fatalf("%q: error %v does not say where", s, err)
		}
		if err == nil {
			if p.String() != s {
				t.Fatalf("String() = %q for %q", p.String(), s)
			}
			// Get agrees with walking encoding/json's reading of the
			// record along the path's segments.
			var want any = generic
			found := true
			for _, seg := range p.Segments() {
				switch v := want.(type) {
				case map[string]any:
					want, found = v[seg.Key]
					found = found && !seg.IsIndex
				case []any:
					found = seg.IsIndex && seg.Index >= 0 && seg.Index < len(v)
					if found {
						want = v[seg.Index]
					}
				default:
					found = false
				}
				if !found {
					break
				}
			}
			v, ok := p.Get(rec)
			if ok != found {
				t.Fatalf("%q: Get found %v, encoding/json walk %v", s, ok, found)
			}
			if ok {
				js, _, _ := record.AppendJSON(nil, v)
				wantJS, _ := json.Marshal(want)
				if normalJSON(t, js) != normalJSON(t, wantJS) {
					t.Fatalf("%q: Get = %s, want %s", s, js, wantJS)
				}
			}
			// The segments written in canonical form parse to the same path.
			if canon, ok := canonical(p.Segments()); ok {
				q, err := Parse(canon)
				if err != nil || fmt.Sprint(q.Segments()) != fmt.Sprint(p.Segments()) {
					t.Fatalf("%q written as %q parses to %v (%v), want %v", s, canon, q, err, p.Segments())
				}
			}
		}
		if tpl, err := ParseTemplate(s); err == nil {
			tpl.Render(nil, "a.b.c", rec)
			tpl.Pattern("*")
		}
	})
}

// canonical writes segments as $first['key'][n]..., or reports false when
// a key cannot be written that way (quotes, backslashes, a first key that
// is not a plain name).
func canonical(segs []Segment) (string, bool) {
	if len(segs) == 0 || segs[0].IsIndex || segs[0].Key == "" {
		return "", false
	}
	for i := 0; i < len(segs[0].Key); i++ {
		if !isNameByte(segs[0].Key[i]) {
			return "", false
		}
	}
	b := "$" + segs[0].Key
	for _, s := range segs[1:] {
		switch {
		case s.IsIndex:
			b += fmt.Sprintf("[%d]", s.Index)
		case strings.ContainsAny(s.Key, `'"\\`):
			return "", false
		default:
			b += "['" + s.Key + "']"
		}
	}
	return b, true
}

// normalJSON re-encodes js through encoding/json, so numbers compare as
// float64.
func normalJSON(t *testing.T, js []byte) string {
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
