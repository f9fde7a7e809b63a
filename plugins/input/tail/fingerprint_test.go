package tail

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// An extended fingerprint is the one computed from the file's start, for
// every way a short file grows up to and past fingerprintSize.
func TestExtendFingerprintEqualsFromScratch(t *testing.T) {
	tests := []struct {
		name  string
		steps []int // bytes appended before each extension
	}{
		{"line by line", []int{40, 41, 39, 100, 7}},
		{"crosses the fingerprint size", []int{1000, 100, 500}},
		{"first write larger than it", []int{3000}},
		{"nothing new", []int{10, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.log")
			f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var buf [fingerprintSize]byte
			var fp fingerprint
			size := 0
			for i, n := range tt.steps {
				if _, err := f.Write(bytes.Repeat([]byte{byte('a' + i)}, n)); err != nil {
					t.Fatal(err)
				}
				size += n
				if fp, err = extendFingerprint(f, fp, fingerprintSize, &buf); err != nil {
					t.Fatal(err)
				}
				want, err := fingerprintOf(f, fingerprintSize)
				if err != nil {
					t.Fatal(err)
				}
				if fp != want || fp.n != int64(min(size, fingerprintSize)) {
					t.Fatalf("after %d bytes: extended %+v, from scratch %+v", size, fp, want)
				}
			}
		})
	}
}
