package stdout

import (
	"testing"

	"github.com/tinylib/msgp/msgp"
)

func TestAppendPrinted(t *testing.T) {
	tests := []struct {
		name string
		v    []byte
		want string
	}{
		{"nil", msgp.AppendNil(nil), "nil"},
		{"negative", msgp.AppendInt64(nil, -42), "-42"},
		{"uint64", msgp.AppendUint64(nil, 1<<63), "9223372036854775808"},
		{"float32", msgp.AppendFloat32(nil, 0.1), "0.100000"},
		{"float", msgp.AppendFloat64(nil, 2.5e-7), "0.000000"},
		{"binary", msgp.AppendBytes(nil, []byte("a\"\x00\xff")), `"a\"\x00\xff"`},
		{"event time", []byte{0xd7, 0x00, 0, 0, 0, 1, 0, 0, 0, 2}, `(ext: 0)"\x00\x00\x00\x01\x00\x00\x00\x02"`},
		{"negative ext type", []byte{0xc7, 1, 0xff, 'A'}, `(ext: -1)"A"`},
		{"empty array", msgp.AppendArrayHeader(nil, 0), "[]"},
		{"non-string key", msgp.AppendInt(msgp.AppendInt(msgp.AppendMapHeader(nil, 1), 1), 2), "{1=>2}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest, err := AppendPrinted(nil, append(tt.v, 0xc0))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want || len(rest) != 1 {
				t.Errorf("got %q (rest %d bytes), want %q", got, len(rest), tt.want)
			}
		})
	}
}

func TestAppendPrintedRejectsBadInput(t *testing.T) {
	deep := make([]byte, 0, 200)
	for range 150 {
		deep = append(deep, 0x91)
	}
	deep = append(deep, 0xc0)
	for name, v := range map[string][]byte{
		"empty":     nil,
		"0xc1":      {0xc1},
		"truncated": {0x92, 0x01},
		"short ext": {0xc7, 5, 0},
		"too deep":  deep,
	} {
		if _, _, err := AppendPrinted(nil, v); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestAppendCFloat(t *testing.T) {
	for f, want := range map[float64]string{0.5: "0.500000", -3: "-3.000000", 1e20: "100000000000000000000.000000"} {
		if got := string(AppendCFloat(nil, f)); got != want {
			t.Errorf("%v: got %s, want %s", f, got, want)
		}
	}
}
