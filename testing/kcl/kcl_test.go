package kcl

import (
	"bytes"
	"crypto/md5"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
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

// FuzzDeaggregate checks the deaggregator on any bytes, as a plain record
// and wrapped as an aggregate: a record that is not an aggregate comes
// back as itself; an aggregate's records and keys are bytes of its
// protobuf (nothing invented), and written again with protowire they read
// back the same; a wrong MD5 trailer is an error.
func FuzzDeaggregate(f *testing.F) {
	f.Add([]byte("plain"))
	f.Add(aggregate([]byte{0x0a, 0x01, 'k', 0x1a, 0x06, 0x08, 0x00, 0x1a, 0x02, 'h', 'i'}))
	f.Add([]byte{0x0a, 0x01, 'k', 0x0a, 0x00, 0x1a, 0x06, 0x08, 0x01, 0x1a, 0x02, 'h', 'i', 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, Magic) {
			recs, agg, err := Deaggregate("k", data)
			if err != nil || agg || len(recs) != 1 || recs[0].PartitionKey != "k" || !bytes.Equal(recs[0].Data, data) {
				t.Fatalf("plain record: %v, aggregated %v, %v", recs, agg, err)
			}
		}
		whole := aggregate(data)
		recs, agg, err := Deaggregate("k", whole)
		if !agg {
			t.Fatal("an aggregate not recognised")
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		var keys []string
		for i, r := range recs {
			if !bytes.Contains(data, r.Data) || !bytes.Contains(data, []byte(r.PartitionKey)) {
				t.Fatalf("record %d (%q, key %q) is not bytes of the input", i, r.Data, r.PartitionKey)
			}
			if !slices.Contains(keys, r.PartitionKey) {
				keys = append(keys, r.PartitionKey)
			}
		}
		// Write the records again: partition_key_table (1), records (3) of
		// partition_key_index (1) and data (3).
		var pb []byte
		for _, k := range keys {
			pb = protowire.AppendTag(pb, 1, protowire.BytesType)
			pb = protowire.AppendString(pb, k)
		}
		for _, r := range recs {
			var rec []byte
			rec = protowire.AppendTag(rec, 1, protowire.VarintType)
			rec = protowire.AppendVarint(rec, uint64(slices.Index(keys, r.PartitionKey)))
			rec = protowire.AppendTag(rec, 3, protowire.BytesType)
			rec = protowire.AppendBytes(rec, r.Data)
			pb = protowire.AppendTag(pb, 3, protowire.BytesType)
			pb = protowire.AppendBytes(pb, rec)
		}
		again, _, err := Deaggregate("k", aggregate(pb))
		if err != nil || len(again) != len(recs) {
			t.Fatalf("records written again: %d back, %v", len(again), err)
		}
		for i := range recs {
			if again[i].PartitionKey != recs[i].PartitionKey || !bytes.Equal(again[i].Data, recs[i].Data) {
				t.Fatalf("record %d written again reads %q/%q, was %q/%q", i, again[i].PartitionKey, again[i].Data, recs[i].PartitionKey, recs[i].Data)
			}
		}
		whole[len(whole)-1] ^= 1
		if _, _, err := Deaggregate("k", whole); err == nil {
			t.Fatal("a wrong MD5 trailer is accepted")
		}
	})
}
