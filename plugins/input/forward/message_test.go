package forward

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

func arr(elems ...[]byte) []byte {
	return join(append([][]byte{msgp.AppendArrayHeader(nil, uint32(len(elems)))}, elems...)...)
}

func str(s string) []byte { return msgp.AppendString(nil, s) }
func bin(b []byte) []byte { return msgp.AppendBytes(nil, b) }

func TestDecodeModes(t *testing.T) {
	packed := join(entry(1700000000, body(0, "a")), entry(1700000001, body(1, "b")))
	v2entry := arr(arr(eventTime(1700000000, 5), options("k", "v")), body(7, "meta"))
	tests := []struct {
		name    string
		msg     []byte
		mode    mode
		want    []string // "time json"
		chunk   string
		size    int64
		wantErr string
	}{
		{name: "message, integer time", msg: arr(str("app"), msgp.AppendInt64(nil, 1700000000), body(0, "x")),
			mode: modeMessage, want: []string{`1700000000000000000 {"seq":0,"msg":"x"}`}, size: -1},
		{name: "message, EventTime and options", msg: arr(str("app"), eventTime(1700000000, 123), body(0, "x"), options("chunk", "abc")),
			mode: modeMessage, want: []string{`1700000000000000123 {"seq":0,"msg":"x"}`}, chunk: "abc", size: -1},
		{name: "message, nil option", msg: arr(str("app"), eventTime(1, 0), body(0, "x"), msgp.AppendNil(nil)),
			mode: modeMessage, want: []string{`1000000000 {"seq":0,"msg":"x"}`}, size: -1},
		{name: "forward", msg: arr(str("app"), arr(entry(1700000000, body(0, "a")), entry(1700000001, body(1, "b"))), options("size", 2)),
			mode: modeForward, want: []string{`1700000000000000000 {"seq":0,"msg":"a"}`, `1700000001000000000 {"seq":1,"msg":"b"}`}, size: 2},
		{name: "forward, Fluent Bit metadata kept", msg: arr(str("app"), arr(v2entry)),
			mode: modeForward, want: []string{`1700000000000000005 {"seq":7,"msg":"meta"} meta={"k":"v"}`}, size: -1},
		{name: "packed forward, bin", msg: arr(str("app"), bin(packed), options("chunk", "c1", "size", 2)),
			mode: modePackedForward, want: []string{`1700000000000000000 {"seq":0,"msg":"a"}`, `1700000001000000000 {"seq":1,"msg":"b"}`}, chunk: "c1", size: 2},
		{name: "packed forward, str (old Fluentd)", msg: arr(str("app"), msgp.AppendStringFromBytes(nil, packed)),
			mode: modePackedForward, want: []string{`1700000000000000000 {"seq":0,"msg":"a"}`, `1700000001000000000 {"seq":1,"msg":"b"}`}, size: -1},
		{name: "compressed packed forward", msg: arr(str("app"), bin(gzipped(t, packed)), options("compressed", "gzip")),
			mode: modeCompressedPackedForward, want: []string{`1700000000000000000 {"seq":0,"msg":"a"}`, `1700000001000000000 {"seq":1,"msg":"b"}`}, size: -1},
		{name: "compressed, two gzip members", msg: arr(str("app"), bin(join(gzipped(t, entry(1, body(0, "a"))), gzipped(t, entry(2, body(1, "b"))))), options("compressed", "gzip")),
			mode: modeCompressedPackedForward, want: []string{`1000000000 {"seq":0,"msg":"a"}`, `2000000000 {"seq":1,"msg":"b"}`}, size: -1},
		{name: "empty forward", msg: arr(str("app"), arr()), mode: modeForward, size: -1},

		{name: "not an array", msg: str("hello"), wantErr: "must be an array"},
		{name: "one element", msg: arr(str("app")), wantErr: "2 to 4 elements"},
		{name: "tag not a string", msg: arr(msgp.AppendInt(nil, 5), arr()), wantErr: "tag: got int"},
		{name: "empty tag", msg: arr(str(""), arr()), wantErr: "empty tag"},
		{name: "bad second element", msg: arr(str("app"), msgp.AppendBool(nil, true)), wantErr: "must be a time"},
		{name: "message without record", msg: arr(str("app"), eventTime(1, 0)), wantErr: "needs [tag, time, record]"},
		{name: "record not a map", msg: arr(str("app"), eventTime(1, 0), str("x")), wantErr: "record is str, want a map"},
		{name: "entry not an event", msg: arr(str("app"), arr(str("x"))), wantErr: "entry 0"},
		{name: "packed garbage", msg: arr(str("app"), bin([]byte{0x92, 0x01})), wantErr: "packed entry 0"},
		{name: "bad gzip", msg: arr(str("app"), bin([]byte("not gzip")), options("compressed", "gzip")), wantErr: "gzip payload"},
		{name: "unknown compression", msg: arr(str("app"), bin(packed), options("compressed", "zstd")), wantErr: `compressed "zstd" is not supported`},
		{name: "option not a map", msg: arr(str("app"), arr(), str("x")), wantErr: "option is str"},
		{name: "chunk not a string", msg: arr(str("app"), arr(), options("chunk", 5)), wantErr: "option chunk"},
		{name: "negative size", msg: arr(str("app"), arr(), options("size", -1)), wantErr: "option size"},
		{name: "metrics", msg: arr(str("app"), bin([]byte{0x80}), options("fluent_signal", 1)), wantErr: "fluent_signal 1 (metrics or traces) is not supported"},
		{name: "forward with 4 elements", msg: arr(str("app"), arr(), options(), options()), wantErr: "at most 3 elements"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := decoder{maxInflated: 1 << 20}
			var out record.Builder
			m, err := d.decode(tc.msg, &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, errProtocol) {
					t.Fatalf("error = %v, want a protocol error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.mode != tc.mode || string(m.tag) != "app" || string(m.chunk) != tc.chunk || m.size != tc.size {
				t.Errorf("message = mode %v tag %q chunk %q size %d", m.mode, m.tag, m.chunk, m.size)
			}
			var got []string
			it := record.NewIterator(out.Bytes())
			for it.Next() {
				ev := it.Event()
				js, _, _ := record.AppendJSON(nil, ev.Body)
				line := fmt.Sprintf("%d %s", int64(ev.Time), js)
				if len(ev.Meta) > 1 {
					meta, _, _ := record.AppendJSON(nil, ev.Meta)
					line += " meta=" + string(meta)
				}
				got = append(got, line)
			}
			if it.Err() != nil {
				t.Fatal(it.Err())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") || m.records != len(tc.want) || out.Records() != len(tc.want) {
				t.Errorf("records (%d):\n%s\nwant:\n%s", m.records, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestDecodeRefusesDecompressionBomb(t *testing.T) {
	big := entry(1, body(0, strings.Repeat("a", 1<<20)))
	msg := arr(str("app"), bin(gzipped(t, big)), options("compressed", "gzip"))
	d := decoder{maxInflated: 64 << 10}
	var out record.Builder
	if _, err := d.decode(msg, &out); err == nil || !strings.Contains(err.Error(), "inflates to more than 65536 bytes") {
		t.Fatalf("error = %v", err)
	}
}
