package kinesisstreams

import (
	"crypto/md5"
	"encoding/binary"
)

// kplMagic starts every aggregated record (the KPL's "magic number"); a
// consumer that does not see it treats the record as a plain one.
var kplMagic = [4]byte{0xF3, 0x89, 0x9A, 0xC2}

// kplOverhead is what an aggregated record adds around its protobuf: the
// magic number and the MD5 digest of the protobuf.
const kplOverhead = len(kplMagic) + md5.Size

// kplAggregator builds one aggregated record in the Kinesis Producer
// Library's format, which KCL consumers (and the Lambda and Firehose KPL
// deaggregators) split back into the user records:
//
//	magic (4 bytes) | AggregatedRecord protobuf | MD5 of the protobuf (16 bytes)
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;  // not used by Sluice
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;  // not used by Sluice
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;  // not used by Sluice
//	}
//
// (amazon-kinesis-producer, aws/kinesis/protobuf/messages.proto.) The
// protobuf is written by hand: two messages of three scalar fields do not
// justify generated code on the per-record path. The aggregated record is
// put with the first user record's partition key, as the KPL does.
type kplAggregator struct {
	keys   []string
	keyIdx map[string]int
	recs   []kplRecord
	data   []byte // the user records' data, concatenated
	size   int    // protobuf bytes so far
}

type kplRecord struct {
	key        int
	start, end int
}

func (a *kplAggregator) reset() {
	a.keys, a.recs, a.data, a.size = a.keys[:0], a.recs[:0], a.data[:0], 0
	clear(a.keyIdx)
}

// count is the number of user records in the aggregate.
func (a *kplAggregator) count() int { return len(a.recs) }

// firstKey is the partition key the aggregated record is put with.
func (a *kplAggregator) firstKey() string { return a.keys[0] }

// growth is how many protobuf bytes adding a record of n data bytes under
// key would add.
func (a *kplAggregator) growth(key string, n int) int {
	idx, known := a.keyIdx[key]
	if !known {
		idx = len(a.keys)
	}
	g := recordFieldSize(idx, n)
	if !known {
		g += 1 + varintSize(uint64(len(key))) + len(key)
	}
	return g
}

// recordFieldSize is the size of a records field holding a Record with key
// index idx and n data bytes.
func recordFieldSize(idx, n int) int {
	inner := 1 + varintSize(uint64(idx)) + 1 + varintSize(uint64(n)) + n
	return 1 + varintSize(uint64(inner)) + inner
}

// recordSize is the size of the aggregated record, with its partition
// key, if a record of n bytes under key were added.
func (a *kplAggregator) recordSizeWith(key string, n int) int {
	first := key
	if len(a.keys) > 0 {
		first = a.keys[0]
	}
	return kplOverhead + a.size + a.growth(key, n) + len(first)
}

// add appends a user record.
func (a *kplAggregator) add(key string, data []byte) {
	a.size += a.growth(key, len(data))
	idx, known := a.keyIdx[key]
	if !known {
		if a.keyIdx == nil {
			a.keyIdx = make(map[string]int)
		}
		idx = len(a.keys)
		a.keys = append(a.keys, key)
		a.keyIdx[key] = idx
	}
	start := len(a.data)
	a.data = append(a.data, data...)
	a.recs = append(a.recs, kplRecord{key: idx, start: start, end: len(a.data)})
}

// appendTo appends the aggregated record to dst.
func (a *kplAggregator) appendTo(dst []byte) []byte {
	dst = append(dst, kplMagic[:]...)
	start := len(dst)
	for _, k := range a.keys {
		dst = append(dst, 1<<3|2) // field 1, length-delimited
		dst = binary.AppendUvarint(dst, uint64(len(k)))
		dst = append(dst, k...)
	}
	for _, r := range a.recs {
		n := r.end - r.start
		inner := 1 + varintSize(uint64(r.key)) + 1 + varintSize(uint64(n)) + n
		dst = append(dst, 3<<3|2) // field 3, length-delimited
		dst = binary.AppendUvarint(dst, uint64(inner))
		dst = append(dst, 1<<3|0) // partition_key_index, varint
		dst = binary.AppendUvarint(dst, uint64(r.key))
		dst = append(dst, 3<<3|2) // data, length-delimited
		dst = binary.AppendUvarint(dst, uint64(n))
		dst = append(dst, a.data[r.start:r.end]...)
	}
	sum := md5.Sum(dst[start:])
	return append(dst, sum[:]...)
}

// userRecord returns the data of user record i.
func (a *kplAggregator) userRecord(i int) []byte { return a.data[a.recs[i].start:a.recs[i].end] }

func varintSize(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
