package record

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tinylib/msgp/msgp"
)

func TestDecodeEvent(t *testing.T) {
	body := kv(t, "log", "hello", "stream", "stdout")
	meta := kv(t, "source", "tail")
	ts := evTime(1_700_000_000, 42)
	const want = Time(1_700_000_000_000_000_042)
	tests := []struct {
		name     string
		in       []byte
		time     Time
		meta     []byte
		body     []byte
		trailing []byte
	}{
		{"v2", cat([]byte{0x92, 0x92}, ts, meta, body), want, meta, body, nil},
		{"v2 empty metadata", cat([]byte{0x92, 0x92}, ts, []byte{0x80}, body), want, []byte{0x80}, body, nil},
		{"v2 header without metadata", cat([]byte{0x92, 0x91}, ts, body), want, emptyMap, body, nil},
		{"v2 extra header fields", cat([]byte{0x92, 0x94}, ts, meta, mp(t, "x"), arr(t, 1, 2), body), want, meta, body, nil},
		{"v2 ext8 time", cat([]byte{0x92, 0x92}, evTimeExt8(1_700_000_000, 42), meta, body), want, meta, body, nil},
		{"v2 integer time", cat([]byte{0x92, 0x92}, mp(t, 1_700_000_000), meta, body), 1_700_000_000e9, meta, body, nil},
		{"v2 array16 header", cat([]byte{0x92, 0xdc, 0, 2}, ts, meta, body), want, meta, body, nil},
		{"legacy EventTime", cat([]byte{0x92}, ts, body), want, emptyMap, body, nil},
		{"legacy integer time", cat([]byte{0x92}, mp(t, uint32(1_700_000_000)), body), 1_700_000_000e9, emptyMap, body, nil},
		{"legacy negative time", cat([]byte{0x92}, mp(t, -5), body), -5e9, emptyMap, body, nil},
		{"legacy float time", cat([]byte{0x92}, mp(t, 1.5), body), 1_500_000_000, emptyMap, body, nil},
		{"empty body", cat([]byte{0x92}, ts, []byte{0x80}), want, emptyMap, []byte{0x80}, nil},
		{"array32 event, map16 body", cat([]byte{0xdd, 0, 0, 0, 2}, ts, []byte{0xde, 0, 1}, mp(t, "a"), mp(t, 1)),
			want, emptyMap, cat([]byte{0xde, 0, 1}, mp(t, "a"), mp(t, 1)), nil},
		{"trailing bytes are left", cat([]byte{0x92}, ts, body, []byte{0x92, 0xff}), want, emptyMap, body, []byte{0x92, 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, rest, err := DecodeEvent(tt.in)
			if err != nil {
				t.Fatalf("DecodeEvent: %v", err)
			}
			if ev.Time != tt.time {
				t.Errorf("Time = %d, want %d", ev.Time, tt.time)
			}
			if !bytes.Equal(ev.Meta, tt.meta) {
				t.Errorf("Meta = % x, want % x", ev.Meta, tt.meta)
			}
			if !bytes.Equal(ev.Body, tt.body) {
				t.Errorf("Body = % x, want % x", ev.Body, tt.body)
			}
			if !bytes.Equal(rest, tt.trailing) {
				t.Errorf("rest = % x, want % x", rest, tt.trailing)
			}
			if wantRaw := tt.in[:len(tt.in)-len(tt.trailing)]; !bytes.Equal(ev.Raw, wantRaw) {
				t.Errorf("Raw = % x, want % x", ev.Raw, wantRaw)
			}
		})
	}
}

func TestDecodeEventAliasesInput(t *testing.T) {
	in := cat([]byte{0x92, 0x92}, evTime(1, 0), kv(t, "m", 1), kv(t, "b", 2))
	ev, _, err := DecodeEvent(in)
	if err != nil {
		t.Fatal(err)
	}
	if &ev.Raw[0] != &in[0] || &ev.Body[len(ev.Body)-1] != &in[len(in)-1] {
		t.Error("Raw and Body must be sub-slices of the input, not copies")
	}
}

func TestDecodeEventErrors(t *testing.T) {
	ts := evTime(1_700_000_000, 0)
	body := kv(t, "log", "x")
	tests := []struct {
		name string
		in   []byte
		msg  string // part of the error message
	}{
		{"empty", nil, "not an array"},
		{"map instead of event", body, "not an array"},
		{"one element", cat([]byte{0x91}, ts), "1 elements"},
		{"three elements", cat([]byte{0x93}, ts, body, body), "3 elements"},
		{"empty header", cat([]byte{0x92, 0x90}, body), "header"},
		{"header time is a string", cat([]byte{0x92, 0x92}, mp(t, "now"), body, body), "time is str"},
		{"legacy time is nil", cat([]byte{0x92, 0xc0}, body), "time is nil"},
		{"metadata is an array", cat([]byte{0x92, 0x92}, ts, []byte{0x90}, body), "metadata is array"},
		{"metadata is nil", cat([]byte{0x92, 0x92}, ts, []byte{0xc0}, body), "metadata is nil"},
		{"body is an array", cat([]byte{0x92}, ts, arr(t, "a")), "body is array"},
		{"body is a string", cat([]byte{0x92}, ts, mp(t, "hello")), "body is str"},
		{"body is nil", cat([]byte{0x92}, ts, []byte{0xc0}), "body is nil"},
		{"body missing", cat([]byte{0x92}, ts), "body is end of data"},
		{"body truncated", cat([]byte{0x92}, ts, body[:len(body)-1]), "truncated"},
		{"body map count too large", cat([]byte{0x92}, ts, []byte{0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'a'}), "truncated"},
		{"body uses 0xc1", cat([]byte{0x92}, ts, []byte{0x81, 0xa1, 'a', 0xc1}), "0xc1"},
		{"body too deep", cat([]byte{0x92}, ts, []byte{0x81, 0xa1, 'a'}, nested(maxDepth, []byte{0xc0})), "deeper"},
		{"metadata too deep", cat([]byte{0x92, 0x92}, ts, []byte{0x81, 0xa1, 'a'}, nested(maxDepth, []byte{0xc0}), body), "deeper"},
		{"extra header field truncated", cat([]byte{0x92, 0x93}, ts, []byte{0x80}, []byte{0xd9, 10, 'x'}), "header field 2"},
		{"time truncated", cat([]byte{0x92}, ts[:5]), "time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, rest, err := DecodeEvent(tt.in)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("DecodeEvent(% x) = %+v, %v; want ErrMalformed", tt.in, ev, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			if !bytes.Equal(rest, tt.in) {
				t.Errorf("on error rest = % x, want the input", rest)
			}
		})
	}
}

// TestDecodeEventDepthLimit pins the nesting limit shared with AppendJSON:
// the body map is level 0 and a value may sit at level maxDepth.
func TestDecodeEventDepthLimit(t *testing.T) {
	ts := evTime(1, 0)
	// body map (level 0) -> key "a" -> maxDepth-1 arrays (levels 1..maxDepth-1) -> nil at level maxDepth
	deepest := cat([]byte{0x92}, ts, []byte{0x81, 0xa1, 'a'}, nested(maxDepth-1, []byte{0xc0}))
	ev, _, err := DecodeEvent(deepest)
	if err != nil {
		t.Fatalf("value at level %d rejected: %v", maxDepth, err)
	}
	if _, _, err := AppendJSON(nil, ev.Body); err != nil {
		t.Errorf("AppendJSON of an accepted body: %v", err)
	}
	tooDeep := cat([]byte{0x92}, ts, []byte{0x81, 0xa1, 'a'}, nested(maxDepth, []byte{0xc0}))
	if _, _, err := DecodeEvent(tooDeep); !errors.Is(err, errTooDeep) {
		t.Errorf("value at level %d: err = %v, want errTooDeep", maxDepth+1, err)
	}
}

// TestDecodeEventTruncated cuts a valid event at every length: each prefix
// must be rejected, never accepted or panicking.
func TestDecodeEventTruncated(t *testing.T) {
	full := cat([]byte{0x92, 0x92}, evTime(1_700_000_000, 1), kv(t, "m", msgp.Raw(mp(t, "v"))),
		kv(t, "log", "x", "n", 1.5, "k", msgp.Raw(kv(t, "pod", "a", "ns", "b")), "bin", []byte{1, 2}))
	if _, _, err := DecodeEvent(full); err != nil {
		t.Fatalf("full event: %v", err)
	}
	for n := 0; n < len(full); n++ {
		if ev, _, err := DecodeEvent(full[:n]); !errors.Is(err, ErrMalformed) {
			t.Errorf("prefix of %d/%d bytes: got %+v, %v; want ErrMalformed", n, len(full), ev, err)
		}
	}
}

func buildChunk(t testing.TB, n int) []byte {
	var b Builder
	for i := 0; i < n; i++ {
		b.BeginEvent(Time(i)*1e9, nil)
		b.AppendMapHeader(2)
		b.AppendString("n")
		b.AppendInt(int64(i))
		b.AppendString("log")
		b.AppendString(fmt.Sprintf("line %d", i))
	}
	if b.Records() != n {
		t.Fatalf("Builder.Records() = %d, want %d", b.Records(), n)
	}
	return b.Bytes()
}

func TestIterator(t *testing.T) {
	const n = 1000
	chunk := buildChunk(t, n)
	it := NewIterator(chunk)
	if it.Index() != -1 {
		t.Errorf("Index before Next = %d, want -1", it.Index())
	}
	var raw []byte
	for i := 0; it.Next(); i++ {
		if it.Index() != i {
			t.Fatalf("Index() = %d, want %d", it.Index(), i)
		}
		ev := it.Event()
		if ev.Time != Time(i)*1e9 {
			t.Fatalf("event %d: Time = %d", i, ev.Time)
		}
		v, ok := Lookup(ev.Body, "n")
		if got, _, err := msgp.ReadInt64Bytes(v); !ok || err != nil || got != int64(i) {
			t.Fatalf("event %d: n = %d, %v, %v", i, got, ok, err)
		}
		raw = append(raw, ev.Raw...)
	}
	if err := it.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	if it.Index() != n-1 {
		t.Errorf("Index() after the end = %d, want %d", it.Index(), n-1)
	}
	if !bytes.Equal(raw, chunk) {
		t.Error("the events' Raw bytes do not add up to the chunk")
	}
	if it.Next() {
		t.Error("Next after the end returned true")
	}
}

func TestIteratorStopsAtFirstError(t *testing.T) {
	good := buildChunk(t, 5)
	chunk := cat(good, []byte{0x92, 0xc0, 0x80}, buildChunk(t, 3))
	it := NewIterator(chunk)
	n := 0
	for it.Next() {
		n++
	}
	if n != 5 {
		t.Errorf("iterated %d events before the bad one, want 5", n)
	}
	err := it.Err()
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "record 5:") {
		t.Errorf("Err() = %v, want ErrMalformed naming record 5", err)
	}
	if it.Index() != 4 {
		t.Errorf("Index() = %d, want 4 (the last good event)", it.Index())
	}
	if it.Next() {
		t.Error("Next after an error returned true")
	}
}

func TestIteratorZeroValue(t *testing.T) {
	var it Iterator
	if it.Next() || it.Err() != nil || it.Index() != -1 {
		t.Errorf("zero Iterator: Next/Err/Index = true/%v/%d, want false/nil/-1", it.Err(), it.Index())
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		want    int
		wantErr bool
	}{
		{"empty", nil, 0, false},
		{"one", buildChunk(t, 1), 1, false},
		{"many", buildChunk(t, 250), 250, false},
		{"garbage after 3", cat(buildChunk(t, 3), []byte{0x01}), 3, true},
		{"truncated last", func() []byte { c := buildChunk(t, 4); return c[:len(c)-1] }(), 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Count(tt.data)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("Count = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}
