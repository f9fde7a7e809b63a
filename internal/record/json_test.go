package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/tinylib/msgp/msgp"
)

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"nil", []byte{0xc0}, `null`},
		{"true", []byte{0xc3}, `true`},
		{"false", []byte{0xc2}, `false`},

		{"positive fixint 0", []byte{0x00}, `0`},
		{"positive fixint 127", []byte{0x7f}, `127`},
		{"uint8", []byte{0xcc, 0xff}, `255`},
		{"uint16", msgp.AppendUint16(nil, 65535), `65535`},
		{"uint32", msgp.AppendUint32(nil, math.MaxUint32), `4294967295`},
		{"uint64 max", msgp.AppendUint64(nil, math.MaxUint64), `18446744073709551615`},
		{"uint64 small in wide form", []byte{0xcf, 0, 0, 0, 0, 0, 0, 0, 1}, `1`},
		{"negative fixint -1", []byte{0xff}, `-1`},
		{"negative fixint -32", []byte{0xe0}, `-32`},
		{"int8", []byte{0xd0, 0x80}, `-128`},
		{"int16", msgp.AppendInt16(nil, -30000), `-30000`},
		{"int32", msgp.AppendInt32(nil, math.MinInt32), `-2147483648`},
		{"int64 min", msgp.AppendInt64(nil, math.MinInt64), `-9223372036854775808`},
		{"int64 holding a positive", []byte{0xd3, 0, 0, 0, 0, 0, 0, 0, 5}, `5`},

		{"float64", msgp.AppendFloat64(nil, 2.5), `2.5`},
		{"float64 integral", msgp.AppendFloat64(nil, 3), `3.0`},
		{"float32", msgp.AppendFloat32(nil, 0.1), `0.1`},
		{"float32 NaN", msgp.AppendFloat32(nil, float32(math.NaN())), `null`},
		{"float64 NaN", msgp.AppendFloat64(nil, math.NaN()), `null`},
		{"float64 +Inf", msgp.AppendFloat64(nil, math.Inf(1)), `null`},
		{"float64 -Inf", msgp.AppendFloat64(nil, math.Inf(-1)), `null`},

		{"empty string", mp(t, ""), `""`},
		{"string", mp(t, "hello world"), `"hello world"`},
		{"quote and backslash", mp(t, `say "hi" \o/`), `"say \"hi\" \\o/"`},
		{"newline tab return", mp(t, "a\nb\tc\rd"), `"a\nb\tc\rd"`},
		{"other control characters", mp(t, "\x00\x01\b\f\x1f"), `"\u0000\u0001\u0008\u000c\u001f"`},
		{"DEL is not escaped", mp(t, "\x7f"), "\"\x7f\""},
		{"UTF-8 kept", mp(t, "héllo 世界 😀"), `"héllo 世界 😀"`},
		{"invalid UTF-8", mp(t, "a\xffb"), "\"a\ufffdb\""},
		{"truncated UTF-8 sequence", mp(t, "\xe2\x82"), "\"\ufffd\ufffd\""},
		{"encoded surrogate", mp(t, "\xed\xa0\x80"), "\"\ufffd\ufffd\ufffd\""},
		{"str8", mp(t, strings.Repeat("a", 40)), `"` + strings.Repeat("a", 40) + `"`},
		{"str16", mp(t, strings.Repeat("b", 300)), `"` + strings.Repeat("b", 300) + `"`},
		{"str32", cat([]byte{0xdb, 0, 0, 0, 2}, []byte("ok")), `"ok"`},
		{"bin", msgp.AppendBytes(nil, []byte("raw\n")), `"raw\n"`},
		{"bin invalid UTF-8", msgp.AppendBytes(nil, []byte{0xc3}), "\"\ufffd\""},

		{"empty array", []byte{0x90}, `[]`},
		{"array", arr(t, 1, "a", nil, true), `[1,"a",null,true]`},
		{"array16", cat([]byte{0xdc, 0, 2}, mp(t, 1), mp(t, 2)), `[1,2]`},
		{"nested arrays", arr(t, msgp.Raw(arr(t, msgp.Raw(arr(t)))), 2), `[[[]],2]`},
		{"empty map", []byte{0x80}, `{}`},
		{"map", kv(t, "a", 1, "b", "x"), `{"a":1,"b":"x"}`},
		{"map keeps order and duplicates", kv(t, "z", 1, "a", 2, "z", 3), `{"z":1,"a":2,"z":3}`},
		{"map32", cat([]byte{0xdf, 0, 0, 0, 1}, mp(t, "k"), mp(t, "v")), `{"k":"v"}`},
		{"nested map", kv(t, "k8s", msgp.Raw(kv(t, "pod", "web", "labels", msgp.Raw(kv(t, "app", "x"))))),
			`{"k8s":{"pod":"web","labels":{"app":"x"}}}`},
		{"binary key", cat([]byte{0x81}, msgp.AppendBytes(nil, []byte("k")), mp(t, 1)), `{"k":1}`},
		{"escaped key", kv(t, "a\"b", 1), `{"a\"b":1}`},

		{"EventTime", evTime(1_700_000_000, 500_000_000), `1700000000.5`},
		{"EventTime whole second", evTime(1_700_000_000, 0), `1700000000.0`},
		{"EventTime ext8", evTimeExt8(1, 250_000_000), `1.25`},
		{"msgpack timestamp extension", fixext8(0xff, 0), `null`},
		{"fixext1", []byte{0xd4, 5, 1}, `null`},
		{"fixext16", append([]byte{0xd8, 1}, make([]byte, 16)...), `null`},
		{"ext8 of 3 bytes", []byte{0xc7, 3, 9, 1, 2, 3}, `null`},
		{"ext8 type 0 of 3 bytes", []byte{0xc7, 3, 0, 1, 2, 3}, `null`},
		{"ext16", []byte{0xc8, 0, 1, 9, 1}, `null`},
		{"ext32", []byte{0xc9, 0, 0, 0, 1, 9, 1}, `null`},
		{"extensions in a map", kv(t, "t", msgp.Raw(evTime(2, 0)), "x", msgp.Raw([]byte{0xd4, 1, 1})), `{"t":2.0,"x":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trailer := []byte{0xc3, 0x01}
			prefix := []byte("prefix:")
			got, rest, err := AppendJSON(append([]byte(nil), prefix...), append(tt.in, trailer...))
			if err != nil {
				t.Fatalf("AppendJSON(% x): %v", tt.in, err)
			}
			if !bytes.HasPrefix(got, prefix) {
				t.Fatalf("AppendJSON overwrote dst: %q", got)
			}
			if js := string(got[len(prefix):]); js != tt.want {
				t.Errorf("AppendJSON(% x) = %s, want %s", tt.in, js, tt.want)
			}
			if !json.Valid(got[len(prefix):]) {
				t.Errorf("%s is not valid JSON", got[len(prefix):])
			}
			if !bytes.Equal(rest, trailer) {
				t.Errorf("rest = % x, want % x", rest, trailer)
			}
		})
	}
}

// TestAppendJSONFloat pins the float layout, which follows Fluent Bit's
// "%.1f" for integers and "%.16g" otherwise, except for the documented
// differences (shortest round-trip digits, null for NaN and infinities).
func TestAppendJSONFloat(t *testing.T) {
	tests := []struct {
		f       float64
		want    string
		fluent  string // what Fluent Bit 2.x/3.x prints, when different
		comment string
	}{
		{0, "0.0", "", ""},
		{math.Copysign(0, -1), "-0.0", "", ""},
		{1, "1.0", "", ""},
		{-42, "-42.0", "", ""},
		{0.5, "0.5", "", ""},
		{0.1, "0.1", "", ""},
		{-2.25, "-2.25", "", ""},
		{3.14159, "3.14159", "", ""},
		{1234567.5, "1234567.5", "", "no exponent below 1e16, like %g with 16 digits"},
		{123456789.123, "123456789.123", "", ""},
		{0.0001, "0.0001", "", ""},
		{0.00012, "0.00012", "", ""},
		{0.00001, "1e-05", "", "%g switches to an exponent below 1e-4"},
		{-1.5e-7, "-1.5e-07", "", ""},
		{5e-324, "5e-324", "4.940656458412465e-324", "shortest digits"},
		{1e15, "1000000000000000.0", "", ""},
		{1e18, "1000000000000000000.0", "", "%.1f while it fits a long long"},
		{9.223372036854775e18, "9223372036854774784.0", "", ""},
		{1 << 63, "9.223372036854776e+18", "", "beyond int64: %g form"},
		{1e20, "1e+20", "", ""},
		{-1e300, "-1e+300", "", ""},
		{math.MaxFloat64, "1.7976931348623157e+308", "1.797693134862316e+308", "shortest digits"},
		{0.30000000000000004, "0.30000000000000004", "0.3", "Sluice keeps the digits that tell it from 0.3"},
		{1.0000000000000002, "1.0000000000000002", "1", ""},
		{math.NaN(), "null", "nan", "Fluent Bit writes null only with convert_nan_to_null"},
		{math.Inf(1), "null", "inf", ""},
		{math.Inf(-1), "null", "-inf", ""},
	}
	for _, tt := range tests {
		got := string(appendJSONFloat(nil, tt.f, 64))
		if got != tt.want {
			t.Errorf("appendJSONFloat(%v) = %s, want %s", tt.f, got, tt.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("appendJSONFloat(%v) = %s is not JSON", tt.f, got)
		}
	}

	float32s := []struct {
		f    float32
		want string
	}{
		{0.1, "0.1"},
		{1.5, "1.5"},
		{16777216, "16777216.0"},
		{3.4028235e38, "3.4028235e+38"},
		{1e-10, "1e-10"},
	}
	for _, tt := range float32s {
		if got := string(appendJSONFloat(nil, float64(tt.f), 32)); got != tt.want {
			t.Errorf("appendJSONFloat(float32 %v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}

func TestAppendJSONNonStringKeys(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
		want string
	}{
		{"int", mp(t, 1), `{"1":"v"}`},
		{"negative int", mp(t, -5), `{"-5":"v"}`},
		{"nil", []byte{0xc0}, `{"null":"v"}`},
		{"bool", []byte{0xc3}, `{"true":"v"}`},
		{"float", mp(t, 1.5), `{"1.5":"v"}`},
		{"array", arr(t, 1, "a"), `{"[1,\"a\"]":"v"}`},
		{"map", kv(t, "a", "b\n"), `{"{\"a\":\"b\\n\"}":"v"}`},
		{"EventTime", evTime(3, 0), `{"3.0":"v"}`},
		{"other extension", []byte{0xd4, 1, 1}, `{"null":"v"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := cat([]byte{0x81}, tt.key, mp(t, "v"))
			// A long prefix makes the key text cross a reallocation of dst.
			for _, dst := range [][]byte{nil, make([]byte, 0, 1024), []byte("0123456789")} {
				got, _, err := AppendJSON(dst, in)
				if err != nil {
					t.Fatal(err)
				}
				if js := string(got[len(dst):]); js != tt.want {
					t.Errorf("AppendJSON = %s, want %s", js, tt.want)
				}
				if !json.Valid(got[len(dst):]) {
					t.Errorf("%s is not valid JSON", got[len(dst):])
				}
			}
		})
	}
}

// TestAppendJSONNestedNonStringKeys covers maps used as keys of maps used as
// keys: only the outermost key text is escaped, so the output stays linear
// in the input (it once doubled per level; see appendJSONKey).
func TestAppendJSONNestedNonStringKeys(t *testing.T) {
	keys := func(levels int) []byte { // {{{nil: nil}: nil}: nil}...
		b := bytes.Repeat([]byte{0x81}, levels)
		return append(b, bytes.Repeat([]byte{0xc0}, levels+1)...)
	}
	for _, tt := range []struct {
		levels int
		want   string
	}{
		{1, `{"null":null}`},
		{2, `{"{\"null\":null}":null}`},
		{3, `{"{\"{\"null\":null}\":null}":null}`},
	} {
		got, _, err := AppendJSON(nil, keys(tt.levels))
		if err != nil || string(got) != tt.want {
			t.Errorf("%d levels: %s, %v; want %s", tt.levels, got, err, tt.want)
		}
	}
	in := keys(maxDepth)
	got, _, err := AppendJSON(nil, in)
	if err != nil || !json.Valid(got) {
		t.Fatalf("%d levels: %v, valid %v", maxDepth, err, json.Valid(got))
	}
	if len(got) > 20*len(in) {
		t.Errorf("%d bytes of msgpack became %d bytes of JSON", len(in), len(got))
	}
}

func TestAppendJSONDepthLimit(t *testing.T) {
	// A value may sit at nesting level maxDepth (the outermost is level 0).
	ok := nested(maxDepth, []byte{0xc0})
	got, _, err := AppendJSON(nil, ok)
	if err != nil {
		t.Fatalf("depth %d: %v", maxDepth, err)
	}
	if want := strings.Repeat("[", maxDepth) + "null" + strings.Repeat("]", maxDepth); string(got) != want {
		t.Errorf("got %s", got)
	}
	if _, _, err := AppendJSON(nil, nested(maxDepth+1, []byte{0xc0})); !errors.Is(err, errTooDeep) {
		t.Errorf("depth %d: err = %v, want errTooDeep", maxDepth+1, err)
	}
	deepMap := bytes.Repeat([]byte{0x81, 0xa1, 'k'}, maxDepth+1)
	deepMap = append(deepMap, 0xc0)
	if _, _, err := AppendJSON(nil, deepMap); !errors.Is(err, errTooDeep) {
		t.Errorf("maps %d deep: err = %v, want errTooDeep", maxDepth+1, err)
	}
	// Hostile input far beyond the limit must fail fast, not exhaust the stack.
	if _, _, err := AppendJSON(nil, nested(1<<20, []byte{0xc0})); !errors.Is(err, errTooDeep) {
		t.Errorf("a million levels: err = %v", err)
	}
}

func TestAppendJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"never-used code 0xc1", []byte{0xc1}},
		{"0xc1 in an array", []byte{0x91, 0xc1}},
		{"truncated uint16", []byte{0xcd, 1}},
		{"truncated int64", []byte{0xd3, 1, 2}},
		{"truncated float32", []byte{0xca, 0, 0}},
		{"truncated float64", []byte{0xcb, 0, 0, 0}},
		{"truncated fixstr", []byte{0xa3, 'a'}},
		{"truncated str8 header", []byte{0xd9}},
		{"truncated str32", []byte{0xdb, 0, 0, 1, 0, 'a'}},
		{"truncated bin", []byte{0xc4, 2, 0}},
		{"truncated array", []byte{0x92, 0x01}},
		{"truncated array16 header", []byte{0xdc, 0}},
		{"map missing a value", []byte{0x81, 0xa1, 'a'}},
		{"truncated map32 header", []byte{0xdf, 0, 0}},
		{"truncated EventTime", evTime(1, 2)[:9]},
		{"truncated fixext4", []byte{0xd6, 1, 0, 0}},
		{"truncated ext8", []byte{0xc7, 5, 1, 0}},
		{"truncated key", []byte{0x81, 0xa5, 'a'}},
		{"0xc1 as a key", []byte{0x81, 0xc1, 0xc0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _, err := AppendJSON(nil, tt.in); !errors.Is(err, ErrMalformed) {
				t.Errorf("AppendJSON(% x) = %s, %v; want ErrMalformed", tt.in, got, err)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "\"\\/", "\x00\x1f\x7f", "é😀", "\xff\xfe", "a\xc3", "\u2028\u2029", "<&>"} {
		got := AppendJSONString(nil, []byte(s))
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("AppendJSONString(%q) = %s: %v", s, got, err)
			continue
		}
		// encoding/json also replaces each invalid byte with U+FFFD.
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("AppendJSONString(%q) decodes to %q, encoding/json gives %q", s, back, wantBack)
		}
	}
}

// TestAppendJSONMatchesEncodingJSON encodes random Go values with msgp's
// reference encoder, converts them with AppendJSON and checks that
// encoding/json reads back the same values.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		v := randomValue(r, 0)
		in := mp(t, v)
		got, rest, err := AppendJSON(nil, in)
		if err != nil || len(rest) != 0 {
			t.Fatalf("AppendJSON(%#v): %v (rest % x)", v, err, rest)
		}
		d := json.NewDecoder(bytes.NewReader(got))
		d.UseNumber()
		var back any
		if err := d.Decode(&back); err != nil {
			t.Fatalf("AppendJSON output %s: %v", got, err)
		}
		if !sameJSONValue(v, back) {
			want, _ := json.Marshal(v)
			t.Fatalf("AppendJSON disagrees with encoding/json\nAppendJSON:    %s\nencoding/json: %s", got, want)
		}
		if err := skipErr(in); err != nil {
			t.Fatalf("skipValue rejects what AppendJSON accepts: %v", err)
		}
	}
}

func skipErr(b []byte) error {
	rest, err := skipValue(b, 0)
	if err == nil && len(rest) != 0 {
		return errors.New("skipValue left bytes")
	}
	return err
}

// randomValue returns a random JSON-compatible Go value for msgp.AppendIntf.
func randomValue(r *rand.Rand, depth int) any {
	n := r.IntN(14)
	if depth >= 3 && n >= 11 {
		n = 0
	}
	switch n {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return int64(r.Uint64())
	case 3:
		return r.Uint64()
	case 4:
		return int64(r.IntN(300) - 150)
	case 5:
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
	case 6:
		return float64(r.IntN(1000))
	case 7:
		return float32(r.NormFloat64())
	case 8, 9, 10:
		return randomString(r)
	case 11:
		a := make([]any, r.IntN(6))
		for j := range a {
			a[j] = randomValue(r, depth+1)
		}
		return a
	default:
		m := map[string]any{}
		for j := r.IntN(6); j > 0; j-- {
			m[randomString(r)] = randomValue(r, depth+1)
		}
		return m
	}
}

func randomString(r *rand.Rand) string {
	alphabet := []rune("ab\"\\\n\t\x00\x1f é世😀/<>\u2028")
	var sb strings.Builder
	for j := r.IntN(12); j > 0; j-- {
		sb.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

// sameJSONValue reports whether got, decoded by encoding/json with UseNumber,
// holds the Go value want.
func sameJSONValue(want, got any) bool {
	n, isNumber := got.(json.Number)
	switch w := want.(type) {
	case nil, bool, string:
		return want == got
	case int64:
		i, err := strconv.ParseInt(string(n), 10, 64)
		return isNumber && err == nil && i == w
	case uint64:
		u, err := strconv.ParseUint(string(n), 10, 64)
		return isNumber && err == nil && u == w
	case float64:
		f, err := strconv.ParseFloat(string(n), 64)
		return isNumber && err == nil && f == w
	case float32:
		f, err := strconv.ParseFloat(string(n), 32)
		return isNumber && err == nil && float32(f) == w
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameJSONValue(w[i], g[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k := range w {
			if !sameJSONValue(w[k], g[k]) {
				return false
			}
		}
		return true
	}
	return false
}
