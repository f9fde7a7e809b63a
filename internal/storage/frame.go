package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// segmentMagic starts every segment file; the last two bytes are the
// format version.
const segmentMagic = "SLUSEG01"

// Frame header layout; see the package documentation.
const (
	frameMagic0, frameMagic1 = 0xD7, 0x5C
	frameHeaderSize          = 12
	flagCRC                  = 1
	// maxFramePayload bounds a frame's declared length, so a corrupted
	// header cannot make recovery allocate gigabytes. Engine chunks are
	// sealed at 2 MiB and a single Emit is far below this.
	maxFramePayload = 64 << 20
)

// frameType is the kind of a frame.
type frameType uint8

// The frame types.
const (
	frameOpen frameType = 1
	frameData frameType = 2
	frameDone frameType = 3
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendFrame appends a frame of type t around the payload built by body,
// which appends to its argument. With checksum set the payload's CRC-32C is
// stored.
func appendFrame(dst []byte, t frameType, checksum bool, body func([]byte) []byte) []byte {
	start := len(dst)
	dst = append(dst, frameMagic0, frameMagic1, byte(t), 0, 0, 0, 0, 0, 0, 0, 0, 0)
	dst = body(dst)
	payload := dst[start+frameHeaderSize:]
	binary.LittleEndian.PutUint32(dst[start+4:], uint32(len(payload)))
	if checksum {
		dst[start+3] = flagCRC
		binary.LittleEndian.PutUint32(dst[start+8:], crc32.Checksum(payload, castagnoli))
	}
	return dst
}

// header is a decoded frame header.
type header struct {
	typ    frameType
	flags  byte
	length uint32
	crc    uint32
}

// errNotFrame means bytes that cannot start a frame: recovery cannot find
// the next frame after them.
var errNotFrame = errors.New("not a frame header")

func parseHeader(b []byte) (header, error) {
	h := header{typ: frameType(b[2]), flags: b[3],
		length: binary.LittleEndian.Uint32(b[4:]), crc: binary.LittleEndian.Uint32(b[8:])}
	if b[0] != frameMagic0 || b[1] != frameMagic1 || h.typ < frameOpen || h.typ > frameDone || h.length > maxFramePayload {
		return h, errNotFrame
	}
	return h, nil
}

// checkCRC verifies a payload against its header, when it has a CRC.
func (h header) checkCRC(payload []byte) error {
	if h.flags&flagCRC == 0 {
		return nil
	}
	if got := crc32.Checksum(payload, castagnoli); got != h.crc {
		return fmt.Errorf("CRC-32C mismatch: stored %08x, computed %08x", h.crc, got)
	}
	return nil
}

func appendOpen(dst []byte, id uint64, tag string, outputs []string) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, id)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(tag)))
	dst = append(dst, tag...)
	dst = append(dst, byte(len(outputs)))
	for _, o := range outputs {
		dst = append(dst, byte(len(o)))
		dst = append(dst, o...)
	}
	return dst
}

func appendData(dst []byte, id uint64, records int, events []byte) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, id)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(records))
	return append(dst, events...)
}

func appendDone(dst []byte, id uint64, output string) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, id)
	dst = append(dst, byte(len(output)))
	return append(dst, output...)
}

var errShortPayload = errors.New("payload shorter than its fields")

func parseOpen(p []byte) (id uint64, tag string, outputs []string, err error) {
	if len(p) < 11 {
		return 0, "", nil, errShortPayload
	}
	id = binary.LittleEndian.Uint64(p)
	n := int(binary.LittleEndian.Uint16(p[8:]))
	p = p[10:]
	if len(p) < n+1 {
		return 0, "", nil, errShortPayload
	}
	tag, count := string(p[:n]), int(p[n])
	p = p[n+1:]
	for range count {
		if len(p) < 1 || len(p) < 1+int(p[0]) {
			return 0, "", nil, errShortPayload
		}
		outputs = append(outputs, string(p[1:1+int(p[0])]))
		p = p[1+int(p[0]):]
	}
	return id, tag, outputs, nil
}

// dataHeaderSize is the part of a data payload before the events.
const dataHeaderSize = 12

func parseData(p []byte) (id uint64, records int, events []byte, err error) {
	if len(p) < dataHeaderSize {
		return 0, 0, nil, errShortPayload
	}
	return binary.LittleEndian.Uint64(p), int(binary.LittleEndian.Uint32(p[8:])), p[dataHeaderSize:], nil
}

func parseDone(p []byte) (id uint64, output string, err error) {
	if len(p) < 9 || len(p) < 9+int(p[8]) {
		return 0, "", errShortPayload
	}
	return binary.LittleEndian.Uint64(p), string(p[9 : 9+int(p[8])]), nil
}
