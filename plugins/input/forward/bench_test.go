package forward

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/forwardproto"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// benchRecord is a FireLens-shaped record of about 260 bytes.
func benchRecord(i int) []byte {
	b := msgp.AppendMapHeader(nil, 4)
	b = msgp.AppendString(b, "container_id")
	b = msgp.AppendString(b, "3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e")
	b = msgp.AppendString(b, "container_name")
	b = msgp.AppendString(b, "/ecs-webapp-1-webapp-b2c4e6f8a0c2e4f6a801")
	b = msgp.AppendString(b, "source")
	b = msgp.AppendString(b, "stdout")
	b = msgp.AppendString(b, "log")
	return msgp.AppendString(b, fmt.Sprintf(`10.0.1.%d - - [01/Dec/2026:05:00:00 +0000] "GET /index.html?seq=%08d HTTP/1.1" 200 615 "-" "Mozilla/5.0"`, i%250, i))
}

// benchStream returns 10 messages of 1000 records in the given mode.
func benchStream(b *testing.B, m mode) ([]byte, int) {
	var stream []byte
	const perMsg, msgs = 1000, 10
	for k := 0; k < msgs; k++ {
		var entries []byte
		var forward [][]byte
		for i := 0; i < perMsg; i++ {
			e := append(msgp.AppendArrayHeader(nil, 2), eventTime(1700000000, uint32(i))...)
			e = append(e, benchRecord(k*perMsg+i)...)
			entries = append(entries, e...)
			forward = append(forward, e)
		}
		switch m {
		case modeMessage:
			for i := 0; i < perMsg; i++ {
				stream = append(stream, arr(str("webapp-firelens-task"), eventTime(1700000000, uint32(i)), benchRecord(i))...)
			}
		case modeForward:
			stream = append(stream, arr(str("webapp-firelens-task"), arr(forward...), options("chunk", "c"))...)
		case modePackedForward:
			stream = append(stream, arr(str("webapp-firelens-task"), bin(entries), options("chunk", "c"))...)
		case modeCompressedPackedForward:
			stream = append(stream, arr(str("webapp-firelens-task"), bin(gzipped(b, entries)), options("chunk", "c", "compressed", "gzip"))...)
		}
	}
	return stream, perMsg * msgs
}

// BenchmarkDecode frames and decodes a stream of forward messages into
// chunk events, as a connection does (minus the socket and Emit).
func BenchmarkDecode(b *testing.B) {
	for _, m := range []mode{modeMessage, modeForward, modePackedForward, modeCompressedPackedForward} {
		b.Run(m.String(), func(b *testing.B) {
			stream, records := benchStream(b, m)
			d := decoder{maxInflated: 16 * 6144000}
			var out record.Builder
			src := bytes.NewReader(stream)
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				src.Reset(stream)
				r := forwardproto.NewReader(src, 1024000, 6144000)
				for {
					msg, err := r.Next()
					if err != nil {
						break
					}
					out.Reset()
					if _, err := d.decode(msg, &out); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N)*float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// messageConn is a client connection that delivers one message per Read,
// as a synchronous client (fluent-logger-golang, the awsfirelens driver)
// does, and discards what the input writes back.
type messageConn struct {
	net.Conn // nil: other methods are not called
	msgs     [][]byte
	next     int
}

func (c *messageConn) Read(p []byte) (int, error) {
	if c.next == len(c.msgs) {
		return 0, io.EOF
	}
	n := copy(p, c.msgs[c.next])
	c.next++
	return n, nil
}

func (c *messageConn) Write(p []byte) (int, error)        { return len(p), nil }
func (c *messageConn) SetWriteDeadline(t time.Time) error { return nil }

type discardEmitter struct{ records int }

func (d *discardEmitter) Emit(_ context.Context, _ string, _ []byte, n int) error {
	d.records += n
	return nil
}

// BenchmarkSession is a connection's whole loop minus the socket: framing,
// decoding, one Emit per message (Tag_Prefix applied) and its ack, for
// 10,000 Message-mode messages of one record each that ask for an ack.
func BenchmarkSession(b *testing.B) {
	var msgs [][]byte
	for i := range 10000 {
		msgs = append(msgs, arr(str("webapp-firelens-task"), eventTime(1700000000, uint32(i)), benchRecord(i), options("chunk", fmt.Sprintf("c%07d", i))))
	}
	in := &Input{logger: slog.New(slog.DiscardHandler), msgTimeout: time.Minute, tagPrefix: "firelens."}
	conn := &messageConn{msgs: msgs}
	s := &session{in: in, conn: conn, r: forwardproto.NewReader(conn, 1024000, 6144000), dec: decoder{maxInflated: 16 * 6144000}}
	var emit discardEmitter
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		conn.next = 0
		s.r = forwardproto.NewReader(conn, 1024000, 6144000)
		if err := s.run(context.Background(), &emit); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if emit.records != b.N*len(msgs) {
		b.Fatalf("%d records emitted, want %d", emit.records, b.N*len(msgs))
	}
	b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "records/s")
}
