package forward

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// encoding is how the output writes a chunk as one forward message.
type encoding struct {
	timeAsInteger bool
	retainMeta    bool
	compress      bool
	sendOptions   bool
	addOptions    [][]string
}

// buffers holds the scratch space of one message, pooled across Flushes.
type buffers struct {
	entries bytes.Buffer
	packed  bytes.Buffer
	msg     []byte
	gz      *gzip.Writer
}

var bufferPool = sync.Pool{New: func() any { return new(buffers) }}

// encode writes chunk as a PackedForward message, or CompressedPackedForward
// with gzip: [tag, bin(entries), options]. Entries are [time, record], or
// [[time, metadata], record] with Retain_Metadata_In_Forward_Mode. chunkID
// is the ack id (nil when no ack is asked). The result aliases b.
func (e *encoding) encode(b *buffers, tag string, chunk *record.Chunk, chunkID []byte) ([]byte, error) {
	b.entries.Reset()
	it := record.NewIterator(chunk.Data)
	var scratch []byte
	for it.Next() {
		ev := it.Event()
		scratch = scratch[:0]
		scratch = append(scratch, 0x92)
		if e.retainMeta {
			scratch = append(scratch, 0x92)
		}
		if e.timeAsInteger {
			sec, _ := ev.Time.Unix()
			scratch = msgp.AppendInt64(scratch, sec)
		} else {
			scratch = appendEventTime(scratch, ev.Time)
		}
		if e.retainMeta {
			scratch = append(scratch, ev.Meta...)
		}
		b.entries.Write(scratch)
		b.entries.Write(ev.Body)
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("chunk of tag %q: %w", chunk.Tag, err)
	}
	payload := b.entries.Bytes()
	if e.compress {
		b.packed.Reset()
		if b.gz == nil {
			b.gz = gzip.NewWriter(&b.packed)
		} else {
			b.gz.Reset(&b.packed)
		}
		b.gz.Write(payload)
		if err := b.gz.Close(); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		payload = b.packed.Bytes()
	}
	n := uint32(2)
	if e.sendOptions {
		n = 3
	}
	m := msgp.AppendArrayHeader(b.msg[:0], n)
	m = msgp.AppendString(m, tag)
	m = msgp.AppendBytes(m, payload)
	if e.sendOptions {
		fields := uint32(1 + len(e.addOptions))
		if chunkID != nil {
			fields++
		}
		if e.compress {
			fields++
		}
		m = msgp.AppendMapHeader(m, fields)
		m = msgp.AppendString(m, "size")
		m = msgp.AppendInt(m, chunk.Records)
		if chunkID != nil {
			m = msgp.AppendString(m, "chunk")
			m = msgp.AppendStringFromBytes(m, chunkID)
		}
		if e.compress {
			m = msgp.AppendString(m, "compressed")
			m = msgp.AppendString(m, "gzip")
		}
		for _, kv := range e.addOptions {
			m = msgp.AppendString(m, kv[0])
			m = msgp.AppendString(m, kv[1])
		}
	}
	b.msg = m
	return m, nil
}

// appendEventTime writes t as an EventTime (fixext 8, type 0); times
// outside its range of 1970 to 2106 are clamped to it.
func appendEventTime(dst []byte, t record.Time) []byte {
	sec, nsec := t.Unix()
	sec = max(0, min(sec, 1<<32-1))
	return append(dst, 0xd7, 0x00,
		byte(sec>>24), byte(sec>>16), byte(sec>>8), byte(sec),
		byte(nsec>>24), byte(nsec>>16), byte(nsec>>8), byte(nsec))
}

// newChunkID returns a random ack id, base64 as Fluentd's clients make
// them.
func newChunkID() []byte {
	var raw [16]byte
	rand.Read(raw[:])
	id := make([]byte, base64.StdEncoding.EncodedLen(len(raw)))
	base64.StdEncoding.Encode(id, raw[:])
	return id
}
