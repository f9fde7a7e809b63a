package record

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tinylib/msgp/msgp"
)

func TestBuilderAppend(t *testing.T) {
	body := kv(t, "log", "hello")
	meta := kv(t, "otel", true)
	tests := []struct {
		name     string
		time     Time
		meta     []byte
		wantMeta []byte
		wantHead []byte // encoded [time, meta] header
	}{
		{"no metadata", 1_700_000_000_000_000_007, nil, emptyMap, cat([]byte{0x92}, evTime(1_700_000_000, 7), emptyMap)},
		{"empty metadata slice", 5e9, []byte{}, emptyMap, cat([]byte{0x92}, evTime(5, 0), emptyMap)},
		{"metadata", 0, meta, meta, cat([]byte{0x92}, evTime(0, 0), meta)},
		{"before 1970 as float", -1_500_000_000, nil, emptyMap, cat([]byte{0x92}, msgp.AppendFloat64(nil, -1.5), emptyMap)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Builder
			b.Append(tt.time, tt.meta, body)
			want := cat([]byte{0x92}, tt.wantHead, body)
			if !bytes.Equal(b.Bytes(), want) {
				t.Fatalf("Bytes() = % x\nwant      % x", b.Bytes(), want)
			}
			if b.Records() != 1 || b.Size() != len(want) {
				t.Errorf("Records, Size = %d, %d; want 1, %d", b.Records(), b.Size(), len(want))
			}
			ev, rest, err := DecodeEvent(b.Bytes())
			if err != nil || len(rest) != 0 {
				t.Fatalf("DecodeEvent: %v (rest % x)", err, rest)
			}
			if ev.Time != tt.time || !bytes.Equal(ev.Meta, tt.wantMeta) || !bytes.Equal(ev.Body, body) {
				t.Errorf("decoded %+v", ev)
			}
		})
	}
}

func TestBuilderBeginEvent(t *testing.T) {
	var b Builder
	b.BeginEvent(2e9, nil)
	b.AppendMapHeader(5)
	b.AppendString("s")
	b.AppendString("text")
	b.AppendStringBytes([]byte("b"))
	b.AppendInt(-7)
	b.AppendString("raw")
	b.AppendRawValue(mp(t, []any{true, nil}))
	b.AppendString("json")
	if err := b.AppendJSONValue([]byte(` {"a": [1, 2.5, "x"]} `)); err != nil {
		t.Fatal(err)
	}
	b.AppendString("big")
	b.AppendInt(1 << 40)

	ev, rest, err := DecodeEvent(b.Bytes())
	if err != nil || len(rest) != 0 {
		t.Fatalf("DecodeEvent: %v (rest % x)", err, rest)
	}
	js, _, err := AppendJSON(nil, ev.Body)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"s":"text","b":-7,"raw":[true,null],"json":{"a":[1,2.5,"x"]},"big":1099511627776}`
	if string(js) != want {
		t.Errorf("body = %s\nwant   %s", js, want)
	}
}

func TestBuilderManyAndAppendRaw(t *testing.T) {
	src := buildChunk(t, 10)
	var b Builder
	it := NewIterator(src)
	for it.Next() {
		if it.Index()%2 == 0 {
			b.AppendRaw(it.Event().Raw)
		}
	}
	if b.Records() != 5 {
		t.Fatalf("Records() = %d, want 5", b.Records())
	}
	if n, err := Count(b.Bytes()); n != 5 || err != nil {
		t.Errorf("Count = %d, %v", n, err)
	}
}

func TestBuilderResetKeepsBuffer(t *testing.T) {
	var b Builder
	b.Append(1, nil, kv(t, "a", 1))
	first := &b.Bytes()[0]
	b.Reset()
	if b.Records() != 0 || b.Size() != 0 || len(b.Bytes()) != 0 {
		t.Fatalf("after Reset: Records %d, Size %d", b.Records(), b.Size())
	}
	b.Append(2, nil, kv(t, "b", 2))
	if &b.Bytes()[0] != first {
		t.Error("Reset did not keep the buffer")
	}
	if b.Records() != 1 {
		t.Errorf("Records() = %d, want 1", b.Records())
	}
}

func TestBuilderMarkRollback(t *testing.T) {
	var b Builder
	b.Append(1, nil, kv(t, "keep", 1))
	before := append([]byte(nil), b.Bytes()...)

	m := b.Mark()
	b.BeginEvent(2, nil)
	b.AppendMapHeader(1)
	b.AppendString("bad")
	if err := b.AppendJSONValue([]byte(`{"unterminated": `)); err == nil {
		t.Fatal("AppendJSONValue accepted invalid JSON")
	} else if !errors.Is(err, ErrMalformed) {
		t.Errorf("AppendJSONValue error %v does not wrap ErrMalformed", err)
	}
	if b.Records() != 2 {
		t.Fatalf("Records() = %d before rollback, want 2", b.Records())
	}
	b.Rollback(m)
	if !bytes.Equal(b.Bytes(), before) || b.Records() != 1 {
		t.Errorf("after Rollback: % x (%d records), want % x (1 record)", b.Bytes(), b.Records(), before)
	}
	// Rolling back to the current position changes nothing.
	b.Rollback(b.Mark())
	if b.Records() != 1 {
		t.Errorf("Rollback(Mark()) changed Records to %d", b.Records())
	}
}

func TestBuilderAppendJSONValueErrorWritesNothing(t *testing.T) {
	var b Builder
	b.Append(1, nil, kv(t, "a", 1))
	size := b.Size()
	if err := b.AppendJSONValue([]byte(`[1, 2,`)); err == nil {
		t.Fatal("want an error")
	}
	if b.Size() != size {
		t.Errorf("Size() = %d after a failed AppendJSONValue, want %d", b.Size(), size)
	}
}

func TestBuilderRollbackAcrossResetPanics(t *testing.T) {
	var b Builder
	b.Append(1, nil, kv(t, "a", 1))
	m := b.Mark()
	b.Reset()
	defer func() {
		if recover() == nil {
			t.Error("Rollback to a Mark from before Reset did not panic")
		}
	}()
	b.Rollback(m)
}

// TestAppendEventKeepsTheChunkShapeAndConvertsOthers: an event already in
// the chunk's shape is copied byte for byte; a legacy one is re-encoded into
// it; both decode to the same time, metadata and body.
func TestAppendEventKeepsTheChunkShapeAndConvertsOthers(t *testing.T) {
	var v2 Builder
	body := kv(t, "log", "hello")
	v2.Append(1700000000*1e9+5, kv(t, "m", 1), body)
	legacy := cat(arr(t, int64(1700000000), msgp.Raw(body)))
	for _, tt := range []struct {
		name string
		in   []byte
		same bool
	}{{"v2", v2.Bytes(), true}, {"legacy", legacy, false}} {
		ev, _, err := DecodeEvent(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		var out Builder
		out.AppendEvent(&ev)
		if got := bytes.Equal(out.Bytes(), tt.in); got != tt.same {
			t.Errorf("%s: copied as is = %v, want %v", tt.name, got, tt.same)
		}
		back, _, err := DecodeEvent(out.Bytes())
		if err != nil || back.Time != ev.Time || !bytes.Equal(back.Body, ev.Body) || out.Records() != 1 {
			t.Errorf("%s: round trip %+v, %v", tt.name, back, err)
		}
	}
}
