package record

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/tinylib/msgp/msgp"
)

func TestLookup(t *testing.T) {
	k8s := kv(t, "pod_name", "web-1", "namespace_name", "prod")
	body := kv(t,
		"log", "GET /healthz 200",
		"stream", "stdout",
		"kubernetes", msgp.Raw(k8s),
		"n", 42,
		"", "empty key",
		"log_prefix", "not log",
	)
	mixedKeys := cat([]byte{0x85},
		mp(t, 1), mp(t, "int key"),
		kv(t, "nested", "key"), mp(t, "map key"),
		[]byte{0xc0}, mp(t, "nil key"),
		msgp.AppendBytes(nil, []byte("bin")), mp(t, "binary key"),
		mp(t, "target"), mp(t, "found"),
	)
	dup := kv(t, "a", 1, "a", 2)
	tests := []struct {
		name string
		m    []byte
		key  string
		want []byte // nil: absent
	}{
		{"first key", body, "log", mp(t, "GET /healthz 200")},
		{"middle key", body, "kubernetes", k8s},
		{"integer value", body, "n", mp(t, 42)},
		{"last key", body, "log_prefix", mp(t, "not log")},
		{"empty key", body, "", mp(t, "empty key")},
		{"absent", body, "level", nil},
		{"prefix of a key", body, "lo", nil},
		{"nested key is not top level", body, "pod_name", nil},
		{"case matters", body, "LOG", nil},
		{"in a nested map", k8s, "namespace_name", mp(t, "prod")},
		{"after non-string keys", mixedKeys, "target", mp(t, "found")},
		{"binary key", mixedKeys, "bin", mp(t, "binary key")},
		{"non-string key text does not match", mixedKeys, "1", nil},
		{"duplicate keys: first wins", dup, "a", mp(t, 1)},
		{"empty map", []byte{0x80}, "a", nil},
		{"not a map", arr(t, "a", 1), "a", nil},
		{"empty input", nil, "a", nil},
		{"truncated before the key", body[:10], "kubernetes", nil},
		{"truncated value", cat([]byte{0x81}, mp(t, "a"), []byte{0xd9, 5, 'x'}), "a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Lookup(tt.m, tt.key)
			if ok != (tt.want != nil) || !bytes.Equal(got, tt.want) {
				t.Errorf("Lookup(%q) = % x, %v; want % x, %v", tt.key, got, ok, tt.want, tt.want != nil)
			}
		})
	}
}

func TestStringValue(t *testing.T) {
	tests := []struct {
		name string
		v    []byte
		want string
		ok   bool
	}{
		{"fixstr", mp(t, "hello"), "hello", true},
		{"empty str", mp(t, ""), "", true},
		{"str16", mp(t, strings.Repeat("x", 300)), strings.Repeat("x", 300), true},
		{"bin", msgp.AppendBytes(nil, []byte{0, 1}), "\x00\x01", true},
		{"int", mp(t, 1), "", false},
		{"nil", []byte{0xc0}, "", false},
		{"map", []byte{0x80}, "", false},
		{"empty", nil, "", false},
		{"truncated str", []byte{0xa5, 'a'}, "", false},
		{"truncated bin", []byte{0xc4, 3, 1}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := StringValue(tt.v)
			if ok != tt.ok || string(got) != tt.want {
				t.Errorf("StringValue(% x) = %q, %v; want %q, %v", tt.v, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestMapEntries(t *testing.T) {
	m := kv(t, "a", 1, "b", msgp.Raw(kv(t, "c", "d")), "e", []any{1, "x"})
	var keys []string
	var values [][]byte
	err := MapEntries(m, func(k, v []byte) bool {
		keys = append(keys, string(k))
		values = append(values, v)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys, ","); got != "a,b,e" {
		t.Errorf("keys = %s, want a,b,e (encoded order)", got)
	}
	wantValues := [][]byte{mp(t, 1), kv(t, "c", "d"), mp(t, []any{1, "x"})}
	for i, v := range values {
		if !bytes.Equal(v, wantValues[i]) {
			t.Errorf("value %d = % x, want % x", i, v, wantValues[i])
		}
	}

	calls := 0
	if err := MapEntries(m, func(_, _ []byte) bool { calls++; return false }); err != nil || calls != 1 {
		t.Errorf("stopping early: %d calls, err %v; want 1 call, no error", calls, err)
	}
	if err := MapEntries([]byte{0x80}, func(_, _ []byte) bool { t.Error("called for an empty map"); return true }); err != nil {
		t.Errorf("empty map: %v", err)
	}
}

func TestMapEntriesErrors(t *testing.T) {
	tests := []struct {
		name string
		m    []byte
		msg  string
	}{
		{"not a map", arr(t, 1), "map"},
		{"empty", nil, "map"},
		{"integer key", cat([]byte{0x81}, mp(t, 1), mp(t, "v")), "map key 0"},
		{"truncated value", cat([]byte{0x82}, mp(t, "a"), mp(t, 1), mp(t, "b"), []byte{0xcd, 0}), "map value 1"},
		{"missing entry", cat([]byte{0x82}, mp(t, "a"), mp(t, 1)), "map key 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := MapEntries(tt.m, func(_, _ []byte) bool { return true })
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("MapEntries(% x) = %v; want ErrMalformed mentioning %q", tt.m, err, tt.msg)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	a := arr(t, "zero", msgp.Raw(kv(t, "k", "v")), int64(2))
	tests := []struct {
		i    int
		want []byte
		ok   bool
	}{
		{0, mp(t, "zero"), true},
		{1, kv(t, "k", "v"), true},
		{2, mp(t, int64(2)), true},
		{3, nil, false},
		{-1, nil, false},
	}
	for _, tt := range tests {
		got, ok := Index(a, tt.i)
		if ok != tt.ok || !bytes.Equal(got, tt.want) {
			t.Errorf("Index(%d) = %x, %v; want %x, %v", tt.i, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := Index(kv(t, "a", 1), 0); ok {
		t.Error("Index of a map succeeded")
	}
	if _, ok := Index(a[:len(a)-1], 2); ok {
		t.Error("Index of a truncated array succeeded")
	}
}
