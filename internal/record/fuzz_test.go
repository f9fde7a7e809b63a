package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/tinylib/msgp/msgp"
)

// seedEvents returns hand-made events and chunks for the msgpack fuzzers.
func seedEvents(f *testing.F) [][]byte {
	body := kv(f, "log", "hello\n", "n", 1, "f", 1.5, "k8s", msgp.Raw(kv(f, "pod", "a", "ns", "b")), "arr", []any{1, "x", nil, true})
	return [][]byte{
		cat([]byte{0x92, 0x92}, evTime(1_700_000_000, 1), kv(f, "m", 1), body),
		cat([]byte{0x92, 0x91}, evTimeExt8(1, 2), body),
		cat([]byte{0x92, 0x93}, evTime(1, 2), []byte{0x80}, mp(f, "extra"), body),
		cat([]byte{0x92}, mp(f, 1_700_000_000), body),
		cat([]byte{0x92}, mp(f, -1.5), body),
		cat([]byte{0x92}, mp(f, uint64(math.MaxUint64)), body),
		cat([]byte{0x92}, evTime(3, 4), cat([]byte{0x82}, mp(f, 1), []byte{0xc0}, kv(f, "k", "v"), fixext8(9, 1))),
		buildChunk(f, 3),
		cat([]byte{0x92}, evTime(1, 0), []byte{0x81, 0xa1, 'a'}, nested(maxDepth, []byte{0xc0})),
	}
}

// FuzzDecodeEvent checks that DecodeEvent never panics, that it fails only
// with ErrMalformed, and that an event it accepts converts to JSON and
// re-encodes through the Builder to the same event.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range seedEvents(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, rest, err := DecodeEvent(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if !bytes.Equal(rest, data) {
				t.Fatal("on error rest is not the input")
			}
			return
		}
		if len(ev.Raw)+len(rest) != len(data) || !bytes.Equal(ev.Raw, data[:len(ev.Raw)]) {
			t.Fatal("Raw and rest do not split the input")
		}
		checkAcceptedEvent(t, ev)
	})
}

// FuzzIterator checks the Iterator over arbitrary chunks: no panic, every
// event it yields is valid, and it stops with ErrMalformed or at the end.
func FuzzIterator(f *testing.F) {
	seeds := seedEvents(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(bytes.Join(seeds, nil))
	f.Add(cat(buildChunk(f, 2), []byte{0x92, 0xc1}))
	f.Fuzz(func(t *testing.T, data []byte) {
		it := NewIterator(data)
		consumed := 0
		for it.Next() {
			ev := it.Event()
			if !bytes.Equal(ev.Raw, data[consumed:consumed+len(ev.Raw)]) {
				t.Fatalf("event %d: Raw is not the next slice of the chunk", it.Index())
			}
			consumed += len(ev.Raw)
			checkAcceptedEvent(t, *ev)
		}
		n, countErr := Count(data)
		if n != it.Index()+1 || (countErr == nil) != (it.Err() == nil) {
			t.Fatalf("Count = %d, %v; iterator saw %d, %v", n, countErr, it.Index()+1, it.Err())
		}
		if err := it.Err(); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
		} else if consumed != len(data) {
			t.Fatalf("iteration ended without error after %d of %d bytes", consumed, len(data))
		}
	})
}

// checkAcceptedEvent checks what DecodeEvent promises about an event it
// returned: its body and metadata convert to JSON, and writing it again with
// the Builder gives an event that decodes to the same content.
func checkAcceptedEvent(t *testing.T, ev Event) {
	t.Helper()
	for _, part := range []struct {
		name string
		b    []byte
	}{{"body", ev.Body}, {"metadata", ev.Meta}} {
		js, rest, err := AppendJSON(nil, part.b)
		if err != nil || len(rest) != 0 {
			t.Fatalf("AppendJSON of an accepted %s: %v (%d bytes left)", part.name, err, len(rest))
		}
		if !json.Valid(js) {
			t.Fatalf("AppendJSON of an accepted %s is invalid JSON: %q", part.name, js)
		}
	}
	var b Builder
	b.Append(ev.Time, ev.Meta, ev.Body)
	again, rest, err := DecodeEvent(b.Bytes())
	if err != nil || len(rest) != 0 {
		t.Fatalf("re-encoded event does not decode: %v", err)
	}
	if !bytes.Equal(again.Body, ev.Body) || !bytes.Equal(again.Meta, ev.Meta) {
		t.Fatal("re-encoded event has a different body or metadata")
	}
	// Times outside EventTime's range go through float seconds.
	if d := again.Time - ev.Time; d < -4000 || d > 4000 {
		t.Fatalf("time %d re-encoded as %d", ev.Time, again.Time)
	}
}

// FuzzAppendJSON feeds arbitrary bytes to AppendJSON and the map helpers:
// no panic; AppendJSON's output is valid JSON; and it accepts exactly what
// the validator behind DecodeEvent accepts.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range seedEvents(f) {
		f.Add(s)
		if ev, _, err := DecodeEvent(s); err == nil {
			f.Add(ev.Body)
		}
	}
	f.Add([]byte{0xc1})
	f.Add([]byte{0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1})
	f.Add(append([]byte{0xdb, 0, 0, 0, 3}, "a\xff\x00"...))
	f.Fuzz(func(t *testing.T, data []byte) {
		js, rest, err := AppendJSON(nil, data)
		skipRest, skipErr := skipValue(data, 0)
		if (err == nil) != (skipErr == nil) {
			t.Fatalf("AppendJSON error %v, but validator error %v", err, skipErr)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
		} else {
			if !json.Valid(js) {
				t.Fatalf("AppendJSON(% x) = %q is not valid JSON", data, js)
			}
			if len(rest) != len(skipRest) {
				t.Fatalf("AppendJSON left %d bytes, the validator %d", len(rest), len(skipRest))
			}
		}
		if s := AppendJSONString(nil, data); !json.Valid(s) {
			t.Fatalf("AppendJSONString(%q) = %q is not valid JSON", data, s)
		}
		v, ok := Lookup(data, "log")
		if ok {
			if _, err := skipValue(v, 0); err != nil {
				t.Fatalf("Lookup returned an invalid value % x", v)
			}
		}
		StringValue(data)
		_ = MapEntries(data, func(_, _ []byte) bool { return true })
	})
}

// FuzzJSONToMsgpack checks AppendJSONAsMsgpack against encoding/json: it
// accepts exactly the documents json.Valid accepts (except those nested
// beyond the depth limit), writes one complete msgpack value, and converting
// that back with AppendJSON gives valid JSON with the same meaning.
func FuzzJSONToMsgpack(f *testing.F) {
	if file, err := os.Open("testdata/roundtrip.jsonl"); err == nil {
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			f.Add(append([]byte(nil), sc.Bytes()...))
		}
		file.Close()
	}
	for _, s := range []string{``, ` `, `01`, `1.`, `-`, `1e400`, `"\ud800\u0041"`, `"\ud800\uzzzz"`, `[1,]`, `{"a":1}x`, "\"\x01\"", `[[[[]]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := json.Valid(data)
		_, err := AppendJSONAsMsgpack(nil, data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if valid && !errors.Is(err, errTooDeep) {
				t.Fatalf("encoding/json accepts %q, AppendJSONAsMsgpack says %v", data, err)
			}
			return
		}
		if !valid {
			t.Fatalf("AppendJSONAsMsgpack accepts %q, which encoding/json rejects", data)
		}
		checkJSONRoundTrip(t, data)
	})
}
