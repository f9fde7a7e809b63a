package tcp

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func decodeAll(t *testing.T, d *decoder, pieces ...string) ([]string, error) {
	t.Helper()
	var err error
	for _, p := range pieces {
		if err = d.feed([]byte(p), 0); err != nil {
			break
		}
	}
	if err == nil {
		err = d.end(0)
	}
	return plugintest.Bodies(t, d.events.Bytes()), err
}

func TestDecoder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		d      decoder
		pieces []string
		want   []string
		err    string
	}{
		{name: "objects back to back", d: decoder{json: true, max: 1 << 10},
			pieces: []string{`{"a":1}{"b":"x"}` + "\n" + `  {"c":[1,{"d":2}]}`},
			want:   []string{`{"a":1}`, `{"b":"x"}`, `{"c":[1,{"d":2}]}`}},
		{name: "split across reads, braces in strings", d: decoder{json: true, max: 1 << 10},
			pieces: []string{`{"msg":"a } b \" {`, `c","n":`, `1}`, "\n"},
			want:   []string{`{"msg":"a } b \" {c","n":1}`}},
		{name: "array of objects", d: decoder{json: true, max: 1 << 10},
			pieces: []string{`[{"a":1},{"a":2}]`},
			want:   []string{`{"a":1}`, `{"a":2}`}},
		{name: "source address", d: decoder{json: true, max: 1 << 10, sourceKey: "src", source: "1.2.3.4:5"},
			pieces: []string{`{"a":1}`},
			want:   []string{`{"a":1,"src":"1.2.3.4:5"}`}},
		{name: "not JSON closes after the good records", d: decoder{json: true, max: 1 << 10},
			pieces: []string{`{"a":1}` + "\nhello\n"},
			want:   []string{`{"a":1}`}, err: `expected a JSON object, got 'h'`},
		{name: "invalid inside an object", d: decoder{json: true, max: 1 << 10},
			pieces: []string{`{"a":tru}`}, err: "invalid JSON"},
		{name: "array of non-objects", d: decoder{json: true, max: 1 << 10},
			pieces: []string{`[1,2]`}, err: "element 0"},
		{name: "too long", d: decoder{json: true, max: 16},
			pieces: []string{`{"a":"0123456789`, `0123456789"}`}, err: "longer than Buffer_Size (16 bytes)"},
		{name: "cut in the middle", d: decoder{json: true, max: 1 << 10},
			pieces: []string{`{"a":1}{"b":`}, want: []string{`{"a":1}`}, err: "middle of a JSON message"},
		{name: "none with newline", d: decoder{sep: []byte("\n"), max: 1 << 10},
			pieces: []string{"one\r\ntw", "o\nthree"},
			want:   []string{`{"log":"one"}`, `{"log":"two"}`, `{"log":"three"}`}},
		{name: "none with a custom separator", d: decoder{sep: parseSeparator(`\t|`), max: 1 << 10, sourceKey: "from", source: "h:1"},
			pieces: []string{"a\t|b\t", "|"},
			want:   []string{`{"log":"a","from":"h:1"}`, `{"log":"b","from":"h:1"}`}},
		{name: "none line too long", d: decoder{sep: []byte("\n"), max: 4},
			pieces: []string{"abcdef"}, err: "without Separator"},
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

func TestParseKB(t *testing.T) {
	for raw, want := range map[string]int64{"32": 32 << 10, "1": 1024, "64k": 64 << 10, "1M": 1 << 20} {
		if got, err := parseKB(raw); err != nil || got != want {
			t.Errorf("%s: %d %v, want %d", raw, got, err, want)
		}
	}
	for _, raw := range []string{"0", "-1", "x"} {
		if _, err := parseKB(raw); err == nil {
			t.Errorf("%s accepted", raw)
		}
	}
}

// A bad client is closed with a warning; a good client on another
// connection is not affected.
func TestBadClientDoesNotAffectOthers(t *testing.T) {
	in, err := New(plugintest.Settings(t, Spec(), "Listen", "127.0.0.1", "Port", "0", "Tag", "t"))
	if err != nil {
		t.Fatal(err)
	}
	in.tag = "t"
	ctx, cancel := context.WithCancel(context.Background())
	var col plugintest.Collector
	done := make(chan error)
	go func() { done <- in.Run(ctx, &col) }()
	<-in.bound
	good, err := net.Dial("tcp", in.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	bad, err := net.Dial("tcp", in.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(good, `{"n":1}`)
	fmt.Fprint(bad, `{"bad":1} not json`)
	// The server closes the bad connection: reading ends.
	bad.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(bad); err != nil {
		t.Errorf("bad connection not closed: %v", err)
	}
	fmt.Fprint(good, `{"n":2}`)
	got := col.WaitFor(t, 3)
	want := map[string]bool{`{"n":1}`: true, `{"n":2}`: true, `{"bad":1}`: true}
	for _, r := range got {
		if !want[r] {
			t.Errorf("unexpected record %s", r)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte(`{"a":1}{"b":[1,2,{"c":"}"}]}`), 3, true)
	f.Add([]byte("line one\nline two\r\n"), 5, false)
	f.Add([]byte(`[{"a":"\u00e9"},{}]`), 1, true)
	f.Fuzz(func(t *testing.T, data []byte, cut int, json bool) {
		d := decoder{json: json, sep: []byte("\n"), max: 1 << 12}
		if cut < 0 || cut > len(data) {
			cut = len(data) / 2
		}
		err := d.feed(data[:cut], 1)
		if err == nil {
			err = d.feed(data[cut:], 1)
		}
		if err == nil {
			d.end(1)
		}
		n, cerr := record.Count(d.events.Bytes())
		if cerr != nil || n != d.events.Records() {
			t.Fatalf("events do not decode: %v (%d vs %d)", cerr, n, d.events.Records())
		}
	})
}
