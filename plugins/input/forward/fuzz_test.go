package forward

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/forwardproto"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// FuzzDecode frames arbitrary bytes as forward messages, with a small
// Buffer_Max_Size, and decodes each. Whatever comes in, framing and
// decoding must return an error rather than panic or allocate without
// bound; every accepted message must yield valid chunk events (the count
// the decoder reports, each readable by package record); and the decoder
// must agree with an independent reference decoder (refDecode) on which
// messages are valid and on their tag, chunk option, times, metadata and
// records. Errors must say they are protocol errors.
func FuzzDecode(f *testing.F) {
	packed := join(entry(1700000000, body(0, "a")), entry(1700000001, body(1, "b")))
	for _, seed := range [][]byte{
		arr(str("app"), eventTime(1700000000, 1), body(0, "x"), options("chunk", "abc")),
		arr(str("app"), arr(entry(1, body(0, "a"))), options("size", 1)),
		arr(str("app"), bin(packed)),
		arr(str("app"), bin(gzipped(f, packed)), options("compressed", "gzip", "chunk", "z")),
		append(arr(str("a"), arr()), arr(str("b"), msgp.AppendInt(nil, 1), body(1, "y"))...),
		{0xdb, 0xff, 0xff, 0xff, 0xff},                  // str32 of 4 GiB
		{0x93, 0xa1, 'a', 0xdd, 0x7f, 0xff, 0xff, 0xff}, // array32 of 2 G entries
		bytes.Repeat([]byte{0x91}, 200),                 // deep nesting
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := forwardproto.NewReader(bytes.NewReader(data), 64, 4096)
		d := decoder{maxInflated: 16 << 10}
		for {
			msg, err := r.Next()
			if err != nil {
				return
			}
			var out record.Builder
			m, err := d.decode(msg, &out)
			ref, refOK, refErr := refDecode(msg, d.maxInflated)
			if err != nil {
				if err.Error() == "" || !errors.Is(err, errProtocol) {
					t.Fatalf("error %q does not say it is a protocol error", err)
				}
				if refOK && refErr == nil && !strings.Contains(err.Error(), "deep") {
					t.Fatalf("decoder refuses % x (%v), the reference decoder accepts it", msg, err)
				}
				continue
			}
			n, err := record.Count(out.Bytes())
			if err != nil || n != m.records || n != out.Records() {
				t.Fatalf("decoded %d records, builder has %d, record.Count = %d, %v", m.records, out.Records(), n, err)
			}
			if !refOK {
				continue // values the reference cannot represent
			}
			if refErr != nil {
				t.Fatalf("decoder accepts % x, the reference decoder says %v", msg, refErr)
			}
			checkAgainstReference(t, m, out.Bytes(), ref)
		}
	})
}

// checkAgainstReference checks a decoded message against the reference
// decoder's reading: same tag and chunk, the same events in order.
func checkAgainstReference(t *testing.T, m message, events []byte, ref refMessage) {
	t.Helper()
	if string(m.tag) != ref.tag || !bytes.Equal(m.chunk, ref.chunk) {
		t.Fatalf("tag %q chunk %q, reference %q %q", m.tag, m.chunk, ref.tag, ref.chunk)
	}
	if m.records != len(ref.events) {
		t.Fatalf("%d records, reference %d", m.records, len(ref.events))
	}
	it := record.NewIterator(events)
	for i := 0; it.Next(); i++ {
		ev, want := it.Event(), ref.events[i]
		body, ok1 := printed(ev.Body)
		meta, ok2 := printed(ev.Meta)
		if !ok1 || !ok2 || body != want.body || meta != want.meta {
			t.Fatalf("event %d: meta %s body %s, reference %s %s", i, meta, body, want.meta, want.body)
		}
		if want.exactTime && int64(ev.Time) != want.time {
			t.Fatalf("event %d: time %d, reference %d", i, ev.Time, want.time)
		}
	}
}

// fuzzConn is a net.Conn that reads a fixed input and discards writes.
type fuzzConn struct {
	*bytes.Reader
	written int
}

func (c *fuzzConn) Write(p []byte) (int, error)      { c.written += len(p); return len(p), nil }
func (c *fuzzConn) Close() error                     { return nil }
func (c *fuzzConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *fuzzConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *fuzzConn) SetDeadline(time.Time) error      { return nil }
func (c *fuzzConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fuzzConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzSession runs a whole connection (framing, batching, decoding, acks)
// over arbitrary bytes: it must end with nil or an error, never panic, and
// hand the pipeline only valid events.
func FuzzSession(f *testing.F) {
	f.Add(append(arr(str("a"), msgp.AppendInt(nil, 1), body(0, "x"), options("chunk", "1")), arr(str("a"), arr(entry(2, body(1, "y"))))...))
	f.Add(append(arr(str("a"), msgp.AppendInt(nil, 1), body(0, "x")), 0xc1))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &Input{chunkSize: 64, maxSize: 4096, msgTimeout: time.Second, logger: slog.New(slog.DiscardHandler)}
		conn := &fuzzConn{Reader: bytes.NewReader(data)}
		s := &session{in: in, conn: conn, r: forwardproto.NewReader(conn, 64, 4096), dec: decoder{maxInflated: 16 << 10}}
		out := &collector{}
		s.run(context.Background(), out)
		for _, e := range out.got {
			if n, err := record.Count(e.events); err != nil || n != e.n {
				t.Fatalf("emitted %d events, record.Count = %d, %v", e.n, n, err)
			}
		}
		if s.records != out.count() {
			t.Fatalf("session counted %d records, pipeline got %d", s.records, out.count())
		}
	})
}
