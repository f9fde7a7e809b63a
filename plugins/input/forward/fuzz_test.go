package forward

import (
	"bytes"
	"testing"

	"github.com/sluice-logs/sluice/internal/forwardproto"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// FuzzDecode frames arbitrary bytes as forward messages, with a small
// Buffer_Max_Size, and decodes each. Whatever comes in, framing and
// decoding must return an error rather than panic or allocate without
// bound, and every accepted message must yield valid chunk events: the
// count the decoder reports, each readable by package record.
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
			if err != nil {
				continue
			}
			n, err := record.Count(out.Bytes())
			if err != nil || n != m.records || n != out.Records() {
				t.Fatalf("decoded %d records, builder has %d, record.Count = %d, %v", m.records, out.Records(), n, err)
			}
		}
	})
}
