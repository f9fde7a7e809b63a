package forwardproto

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tinylib/msgp/msgp"
)

func sample() []byte {
	b := msgp.AppendArrayHeader(nil, 4)
	b = msgp.AppendString(b, "app.tag")
	b, _ = msgp.AppendExtension(b, &msgp.RawExtension{Type: 0, Data: make([]byte, 8)})
	b = msgp.AppendMapHeader(b, 6)
	b = msgp.AppendString(b, "s")
	b = msgp.AppendString(b, strings.Repeat("x", 300))
	b = msgp.AppendString(b, "i")
	b = msgp.AppendInt64(b, -1<<40)
	b = msgp.AppendString(b, "f")
	b = msgp.AppendFloat64(b, 1.5)
	b = msgp.AppendString(b, "b")
	b = msgp.AppendBytes(b, make([]byte, 70000))
	b = msgp.AppendString(b, "a")
	b = msgp.AppendArrayHeader(b, 3)
	b = msgp.AppendNil(b)
	b = msgp.AppendBool(b, true)
	b = msgp.AppendUint16(b, 65000)
	b = msgp.AppendString(b, "e")
	b, _ = msgp.AppendExtension(b, &msgp.RawExtension{Type: 5, Data: make([]byte, 300)})
	return msgp.AppendMapHeader(b, 0)
}

func TestScanValueEveryPrefixNeedsMore(t *testing.T) {
	msg := sample()
	if n, err := ScanValue(msg, len(msg)); err != nil || n != len(msg) {
		t.Fatalf("ScanValue = %d, %v; want %d", n, err, len(msg))
	}
	withNext := append(append([]byte(nil), msg...), 0xc0)
	if n, err := ScanValue(withNext, len(withNext)); err != nil || n != len(msg) {
		t.Fatalf("with a following value: %d, %v", n, err)
	}
	for i := 0; i < len(msg); i++ {
		if _, err := ScanValue(msg[:i], len(msg)); !errors.Is(err, ErrNeedMore) {
			t.Fatalf("prefix of %d bytes: %v, want ErrNeedMore", i, err)
		}
	}
	var tl *TooLargeError
	if _, err := ScanValue(msg, len(msg)-1); !errors.As(err, &tl) {
		t.Fatalf("limit one byte short: %v", err)
	}
}

func TestScanValueRefusesWithoutReading(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"str32 of 4 GiB", []byte{0xdb, 0xff, 0xff, 0xff, 0xff}, "over the limit"},
		{"bin32 beyond limit", []byte{0xc6, 0x00, 0x01, 0x00, 0x00}, "over the limit"},
		{"array32 of 2^32-1", []byte{0xdd, 0xff, 0xff, 0xff, 0xff}, "over the limit"},
		{"map32 of 2^31", []byte{0xdf, 0x80, 0x00, 0x00, 0x00}, "over the limit"},
		{"ext32 beyond limit", []byte{0xc9, 0x00, 0x10, 0x00, 0x00, 0x01}, "over the limit"},
		{"invalid code", []byte{0x91, 0xc1}, "0xc1"},
		{"deep nesting", bytes.Repeat([]byte{0x91}, maxDepth+2), "nested deeper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ScanValue(tc.data, 1024)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// maxDepth levels of nesting are fine.
	ok := append(bytes.Repeat([]byte{0x91}, maxDepth), 0x01)
	if _, err := ScanValue(ok, 1024); err != nil {
		t.Fatalf("%d levels: %v", maxDepth, err)
	}
}

func TestReaderFramesAcrossReads(t *testing.T) {
	msg := sample()
	stream := bytes.Repeat(msg, 3)
	r := NewReader(iotest.OneByteReader(bytes.NewReader(stream)), 1000, 1<<20)
	for i := 0; i < 3; i++ {
		got, err := r.Next()
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("message %d: %d bytes, %v", i, len(got), err)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("at the end: %v, want io.EOF", err)
	}
	r = NewReader(bytes.NewReader(msg[:100]), 64, 1<<20)
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "closed inside a message") {
		t.Fatalf("truncated: %v", err)
	}
	r = NewReader(bytes.NewReader(msg), 64, 1000)
	var tl *TooLargeError
	if _, err := r.Next(); !errors.As(err, &tl) {
		t.Fatalf("oversize: %v", err)
	}
}

// FuzzScanValue checks ScanValue against msgp's own skipping, both ways:
// whenever ScanValue accepts a value, msgp reads a value of the same
// length; whenever msgp reads one within the limit and depth bound,
// ScanValue finds it; and every proper prefix of a value needs more bytes.
func FuzzScanValue(f *testing.F) {
	f.Add(sample())
	f.Add([]byte{0xdb, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x92, 0xc7, 0x01, 0x00})
	f.Add(bytes.Repeat([]byte{0x91}, 120))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ScanValue(data, 1<<16)
		rest, skipErr := msgp.Skip(data)
		if err != nil {
			// msgp.Skip is the reference: a value it reads whole, within
			// the limit and the depth bound, must be found.
			if skipErr == nil && len(data)-len(rest) <= 1<<16 && !errors.Is(err, errTooDeep) {
				t.Fatalf("ScanValue: %v; msgp.Skip reads a value of %d bytes", err, len(data)-len(rest))
			}
			return
		}
		if skipErr != nil || len(data)-len(rest) != n {
			t.Fatalf("ScanValue = %d, msgp.Skip consumed %d (%v)", n, len(data)-len(rest), skipErr)
		}
		// Every proper prefix of a value needs more bytes.
		for _, cut := range []int{0, n / 2, n - 1} {
			if _, err := ScanValue(data[:cut], 1<<16); !errors.Is(err, ErrNeedMore) {
				t.Fatalf("ScanValue of %d of the value's %d bytes: %v, want ErrNeedMore", cut, n, err)
			}
		}
	})
}

func TestReaderGivesBackAGrownBuffer(t *testing.T) {
	big := msgp.AppendBytes(nil, make([]byte, 10000))
	small := msgp.AppendInt(nil, 1)
	r := NewReader(iotest.OneByteReader(bytes.NewReader(append(append([]byte(nil), big...), small...))), 100, 1<<20)
	if msg, err := r.Next(); err != nil || len(msg) != len(big) {
		t.Fatalf("big: %d, %v", len(msg), err)
	}
	if msg, err := r.Next(); err != nil || !bytes.Equal(msg, small) {
		t.Fatalf("small: %x, %v", msg, err)
	}
	if len(r.buf) != 100 {
		t.Errorf("buffer of %d bytes after the big message, want one chunk (100)", len(r.buf))
	}
}
