package journal

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func readEntries(t testing.TB, data []byte) ([][]string, error) {
	f, err := NewFile("test.journal", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var out [][]string
	var e Entry
	for {
		err := f.Next(&e)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var fields []string
		for _, fl := range e.Fields {
			fields = append(fields, string(fl))
		}
		out = append(out, fields)
	}
}

// TestCompressedData reads DATA objects compressed each way systemd
// compresses them; Debian's journald writes only ZSTD, so LZ4 and XZ are
// checked here on files built by buildFile.
func TestCompressedData(t *testing.T) {
	big := "MESSAGE=" + strings.Repeat("a long compressible line\n", 200)
	want := [][]string{{big, "_SYSTEMD_UNIT=kubelet.service"}, {"BINARY=\x00\x01\xff", big}}
	for _, tc := range []struct {
		name string
		comp uint8
	}{{"none", 0}, {"xz", objCompressedXZ}, {"lz4", objCompressedLZ4}, {"zstd", objCompressedZSTD}} {
		data := buildFile(tc.comp, want)
		if tc.comp != 0 && bytes.Contains(data, []byte("line\na long")) {
			t.Fatalf("%s: payload not compressed", tc.name)
		}
		got, err := readEntries(t, data)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != 2 || got[0][0] != big || got[1][0] != want[1][0] || got[1][1] != big {
			t.Errorf("%s: got %d entries, wrong content", tc.name, len(got))
		}
	}
}

// TestCorruptOffsets: broken offsets give an error naming the file and an
// offset, never a panic or a loop.
func TestCorruptOffsets(t *testing.T) {
	good := buildFile(0, [][]string{{"A=1"}, {"A=2"}})
	for _, tc := range []struct {
		name   string
		mutate func([]byte) []byte
		want   string
	}{
		{"array points backward", func(b []byte) []byte { b[176] = 8; b[177], b[178] = 0, 0; return b }, "not forward"},
		{"array past the end", func(b []byte) []byte { b[183] = 0x7f; return b }, "past the end of the file"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-20] }, "at offset"},
		{"bad signature", func(b []byte) []byte { b[0] = 'X'; return b }, "signature"},
		{"unknown incompatible flag", func(b []byte) []byte { b[13] = 0x80; return b }, "unsupported incompatible flags"},
		{"entry count too high", func(b []byte) []byte { b[152] = 200; return b }, "entry array chain ends"},
	} {
		data := tc.mutate(append([]byte(nil), good...))
		_, err := readEntries(t, data)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "test.journal") {
			t.Errorf("%s: error %v, want one with %q and the file name", tc.name, err, tc.want)
		}
	}
}

// FuzzFile reads any bytes as a journal file: it must return entries or an
// error, never panic or loop. Seeds are files built by buildFile.
func FuzzFile(f *testing.F) {
	f.Add(buildFile(0, [][]string{{"MESSAGE=hello", "_SYSTEMD_UNIT=a.service"}, {"MESSAGE=bye"}}))
	f.Add(buildFile(objCompressedZSTD, [][]string{{"MESSAGE=" + strings.Repeat("x", 600)}}))
	f.Add(buildFile(objCompressedLZ4, [][]string{{"MESSAGE=" + strings.Repeat("y", 600)}}))
	f.Add(buildFile(objCompressedXZ, [][]string{{"MESSAGE=" + strings.Repeat("z", 600)}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := NewFile("fuzz.journal", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		fl.dec.max = 64 << 10 // keep each run small
		var e Entry
		// The header may claim any number of entries; each Next either
		// moves forward or fails, so a bounded number of calls must end.
		for i := 0; i < 256; i++ {
			if err := fl.Next(&e); err != nil {
				if !errors.Is(err, io.EOF) {
					fl.Skip(1)
				}
				if fl.Remaining() == 0 || !errors.Is(err, ErrCorrupt) {
					return
				}
			}
		}
	})
}
