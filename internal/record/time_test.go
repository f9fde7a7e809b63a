package record

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/tinylib/msgp/msgp"
)

func TestTimeUnix(t *testing.T) {
	tests := []struct {
		t         Time
		sec, nsec int64
	}{
		{0, 0, 0},
		{1, 0, 1},
		{1_700_000_000_123_456_789, 1_700_000_000, 123_456_789},
		{-1, -1, 999_999_999},
		{-1_500_000_000, -2, 500_000_000},
		{-2_000_000_000, -2, 0},
		{math.MaxInt64, 9_223_372_036, 854_775_807},
		{math.MinInt64, -9_223_372_037, 145_224_192},
	}
	for _, tt := range tests {
		sec, nsec := tt.t.Unix()
		if sec != tt.sec || nsec != tt.nsec {
			t.Errorf("Time(%d).Unix() = %d, %d; want %d, %d", tt.t, sec, nsec, tt.sec, tt.nsec)
		}
		if got := tt.t.Std(); !got.Equal(time.Unix(tt.sec, tt.nsec)) || got.Location() != time.UTC {
			t.Errorf("Time(%d).Std() = %v", tt.t, got)
		}
	}
}

func TestTimeConversions(t *testing.T) {
	std := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 2*3600))
	rt := FromTime(std)
	if !rt.Std().Equal(std) {
		t.Errorf("FromTime(%v).Std() = %v", std, rt.Std())
	}
	if got, want := Time(-1_500_000_000).Float(), -1.5; got != want {
		t.Errorf("Float() = %v, want %v", got, want)
	}
	before := FromTime(time.Now())
	now := Now()
	if now < before || now > FromTime(time.Now()) {
		t.Errorf("Now() = %d is not between two time.Now() readings", now)
	}
}

func TestDecodeTime(t *testing.T) {
	trailer := []byte{0xc0}
	tests := []struct {
		name string
		in   []byte
		want Time
	}{
		{"EventTime fixext8", evTime(1_700_000_000, 123_456_789), 1_700_000_000_123_456_789},
		{"EventTime ext8", evTimeExt8(1_700_000_000, 5), 1_700_000_000_000_000_005},
		{"EventTime zero", evTime(0, 0), 0},
		{"EventTime max seconds", evTime(math.MaxUint32, 999_999_999), math.MaxUint32*1e9 + 999_999_999},
		{"EventTime nanoseconds carry", evTime(1, 1_500_000_000), 2_500_000_000},
		{"positive fixint", []byte{0x05}, 5e9},
		{"uint8", []byte{0xcc, 200}, 200e9},
		{"uint32", msgp.AppendUint32(nil, 1_700_000_000), 1_700_000_000e9},
		{"uint64", msgp.AppendUint64(nil, 1_700_000_000), 1_700_000_000e9},
		{"int64", msgp.AppendInt64(nil, 1_700_000_000), 1_700_000_000e9},
		{"negative fixint", []byte{0xff}, -1e9},
		{"negative int32", msgp.AppendInt32(nil, -86400), -86400e9},
		{"float64", msgp.AppendFloat64(nil, 1_700_000_000.25), 1_700_000_000_250_000_000},
		{"float64 microseconds", msgp.AppendFloat64(nil, 1_700_000_000.123456), 1_700_000_000_123_456_001},
		{"float32", msgp.AppendFloat32(nil, 1.5), 1_500_000_000},
		{"negative float", msgp.AppendFloat64(nil, -1.5), -1_500_000_000},
		{"int beyond 2262 saturates", msgp.AppendInt64(nil, 1e10), math.MaxInt64},
		{"int before 1678 saturates", msgp.AppendInt64(nil, -1e10), math.MinInt64},
		{"max int64", msgp.AppendInt64(nil, math.MaxInt64), math.MaxInt64},
		{"min int64", msgp.AppendInt64(nil, math.MinInt64), math.MinInt64},
		{"max uint64", msgp.AppendUint64(nil, math.MaxUint64), math.MaxInt64},
		{"float +Inf saturates", msgp.AppendFloat64(nil, math.Inf(1)), math.MaxInt64},
		{"float -Inf saturates", msgp.AppendFloat64(nil, math.Inf(-1)), math.MinInt64},
		{"float at the upper limit", msgp.AppendFloat64(nil, 9_223_372_036.854775807), math.MaxInt64},
		{"float at the lower limit", msgp.AppendFloat64(nil, -9_223_372_036.854775808), math.MinInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest, err := DecodeTime(append(tt.in, trailer...))
			if err != nil {
				t.Fatalf("DecodeTime(% x): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("DecodeTime(% x) = %d, want %d", tt.in, got, tt.want)
			}
			if string(rest) != string(trailer) {
				t.Errorf("rest = % x, want % x", rest, trailer)
			}
		})
	}
}

func TestDecodeTimeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"string", msgp.AppendString(nil, "2024-01-01")},
		{"nil", []byte{0xc0}},
		{"map", []byte{0x80}},
		{"NaN", msgp.AppendFloat64(nil, math.NaN())},
		{"truncated fixext8", evTime(1, 2)[:9]},
		{"truncated ext8", evTimeExt8(1, 2)[:10]},
		{"truncated int", []byte{0xd3, 0, 0}},
		{"truncated float", []byte{0xcb, 0, 0}},
		{"msgpack timestamp extension", fixext8(0xff, 0)},
		{"other fixext8 type", fixext8(7, 0)},
		{"EventTime type with 4 bytes", []byte{0xd6, 0, 0, 0, 0, 1}},
		{"ext8 type 0 of 12 bytes", append([]byte{0xc7, 12, 0}, make([]byte, 12)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest, err := DecodeTime(tt.in)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("DecodeTime(% x) = %d, %v; want ErrMalformed", tt.in, got, err)
			}
			if string(rest) != string(tt.in) {
				t.Errorf("on error rest = % x, want the input", rest)
			}
		})
	}
}

func TestTimeOfSaturates(t *testing.T) {
	tests := []struct {
		sec, nsec int64
		want      Time
	}{
		{0, 0, 0},
		{0, 1e9, 1e9},
		{-1, 0, -1e9},
		{-1, 1e9, 0},
		{9_223_372_036, 854_775_807, math.MaxInt64},
		{9_223_372_036, 854_775_808, math.MaxInt64},
		{9_223_372_037, 0, math.MaxInt64},
		{math.MaxInt64, 1e9, math.MaxInt64},
		{-9_223_372_037, 145_224_192, math.MinInt64},
		{-9_223_372_037, 145_224_193, math.MinInt64 + 1},
		{-9_223_372_037, 145_224_191, math.MinInt64},
		{-9_223_372_038, 0, math.MinInt64},
		{math.MinInt64, 0, math.MinInt64},
	}
	for _, tt := range tests {
		if got := timeOf(tt.sec, tt.nsec); got != tt.want {
			t.Errorf("timeOf(%d, %d) = %d, want %d", tt.sec, tt.nsec, got, tt.want)
		}
	}
}

// TestEventTimeRoundTrip checks that every Time the Builder writes reads
// back: exactly within EventTime's range (1970 to 2106), to within a few
// microseconds outside it, where it is written as float seconds.
func TestEventTimeRoundTrip(t *testing.T) {
	tests := []struct {
		t         Time
		tolerance Time
	}{
		{0, 0},
		{1, 0},
		{1_700_000_000_123_456_789, 0},
		{math.MaxUint32*1e9 + 999_999_999, 0},
		{-1, 0},
		{-1_500_000_000, 0},
		{-86_400_000_000_123, 1},
		{math.MaxUint32*1e9 + 1e9, 0},
		{math.MaxInt64, 0},
		{math.MinInt64, 0},
		{math.MaxInt64 - 123_456_789, 4_000},
		{math.MinInt64 + 123_456_789, 4_000},
	}
	for _, tt := range tests {
		enc := appendEventTime(nil, tt.t)
		sec, _ := tt.t.Unix()
		if inRange := sec >= 0 && sec <= math.MaxUint32; inRange != (enc[0] == 0xd7) {
			t.Errorf("appendEventTime(%d) = % x: EventTime form only for 1970-2106", tt.t, enc)
		}
		got, rest, err := DecodeTime(enc)
		if err != nil || len(rest) != 0 {
			t.Fatalf("DecodeTime(appendEventTime(%d)) = %d, % x, %v", tt.t, got, rest, err)
		}
		diff := got - tt.t
		if diff < -tt.tolerance || diff > tt.tolerance {
			t.Errorf("time %d read back as %d (off by %d ns, tolerance %d)", tt.t, got, diff, tt.tolerance)
		}
	}
}
