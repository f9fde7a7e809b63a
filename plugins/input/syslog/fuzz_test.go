package syslog

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
)

// frameAll feeds data to a new framer in the pieces given and returns the
// messages (copied: the framer reuses its buffer) and the first error.
func frameAll(max int, pieces ...[]byte) ([][]byte, error) {
	fr := framer{max: max}
	var msgs [][]byte
	add := func(m []byte) { msgs = append(msgs, append([]byte(nil), m...)) }
	for _, p := range pieces {
		if err := fr.feed(p, add); err != nil {
			return msgs, err
		}
	}
	fr.end(add)
	return msgs, nil
}

// FuzzFramer frames arbitrary bytes, cut in two at a fuzzed point. The
// messages must not depend on where the stream was cut; every message must
// be bytes of the input, in order and without overlap (the framer invents
// nothing); none may exceed Buffer_Max_Size; and an error must say what is
// wrong and keep the messages before it.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("5 <1>ab<13>x\n"), 3)
	f.Add([]byte("12 <13>hello\r\n\n"), 0)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		const max = 256
		if cut < 0 || cut > len(data) {
			cut = len(data) / 2
		}
		whole, wholeErr := frameAll(max, data)
		split, splitErr := frameAll(max, data[:cut], data[cut:])
		if (wholeErr == nil) != (splitErr == nil) {
			t.Fatalf("in one piece: %v; cut at %d: %v", wholeErr, cut, splitErr)
		}
		if fmt.Sprintf("%q", whole) != fmt.Sprintf("%q", split) {
			t.Fatalf("in one piece %q; cut at %d %q", whole, cut, split)
		}
		if wholeErr != nil && len(wholeErr.Error()) < 10 {
			t.Fatalf("error %q says nothing", wholeErr)
		}
		at := 0
		for i, m := range whole {
			if len(m) > max {
				t.Fatalf("message %d has %d bytes, more than the %d allowed", i, len(m), max)
			}
			j := bytes.Index(data[at:], m)
			if j < 0 {
				t.Fatalf("message %d %q is not in the rest of the input %q", i, m, data[at:])
			}
			at += j + len(m)
		}
	})
}

// FuzzFramerRoundTrip frames messages a client would send, each with
// octet counting or, when it can be, with a newline (RFC 6587), and feeds
// the stream in two pieces: the framer must hand back exactly those
// messages.
func FuzzFramerRoundTrip(f *testing.F) {
	f.Add([]byte("<13>a\x00<14>b c\n\x00<15>"), uint64(0b101), 4)
	f.Add([]byte("1 2 3\x00\r\x00"), uint64(0), 1)
	f.Fuzz(func(t *testing.T, data []byte, octets uint64, cut int) {
		const max = 256
		var stream []byte
		var want [][]byte
		for i, m := range bytes.Split(data, []byte{0}) {
			if len(m) > max {
				return
			}
			// A newline-framed message cannot hold a newline, start with
			// a digit (it would read as an octet count) or with the
			// separators the framer skips, end in CR, or be empty.
			lineOK := len(m) > 0 && bytes.IndexByte(m, '\n') < 0 && !bytes.ContainsAny(m[:1], "0123456789\r\x00") && m[len(m)-1] != '\r'
			if octets&(1<<(i%64)) != 0 || !lineOK {
				stream = strconv.AppendInt(stream, int64(len(m)), 10)
				stream = append(append(stream, ' '), m...)
			} else {
				stream = append(append(stream, m...), '\n')
			}
			want = append(want, m)
		}
		if cut < 0 || cut > len(stream) {
			cut = len(stream) / 2
		}
		got, err := frameAll(max, stream[:cut], stream[cut:])
		if err != nil {
			t.Fatalf("stream %q: %v", stream, err)
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Fatalf("stream %q framed as %q, want %q", stream, got, want)
		}
	})
}
