package kcl

import (
	"crypto/md5"
	"testing"
)

// aggregate builds an aggregated record by hand from raw protobuf bytes.
func aggregate(proto []byte) []byte {
	sum := md5.Sum(proto)
	return append(append(append([]byte{}, Magic...), proto...), sum[:]...)
}

func TestDeaggregate(t *testing.T) {
	// partition_key_table: "k"; records: {partition_key_index: 0, data: "hi"}.
	valid := []byte{0x0a, 0x01, 'k', 0x1a, 0x06, 0x08, 0x00, 0x1a, 0x02, 'h', 'i'}
	tests := []struct {
		name       string
		data       []byte
		aggregated bool
		records    int
		wantErr    bool
	}{
		{"plain record", []byte("plain"), false, 1, false},
		{"aggregate", aggregate(valid), true, 1, false},
		{"bad MD5", append(aggregate(valid)[:len(aggregate(valid))-1], 0), true, 0, true},
		{"missing required data", aggregate([]byte{0x0a, 0x01, 'k', 0x1a, 0x02, 0x08, 0x00}), true, 0, true},
		{"key index out of range", aggregate([]byte{0x1a, 0x04, 0x08, 0x05, 0x1a, 0x00}), true, 0, true},
	}
	for _, tt := range tests {
		recs, agg, err := Deaggregate("outer", tt.data)
		if agg != tt.aggregated || (err != nil) != tt.wantErr || (err == nil && len(recs) != tt.records) {
			t.Errorf("%s: %d records, aggregated %v, error %v", tt.name, len(recs), agg, err)
		}
	}
}

func FuzzDeaggregate(f *testing.F) {
	f.Add([]byte("plain"))
	f.Add(aggregate([]byte{0x0a, 0x01, 'k', 0x1a, 0x06, 0x08, 0x00, 0x1a, 0x02, 'h', 'i'}))
	f.Fuzz(func(t *testing.T, data []byte) {
		Deaggregate("k", data)
		Deaggregate("k", aggregate(data))
	})
}
