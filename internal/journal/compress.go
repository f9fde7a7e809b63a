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

// decompressor holds per-File decoding state (none yet: the zstd decoder
// is shared, DecodeAll being safe for concurrent use).
type decompressor struct{}

func (decompressor) zstd(src, dst []byte) ([]byte, error) {
	zstdOnce.Do(func() {
		zstdDecoder, zstdErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(maxDecompressed), zstd.WithDecoderMaxWindow(maxDecompressed))
	})
	if zstdErr != nil {
		return nil, zstdErr
	}
	return zstdDecoder.DecodeAll(src, dst)
}

func decodeLZ4(src, dst []byte) ([]byte, error) {
	if len(src) < 8 {
		return nil, errors.New("shorter than its size prefix")
	}
	n := binary.LittleEndian.Uint64(src)
	if n > maxDecompressed {
		return nil, fmt.Errorf("says it expands to %d bytes, over the %d limit", n, maxDecompressed)
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

func decodeXZ(src, dst []byte) ([]byte, error) {
	r, err := xz.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	w := bytes.NewBuffer(dst)
	n, err := io.Copy(w, io.LimitReader(r, maxDecompressed+1))
	if err != nil {
		return nil, err
	}
	if n > maxDecompressed {
		return nil, fmt.Errorf("expands past the %d-byte limit", maxDecompressed)
	}
	return w.Bytes(), nil
}
