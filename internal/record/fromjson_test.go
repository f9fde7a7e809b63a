package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/tinylib/msgp/msgp"
)

func TestAppendJSONAsMsgpack(t *testing.T) {
	f64 := func(f float64) []byte { return msgp.AppendFloat64(nil, f) }
	i64 := func(i int64) []byte { return msgp.AppendInt64(nil, i) }
	tests := []struct {
		name string
		in   string
		want []byte
	}{
		{"true", `true`, []byte{0xc3}},
		{"false", `false`, []byte{0xc2}},
		{"null", `null`, []byte{0xc0}},

		{"zero", `0`, i64(0)},
		{"minus zero integer", `-0`, i64(0)},
		{"small", `42`, i64(42)},
		{"negative", `-42`, i64(-42)},
		{"max int64", `9223372036854775807`, i64(math.MaxInt64)},
		{"min int64", `-9223372036854775808`, i64(math.MinInt64)},
		{"max int64 + 1 becomes uint64", `9223372036854775808`, msgp.AppendUint64(nil, 1<<63)},
		{"max uint64", `18446744073709551615`, msgp.AppendUint64(nil, math.MaxUint64)},
		{"beyond uint64 becomes float", `18446744073709551616`, f64(18446744073709551616)},
		{"below int64 becomes float", `-9223372036854775809`, f64(-9223372036854775809)},
		{"huge integer", `123456789012345678901234567890`, f64(123456789012345678901234567890)},
		{"fraction", `1.5`, f64(1.5)},
		{"integral float stays float", `1.0`, f64(1)},
		{"minus zero float", `-0.0`, f64(math.Copysign(0, -1))},
		{"exponent", `1e3`, f64(1000)},
		{"capital exponent with sign", `1E+3`, f64(1000)},
		{"negative exponent", `25e-1`, f64(2.5)},
		{"fraction and exponent", `-2.5E-3`, f64(-0.0025)},
		{"overflow is +Inf", `1e400`, f64(math.Inf(1))},
		{"negative overflow is -Inf", `-1e400`, f64(math.Inf(-1))},
		{"underflow is zero", `1e-400`, f64(0)},
		{"exponent with leading zeros", `1e007`, f64(1e7)},

		{"empty string", `""`, mp(t, "")},
		{"string", `"hello"`, mp(t, "hello")},
		{"simple escapes", `"\"\\\/\b\f\n\r\t"`, mp(t, "\"\\/\b\f\n\r\t")},
		{"escape among text", `"a\nb"`, mp(t, "a\nb")},
		{"unicode escape", `"\u00e9\u4E16"`, mp(t, "é世")},
		{"NUL escape", `"\u0000"`, mp(t, "\x00")},
		{"surrogate pair", `"\ud83d\ude00"`, mp(t, "😀")},
		{"surrogate pair, capitals", `"\uD83D\uDE00"`, mp(t, "😀")},
		{"lone high surrogate", `"\ud83d"`, mp(t, "\ufffd")},
		{"lone high surrogate then text", `"\ud83dx"`, mp(t, "\ufffdx")},
		{"lone low surrogate", `"\ude00"`, mp(t, "\ufffd")},
		{"high surrogate then a plain escape", `"\ud83d\u0041"`, mp(t, "\ufffdA")},
		{"two high surrogates then a low", `"\ud83d\ud83d\ude00"`, mp(t, "\ufffd😀")},
		{"low then a pair", `"\ude00\ud83d\ude00"`, mp(t, "\ufffd😀")},
		{"high surrogate then a newline escape", `"\ud83d\n"`, mp(t, "\ufffd\n")},
		{"raw UTF-8", `"héllo 世界 😀"`, mp(t, "héllo 世界 😀")},
		{"raw invalid UTF-8 is kept", "\"a\xffb\"", mp(t, "a\xffb")},
		{"DEL is allowed raw", "\"\x7f\"", mp(t, "\x7f")},

		{"empty object", `{}`, []byte{0x80}},
		{"empty array", `[]`, []byte{0x90}},
		{"object", `{"a":1,"b":"x"}`, kv(t, "a", 1, "b", "x")},
		{"duplicate keys are kept in order", `{"a":1,"a":2}`, kv(t, "a", 1, "a", 2)},
		{"escaped key", `{"a\nb":true}`, kv(t, "a\nb", true)},
		{"array", `[1,"a",null,false,1.5]`, arr(t, 1, "a", nil, false, 1.5)},
		{"nested", `{"a":[1,{"b":null}],"c":{}}`,
			kv(t, "a", msgp.Raw(arr(t, 1, msgp.Raw(kv(t, "b", nil)))), "c", msgp.Raw([]byte{0x80}))},
		{"whitespace everywhere", " \t\n\r{ \"a\" :\n[ 1 , 2 ] ,\"b\" : { } } \r\n ", kv(t, "a", []any{1, 2}, "b", msgp.Raw([]byte{0x80}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid([]byte(tt.in)) {
				t.Fatalf("test input %q is not valid JSON", tt.in)
			}
			prefix := []byte{0xde, 0xad}
			got, err := AppendJSONAsMsgpack(append([]byte(nil), prefix...), []byte(tt.in))
			if err != nil {
				t.Fatalf("AppendJSONAsMsgpack(%q): %v", tt.in, err)
			}
			if !bytes.HasPrefix(got, prefix) {
				t.Fatalf("dst prefix overwritten: % x", got)
			}
			if got := got[len(prefix):]; !bytes.Equal(got, tt.want) {
				t.Errorf("AppendJSONAsMsgpack(%q)\n= % x\nwant % x", tt.in, got, tt.want)
			}
		})
	}
}

func TestAppendJSONAsMsgpackErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ``},
		{"only whitespace", " \n\t"},
		{"leading zero", `01`},
		{"negative leading zero", `-01`},
		{"double zero", `00`},
		{"dot without fraction", `1.`},
		{"dot without integer", `.5`},
		{"dot before exponent", `1.e5`},
		{"lone minus", `-`},
		{"minus then space", `- 1`},
		{"plus sign", `+1`},
		{"double minus", `--1`},
		{"exponent without digits", `1e`},
		{"exponent sign without digits", `1e+`},
		{"two dots", `1.5.5`},
		{"two exponents", `1e5e5`},
		{"hex", `0x10`},
		{"underscore", `1_000`},
		{"NaN", `NaN`},
		{"Infinity", `Infinity`},
		{"minus Infinity", `-Infinity`},
		{"unterminated string", `"abc`},
		{"unterminated escape", `"abc\`},
		{"invalid escape", `"\x41"`},
		{"short unicode escape", `"\u12"`},
		{"bad hex digit", `"\u12g4"`},
		{"bad escape after a lone surrogate", `"\ud83d\uZZZZ"`},
		{"raw control character", "\"a\x01b\""},
		{"raw newline", "\"a\nb\""},
		{"raw tab", "\"a\tb\""},
		{"raw control after an escape", "\"\\n\x1f\""},
		{"single quotes", `'a'`},
		{"truncated true", `tru`},
		{"truncated null", `nul`},
		{"longer literal", `falsey`},
		{"capital literal", `True`},
		{"open object", `{`},
		{"open array", `[`},
		{"open array after value", `[1`},
		{"trailing comma in array", `[1,]`},
		{"leading comma", `[,1]`},
		{"missing comma", `[1 2]`},
		{"key without value", `{"a"}`},
		{"key with colon and no value", `{"a":}`},
		{"unquoted key", `{a:1}`},
		{"number key", `{1:2}`},
		{"trailing comma in object", `{"a":1,}`},
		{"missing comma in object", `{"a":1"b":2}`},
		{"unbalanced close", `[1]]`},
		{"mismatched close", `[1}`},
		{"two values", `1 2`},
		{"trailing garbage", `{} x`},
		{"byte order mark", "\xef\xbb\xbf{}"},
		{"comment", `/* c */ 1`},
		{"vertical tab is not whitespace", "\v1"},
		{"no-break space is not whitespace", "\u00a01"},
		{"NUL after value", "1\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if json.Valid([]byte(tt.in)) {
				t.Fatalf("test input %q is valid JSON", tt.in)
			}
			dst := make([]byte, 3, 64)
			got, err := AppendJSONAsMsgpack(dst, []byte(tt.in))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("AppendJSONAsMsgpack(%q) = % x, %v; want ErrMalformed", tt.in, got, err)
			}
			if !strings.Contains(err.Error(), "offset") {
				t.Errorf("error %q does not name the offset", err)
			}
			if len(got) != len(dst) {
				t.Errorf("on error got %d bytes, want dst's %d", len(got), len(dst))
			}
		})
	}
}

// TestAppendJSONAsMsgpackStringHeaders checks every msgpack string header
// size at its limits, for the copy path (no escapes) and the unescaping
// path whose placeholder header is shortened afterwards.
func TestAppendJSONAsMsgpackStringHeaders(t *testing.T) {
	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536, 70000} {
		plain := strings.Repeat("x", n)
		want := msgp.AppendString(nil, plain)
		got, err := AppendJSONAsMsgpack(nil, []byte(`"`+plain+`"`))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("plain string of %d bytes: header % x, err %v; want header % x", n, head(got), err, head(want))
		}
		if n == 0 {
			continue
		}
		// The same decoded string written with escapes: "\n" plus n-1 bytes.
		unescaped := "\n" + strings.Repeat("x", n-1)
		want = msgp.AppendString(nil, unescaped)
		got, err = AppendJSONAsMsgpack([]byte{0xaa}, []byte(`"\n`+strings.Repeat("x", n-1)+`"`))
		if err != nil || !bytes.Equal(got[1:], want) || got[0] != 0xaa {
			t.Errorf("escaped string of %d bytes: header % x, err %v; want header % x", n, head(got[1:]), err, head(want))
		}
	}
	// Escapes can shrink a string across a header boundary: 40 \u0041 escapes are
	// 240 bytes of JSON but a 40-byte string.
	got, err := AppendJSONAsMsgpack(nil, []byte(`"`+strings.Repeat(`\u0041`, 40)+`"`))
	if want := msgp.AppendString(nil, strings.Repeat("A", 40)); err != nil || !bytes.Equal(got, want) {
		t.Errorf("shrinking escapes: % x, %v", head(got), err)
	}
}

// TestAppendJSONAsMsgpackContainerHeaders checks array and map headers at
// the fixarray/fixmap, 16-bit and 32-bit limits.
func TestAppendJSONAsMsgpackContainerHeaders(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 65535, 65536} {
		var js strings.Builder
		js.WriteByte('[')
		want := msgp.AppendArrayHeader(nil, uint32(n))
		for i := 0; i < n; i++ {
			if i > 0 {
				js.WriteByte(',')
			}
			js.WriteString("7")
			want = append(want, 0x07)
		}
		js.WriteByte(']')
		got, err := AppendJSONAsMsgpack(nil, []byte(js.String()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("array of %d: header % x, err %v; want % x", n, head(got), err, head(want))
		}

		js.Reset()
		js.WriteByte('{')
		want = msgp.AppendMapHeader(nil, uint32(n))
		for i := 0; i < n; i++ {
			if i > 0 {
				js.WriteByte(',')
			}
			fmt.Fprintf(&js, `"k%d":%d`, i, i%100)
			want = msgp.AppendString(want, fmt.Sprintf("k%d", i))
			want = msgp.AppendInt64(want, int64(i%100))
		}
		js.WriteByte('}')
		got, err = AppendJSONAsMsgpack(nil, []byte(js.String()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("map of %d: header % x, err %v; want % x", n, head(got), err, head(want))
		}
	}
	// Nested containers each shorten their own header.
	inner := "[" + strings.Repeat("1,", 15) + "1]"
	outer := "{\"a\":" + inner + ",\"b\":[" + strings.Repeat(inner+",", 16) + inner + "]}"
	got, err := AppendJSONAsMsgpack(nil, []byte(outer))
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := AppendJSON(nil, got)
	if err != nil || string(back) != strings.ReplaceAll(outer, " ", "") {
		t.Errorf("nested containers round trip to %s, %v", back, err)
	}
}

func head(b []byte) []byte { return b[:min(len(b), 6)] }

func TestAppendJSONAsMsgpackDepthLimit(t *testing.T) {
	tests := []struct {
		name string
		js   string
		ok   bool
	}{
		{"empty arrays, innermost at the limit", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), true},
		{"empty arrays, one deeper", strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2), false},
		{"scalar at the limit", strings.Repeat("[", maxDepth) + "1" + strings.Repeat("]", maxDepth), true},
		{"scalar one deeper", strings.Repeat("[", maxDepth+1) + "1" + strings.Repeat("]", maxDepth+1), false},
		{"objects at the limit", strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth), true},
		{"objects one deeper", strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1), false},
		{"a million open brackets", strings.Repeat("[", 1<<20), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp, err := AppendJSONAsMsgpack(nil, []byte(tt.js))
			if !tt.ok {
				if !errors.Is(err, errTooDeep) {
					t.Errorf("err = %v, want errTooDeep", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// What the parser accepts, AppendJSON must convert back.
			back, _, err := AppendJSON(nil, mp)
			if err != nil || string(back) != tt.js {
				t.Errorf("round trip: %.40s..., %v", back, err)
			}
		})
	}
}

// TestJSONRoundTrip converts real-shaped JSON documents to msgpack and back
// and compares the result with encoding/json's reading of the input.
func TestJSONRoundTrip(t *testing.T) {
	f, err := os.Open("testdata/roundtrip.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		in := sc.Bytes()
		if len(bytes.TrimSpace(in)) == 0 {
			continue
		}
		t.Run(fmt.Sprint("line", line), func(t *testing.T) {
			checkJSONRoundTrip(t, in)
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// checkJSONRoundTrip converts valid JSON to msgpack and back and checks the
// msgpack is one complete value and the JSON means what the input means.
func checkJSONRoundTrip(t testing.TB, in []byte) {
	t.Helper()
	packed, err := AppendJSONAsMsgpack(nil, in)
	if err != nil {
		t.Fatalf("AppendJSONAsMsgpack(%q): %v", in, err)
	}
	if rest, err := msgp.Skip(packed); err != nil || len(rest) != 0 {
		t.Fatalf("msgpack of %q is not one value: %v, %d bytes left", in, err, len(rest))
	}
	out, rest, err := AppendJSON(nil, packed)
	if err != nil || len(rest) != 0 {
		t.Fatalf("AppendJSON(AppendJSONAsMsgpack(%q)): %v, %d bytes left", in, err, len(rest))
	}
	if !json.Valid(out) {
		t.Fatalf("round trip of %q produced invalid JSON %q", in, out)
	}
	want, ok := canonicalJSON(t, in)
	if !ok {
		return // a number overflows float64: only validity can be checked
	}
	got, _ := canonicalJSON(t, out)
	if got != want {
		t.Errorf("round trip changed the value\n in: %s\nout: %s\ncanonical in:  %s\ncanonical out: %s", in, out, want, got)
	}
}
