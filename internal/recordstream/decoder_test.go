package recordstream

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
)

func decodeAll(t *testing.T, d *Decoder, pieces ...string) ([]string, error) {
	t.Helper()
	var err error
	for _, p := range pieces {
		if err = d.Feed([]byte(p), 0); err != nil {
			break
		}
	}
	if err == nil {
		err = d.End(0)
	}
	return plugintest.Bodies(t, d.Events.Bytes()), err
}

func TestDecoder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		d      Decoder
		pieces []string
		want   []string
		err    string
	}{
		{name: "objects back to back", d: Decoder{JSON: true, Max: 1 << 10},
			pieces: []string{`{"a":1}{"b":"x"}` + "\n" + `  {"c":[1,{"d":2}]}`},
			want:   []string{`{"a":1}`, `{"b":"x"}`, `{"c":[1,{"d":2}]}`}},
		{name: "split across reads, braces in strings", d: Decoder{JSON: true, Max: 1 << 10},
			pieces: []string{`{"msg":"a } b \" {`, `c","n":`, `1}`, "\n"},
			want:   []string{`{"msg":"a } b \" {c","n":1}`}},
		{name: "array of objects", d: Decoder{JSON: true, Max: 1 << 10},
			pieces: []string{`[{"a":1},{"a":2}]`},
			want:   []string{`{"a":1}`, `{"a":2}`}},
		{name: "source address", d: Decoder{JSON: true, Max: 1 << 10, SourceKey: "src", Source: "1.2.3.4:5"},
			pieces: []string{`{"a":1}`},
			want:   []string{`{"a":1,"src":"1.2.3.4:5"}`}},
		{name: "not JSON closes after the good records", d: Decoder{JSON: true, Max: 1 << 10},
			pieces: []string{`{"a":1}` + "\nhello\n"},
			want:   []string{`{"a":1}`}, err: `expected a JSON object, got 'h'`},
		{name: "invalid inside an object", d: Decoder{JSON: true, Max: 1 << 10},
			pieces: []string{`{"a":tru}`}, err: "invalid JSON"},
		{name: "array of non-objects", d: Decoder{JSON: true, Max: 1 << 10},
			pieces: []string{`[1,2]`}, err: "element 0"},
		{name: "too long", d: Decoder{JSON: true, Max: 16},
			pieces: []string{`{"a":"0123456789`, `0123456789"}`}, err: "longer than Buffer_Size (16 bytes)"},
		{name: "cut in the middle", d: Decoder{JSON: true, Max: 1 << 10},
			pieces: []string{`{"a":1}{"b":`}, want: []string{`{"a":1}`}, err: "middle of a JSON message"},
		{name: "none with newline", d: Decoder{Sep: []byte("\n"), Max: 1 << 10},
			pieces: []string{"one\r\ntw", "o\nthree"},
			want:   []string{`{"log":"one"}`, `{"log":"two"}`, `{"log":"three"}`}},
		{name: "none with a custom separator", d: Decoder{Sep: ParseSeparator(`\t|`), Max: 1 << 10, SourceKey: "from", Source: "h:1"},
			pieces: []string{"a\t|b\t", "|"},
			want:   []string{`{"log":"a","from":"h:1"}`, `{"log":"b","from":"h:1"}`}},
		{name: "none line too long", d: Decoder{Sep: []byte("\n"), Max: 4},
			pieces: []string{"abcdef"}, err: "without Separator"},
		{name: "none terminated line too long, in one read", d: Decoder{Sep: []byte("\n"), Max: 4},
			pieces: []string{"ab\nabcdef\ncd\n"}, want: []string{`{"log":"ab"}`}, err: "a record of 6 bytes is longer than Buffer_Size (4 bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeAll(t, &tc.d, tc.pieces...)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("records %q, want %q", got, tc.want)
			}
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
		})
	}
}
