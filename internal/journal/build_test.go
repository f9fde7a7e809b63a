package journal

import (
	"bytes"
	"encoding/binary"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// buildFile writes a journal file in the regular (64-bit) layout with one
// entry per element of entries ("FIELD=value" each), every DATA payload
// compressed with comp (0, objCompressedXZ, objCompressedLZ4 or
// objCompressedZSTD), the entries in one ENTRY_ARRAY. It makes what Debian's
// systemd-journal-remote cannot: LZ4 and XZ objects.
func buildFile(comp uint8, entries [][]string) []byte {
	le := binary.LittleEndian
	b := make([]byte, 272)
	copy(b, signature[:])
	incompat := map[uint8]uint32{objCompressedXZ: incompatCompressedXZ, objCompressedLZ4: incompatCompressedLZ4,
		objCompressedZSTD: incompatCompressedZSTD}[comp]
	le.PutUint32(b[12:], incompat)
	b[16] = StateOffline
	copy(b[24:40], "file-id-16-bytes")
	copy(b[72:88], "seqnum-id-16-byt")
	le.PutUint64(b[88:], 272)
	obj := func(typ, flags uint8, body []byte) uint64 {
		off := uint64(len(b))
		h := make([]byte, 16)
		h[0], h[1] = typ, flags
		le.PutUint64(h[8:], uint64(16+len(body)))
		b = append(b, h...)
		b = append(b, body...)
		for len(b)%8 != 0 {
			b = append(b, 0)
		}
		return off
	}
	var entryOffs []uint64
	for i, fields := range entries {
		var items []byte
		for _, f := range fields {
			payload := compress(comp, []byte(f))
			flags := comp
			if comp == 0 {
				flags = 0
			}
			d := obj(objData, flags, append(make([]byte, 48), payload...))
			items = le.AppendUint64(items, d)
			items = le.AppendUint64(items, 0)
		}
		hdr := make([]byte, 48)
		le.PutUint64(hdr[0:], uint64(i+1))                     // seqnum
		le.PutUint64(hdr[8:], 1700000000000000+uint64(i)*1000) // realtime
		le.PutUint64(hdr[16:], uint64(i))                      // monotonic
		entryOffs = append(entryOffs, obj(objEntry, 0, append(hdr, items...)))
	}
	arr := make([]byte, 8)
	for _, o := range entryOffs {
		arr = le.AppendUint64(arr, o)
	}
	a := obj(objEntryArray, 0, arr)
	le.PutUint64(b[96:], uint64(len(b)-272))
	le.PutUint64(b[152:], uint64(len(entries)))
	le.PutUint64(b[160:], uint64(len(entries)))
	le.PutUint64(b[168:], 1)
	le.PutUint64(b[176:], a)
	return b
}

func compress(comp uint8, p []byte) []byte {
	switch comp {
	case objCompressedLZ4:
		out := make([]byte, 8+lz4.CompressBlockBound(len(p)))
		binary.LittleEndian.PutUint64(out, uint64(len(p)))
		n, err := lz4.CompressBlock(p, out[8:], nil)
		if err != nil || n == 0 {
			panic("lz4 compression failed")
		}
		return out[:8+n]
	case objCompressedXZ:
		var buf bytes.Buffer
		w, _ := xz.NewWriter(&buf)
		w.Write(p)
		w.Close()
		return buf.Bytes()
	case objCompressedZSTD:
		e, _ := zstd.NewWriter(nil)
		return e.EncodeAll(p, nil)
	}
	return p
}
