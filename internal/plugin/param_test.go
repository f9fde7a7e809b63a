package plugin

import (
	"reflect"
	"testing"
	"time"
)

func TestParamParse(t *testing.T) {
	tests := []struct {
		param   Param
		raw     string
		want    any
		wantErr bool
	}{
		{Param{Type: TypeString}, "  text  ", "text", false},
		{Param{Type: TypeString, Options: []string{"json", "msgpack"}}, "JSON", "json", false},
		{Param{Type: TypeString, Options: []string{"json", "msgpack"}}, "xml", nil, true},
		{Param{Type: TypeInt}, "42", int64(42), false},
		{Param{Type: TypeInt}, "4x", nil, true},
		{Param{Type: TypeInt, Min: 1, Max: 10}, "11", nil, true},
		{Param{Type: TypeBool}, "On", true, false},
		{Param{Type: TypeBool}, "false", false, false},
		{Param{Type: TypeBool}, "maybe", nil, true},
		{Param{Type: TypeFloat}, "0.5", 0.5, false},
		{Param{Type: TypeSize}, "5M", int64(5 << 20), false},
		{Param{Type: TypeSize}, "25MB", int64(25 << 20), false},
		{Param{Type: TypeSize}, "512k", int64(512 << 10), false},
		{Param{Type: TypeSize}, "1.5G", int64(3 << 29), false},
		{Param{Type: TypeSize}, "1048576", int64(1 << 20), false},
		{Param{Type: TypeSize}, "lots", nil, true},
		{Param{Type: TypeDuration}, "5", 5 * time.Second, false},
		{Param{Type: TypeDuration}, "0.25", 250 * time.Millisecond, false},
		{Param{Type: TypeDuration}, "500ms", 500 * time.Millisecond, false},
		{Param{Type: TypeDuration}, "2m", 2 * time.Minute, false},
		{Param{Type: TypeDuration}, "1h", time.Hour, false},
		{Param{Type: TypeDuration}, "-1", nil, true},
		{Param{Type: TypeCommaList}, "a, b,,c ", []string{"a", "b", "c"}, false},
		{Param{Type: TypeWords, Words: 2}, "key  some value", []string{"key", "some value"}, false},
		{Param{Type: TypeWords, Words: 4}, `$log ^(x)$ new.tag false`, []string{"$log", "^(x)$", "new.tag", "false"}, false},
		{Param{Type: TypeWords, Words: 2}, "lonely", nil, true},
		{Param{Type: TypeWords, Words: 2}, `"a key" value`, []string{"a key", "value"}, false},
	}
	for _, tt := range tests {
		got, err := tt.param.parse(tt.raw)
		if (err != nil) != tt.wantErr {
			t.Errorf("%v %q: error %v, wantErr %v", tt.param.Type, tt.raw, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v %q = %#v, want %#v", tt.param.Type, tt.raw, got, tt.want)
		}
	}
}

func TestParseRetryLimit(t *testing.T) {
	tests := map[string]int{"no_limits": -1, "False": -1, "off": -1, "no_retries": 0, "1": 1, "15": 15}
	for raw, want := range tests {
		got, err := ParseRetryLimit(raw)
		if err != nil || got != want {
			t.Errorf("ParseRetryLimit(%q) = %d, %v; want %d", raw, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-2", "sometimes", ""} {
		if _, err := ParseRetryLimit(bad); err == nil {
			t.Errorf("ParseRetryLimit(%q): want an error", bad)
		}
	}
}
