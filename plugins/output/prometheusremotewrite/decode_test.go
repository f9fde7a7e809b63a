package prometheusremotewrite

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/golang/snappy"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// The tests decode what the output sends with decoders that share nothing
// with its encoder: github.com/golang/snappy for the block format, and the
// protobuf runtime's dynamic messages, built from a descriptor of
// prometheus/prompb's remote.proto and types.proto written out below.

func field(name string, num int32, typ descriptorpb.FieldDescriptorProto_Type, repeated bool, msg string) *descriptorpb.FieldDescriptorProto {
	label := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
	if repeated {
		label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	}
	f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(num), Type: typ.Enum(), Label: label.Enum(), JsonName: proto.String(name)}
	if msg != "" {
		f.TypeName = proto.String(".prometheus." + msg)
	}
	return f
}

var writeRequestDesc = sync.OnceValue(func() protoreflect.MessageDescriptor {
	const (
		str    = descriptorpb.FieldDescriptorProto_TYPE_STRING
		double = descriptorpb.FieldDescriptorProto_TYPE_DOUBLE
		i64    = descriptorpb.FieldDescriptorProto_TYPE_INT64
		msg    = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE
	)
	fd := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("prometheus/remote.proto"),
		Package: proto.String("prometheus"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{
			{Name: proto.String("WriteRequest"), Field: []*descriptorpb.FieldDescriptorProto{field("timeseries", 1, msg, true, "TimeSeries")}},
			{Name: proto.String("TimeSeries"), Field: []*descriptorpb.FieldDescriptorProto{
				field("labels", 1, msg, true, "Label"), field("samples", 2, msg, true, "Sample")}},
			{Name: proto.String("Label"), Field: []*descriptorpb.FieldDescriptorProto{field("name", 1, str, false, ""), field("value", 2, str, false, "")}},
			{Name: proto.String("Sample"), Field: []*descriptorpb.FieldDescriptorProto{field("value", 1, double, false, ""), field("timestamp", 2, i64, false, "")}},
		},
	}
	f, err := protodesc.NewFile(fd, nil)
	if err != nil {
		panic(err)
	}
	return f.Messages().ByName("WriteRequest")
})

// decodedSeries is one TimeSeries: labels as name=value, in wire order,
// and samples as "ms:value".
type decodedSeries struct {
	labels  []string
	samples []string
}

func (s decodedSeries) String() string {
	return "{" + strings.Join(s.labels, ",") + "} " + strings.Join(s.samples, " ")
}

// decodeWriteRequest decodes a snappy-compressed WriteRequest.
func decodeWriteRequest(t testing.TB, compressed []byte) []decodedSeries {
	t.Helper()
	raw, err := snappy.Decode(nil, compressed)
	if err != nil {
		t.Fatalf("snappy: %v", err)
	}
	return decodeProto(t, raw)
}

func decodeProto(t testing.TB, raw []byte) []decodedSeries {
	t.Helper()
	m := dynamicpb.NewMessage(writeRequestDesc())
	if err := (proto.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(raw, m); err != nil {
		t.Fatalf("protobuf: %v", err)
	}
	if len(m.GetUnknown()) > 0 {
		t.Fatalf("unknown fields in WriteRequest: %x", m.GetUnknown())
	}
	var out []decodedSeries
	tsList := m.Get(m.Descriptor().Fields().ByName("timeseries")).List()
	for i := 0; i < tsList.Len(); i++ {
		ts := tsList.Get(i).Message()
		var s decodedSeries
		labels := ts.Get(ts.Descriptor().Fields().ByName("labels")).List()
		for j := 0; j < labels.Len(); j++ {
			l := labels.Get(j).Message()
			f := l.Descriptor().Fields()
			s.labels = append(s.labels, l.Get(f.ByName("name")).String()+"="+l.Get(f.ByName("value")).String())
		}
		samples := ts.Get(ts.Descriptor().Fields().ByName("samples")).List()
		for j := 0; j < samples.Len(); j++ {
			sm := samples.Get(j).Message()
			f := sm.Descriptor().Fields()
			s.samples = append(s.samples, fmt.Sprintf("%d:%v", sm.Get(f.ByName("timestamp")).Int(), sm.Get(f.ByName("value")).Float()))
		}
		out = append(out, s)
	}
	return out
}
