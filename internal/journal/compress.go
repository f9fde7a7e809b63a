package journal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// How systemd compresses DATA payloads (src/basic/compress.c): ZSTD and XZ
// objects hold a whole zstd frame or .xz stream; LZ4 objects hold the
// uncompressed size as a little-endian uint64, then one raw LZ4 block.

var (
	zstdOnce    sync.Once
	zstdDecoder *zstd.Decoder
	zstdErr     error
)

// decompressor holds a File's decoding limit; the zstd decoder is shared,
// DecodeAll being safe for concurrent use.
type decompressor struct {
	max int // most bytes one DATA payload may expand to; 0 is maxDecompressed
}

func (d decompressor) limit() int {
	if d.max > 0 {
		return d.max
	}
	return maxDecompressed
}

func (d decompressor) zstd(src, dst []byte) ([]byte, error) {
	var h zstd.Header
	if err := h.Decode(src); err != nil {
		return nil, err
	}
	if h.HasFCS && h.FrameContentSize > uint64(d.limit()) || h.WindowSize > uint64(d.limit()) {
		return nil, fmt.Errorf("frame expands to %d bytes (window %d), over the %d limit", h.FrameContentSize, h.WindowSize, d.limit())
	}
	zstdOnce.Do(func() {
		zstdDecoder, zstdErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(maxDecompressed), zstd.WithDecoderMaxWindow(maxDecompressed))
	})
	if zstdErr != nil {
		return nil, zstdErr
	}
	start := len(dst)
	out, err := zstdDecoder.DecodeAll(src, dst)
	if err == nil && len(out)-start > d.limit() {
		return nil, fmt.Errorf("expands past the %d-byte limit", d.limit())
	}
	return out, err
}

func (d decompressor) lz4(src, dst []byte) ([]byte, error) {
	if len(src) < 8 {
		return nil, errors.New("shorter than its size prefix")
	}
	n := binary.LittleEndian.Uint64(src)
	if n > uint64(d.limit()) {
		return nil, fmt.Errorf("says it expands to %d bytes, over the %d limit", n, d.limit())
	}
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	got, err := lz4.UncompressBlock(src[8:], dst[start:])
	if err != nil {
		return nil, err
	}
	if uint64(got) != n {
		return nil, fmt.Errorf("expanded to %d bytes, header says %d", got, n)
	}
	return dst, nil
}

func (d decompressor) xz(src, dst []byte) ([]byte, error) {
	// The dictionary need not be larger than what the payload may expand
	// to: no match can reach further back.
	dict := min(d.limit(), 8<<20)
	r, err := xz.ReaderConfig{DictCap: max(dict, 4096), SingleStream: true}.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	w := bytes.NewBuffer(dst)
	n, err := io.Copy(w, io.LimitReader(r, int64(d.limit())+1))
	if err != nil {
		return nil, err
	}
	if n > int64(d.limit()) {
		return nil, fmt.Errorf("expands past the %d-byte limit", d.limit())
	}
	return w.Bytes(), nil
}
