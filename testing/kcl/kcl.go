// Package kcl deaggregates Kinesis records the way the Kinesis Client
// Library does, for tests of what Sluice's kinesis_streams output writes.
// It is independent of the output's hand-written encoder: it parses the
// published KPL schema (amazon-kinesis-producer's messages.proto, rebuilt
// here as a descriptor) with the official protobuf runtime, which also
// enforces proto2's required fields, and checks the MD5 trailer.
package kcl

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Magic starts every KPL aggregated record.
var Magic = []byte{0xF3, 0x89, 0x9A, 0xC2}

// UserRecord is one record out of an aggregate.
type UserRecord struct {
	PartitionKey string
	Data         []byte
}

var aggregatedRecord = buildSchema()

func field(name string, n int32, label descriptorpb.FieldDescriptorProto_Label, typ descriptorpb.FieldDescriptorProto_Type, msg string) *descriptorpb.FieldDescriptorProto {
	f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(n), Label: label.Enum(), Type: typ.Enum()}
	if msg != "" {
		f.TypeName = proto.String(msg)
	}
	return f
}

// buildSchema is messages.proto of the KPL:
//
//	message Tag { required string key = 1; optional string value = 2; }
//	message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
//	                 required bytes data = 3; repeated Tag tags = 4; }
//	message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
//	                           repeated Record records = 3; }
func buildSchema() protoreflect.MessageDescriptor {
	const (
		req = descriptorpb.FieldDescriptorProto_LABEL_REQUIRED
		opt = descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
		rep = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
		str = descriptorpb.FieldDescriptorProto_TYPE_STRING
		u64 = descriptorpb.FieldDescriptorProto_TYPE_UINT64
		byt = descriptorpb.FieldDescriptorProto_TYPE_BYTES
		msg = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE
	)
	fd := &descriptorpb.FileDescriptorProto{
		Name: proto.String("messages.proto"), Package: proto.String("aws.kinesis.protobuf"), Syntax: proto.String("proto2"),
		MessageType: []*descriptorpb.DescriptorProto{
			{Name: proto.String("Tag"), Field: []*descriptorpb.FieldDescriptorProto{
				field("key", 1, req, str, ""), field("value", 2, opt, str, "")}},
			{Name: proto.String("Record"), Field: []*descriptorpb.FieldDescriptorProto{
				field("partition_key_index", 1, req, u64, ""), field("explicit_hash_key_index", 2, opt, u64, ""),
				field("data", 3, req, byt, ""), field("tags", 4, rep, msg, ".aws.kinesis.protobuf.Tag")}},
			{Name: proto.String("AggregatedRecord"), Field: []*descriptorpb.FieldDescriptorProto{
				field("partition_key_table", 1, rep, str, ""), field("explicit_hash_key_table", 2, rep, str, ""),
				field("records", 3, rep, msg, ".aws.kinesis.protobuf.Record")}},
		},
	}
	file, err := protodesc.NewFile(fd, nil)
	if err != nil {
		panic(err)
	}
	return file.Messages().ByName("AggregatedRecord")
}

// Deaggregate returns the user records of a Kinesis record: the records of
// an aggregate, or the record itself (under partitionKey) when it is not
// one. A record that starts with the magic number but is not a valid
// aggregate is an error (KCL would hand it over as is; a test wants to
// know).
func Deaggregate(partitionKey string, data []byte) (records []UserRecord, aggregated bool, err error) {
	if !bytes.HasPrefix(data, Magic) || len(data) < len(Magic)+md5.Size {
		return []UserRecord{{PartitionKey: partitionKey, Data: data}}, false, nil
	}
	body := data[len(Magic) : len(data)-md5.Size]
	if sum := md5.Sum(body); !bytes.Equal(sum[:], data[len(data)-md5.Size:]) {
		return nil, true, errors.New("kcl: MD5 trailer does not match the protobuf")
	}
	m := dynamicpb.NewMessage(aggregatedRecord)
	if err := proto.Unmarshal(body, m); err != nil {
		return nil, true, fmt.Errorf("kcl: AggregatedRecord: %w", err)
	}
	fields := aggregatedRecord.Fields()
	keys := m.Get(fields.ByName("partition_key_table")).List()
	recs := m.Get(fields.ByName("records")).List()
	recFields := aggregatedRecord.Fields().ByName("records").Message().Fields()
	for i := 0; i < recs.Len(); i++ {
		r := recs.Get(i).Message()
		idx := r.Get(recFields.ByName("partition_key_index")).Uint()
		if idx >= uint64(keys.Len()) {
			return nil, true, fmt.Errorf("kcl: record %d: partition key index %d of %d keys", i, idx, keys.Len())
		}
		records = append(records, UserRecord{PartitionKey: keys.Get(int(idx)).String(), Data: r.Get(recFields.ByName("data")).Bytes()})
	}
	return records, true, nil
}
