package aws

import (
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// BenchmarkFilter is the cost of adding every EC2 field to a batch of 100
// records once the metadata is known.
func BenchmarkFilter(b *testing.B) {
	m := newFakeIMDS(b)
	f, err := newFilter(b, m, "ec2_instance_type", "true", "private_ip", "true", "vpc_id", "true", "ami_id", "true", "account_id", "true", "hostname", "true")
	if err != nil {
		b.Fatal(err)
	}
	var in, out record.Builder
	for i := 0; i < 100; i++ {
		in.BeginEvent(record.Time(1700000000000000000), nil)
		if err := in.AppendJSONValue([]byte(`{"log":"10.0.3.1 - - [30/Nov/2026:08:12:44 +0000] \"GET /checkout HTTP/1.1\" 200 512","stream":"stdout"}`)); err != nil {
			b.Fatal(err)
		}
	}
	if got := run(b, f, `{}`); got == `{}` {
		b.Fatal("no metadata after warm-up")
	}
	b.SetBytes(int64(in.Size()))
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if _, err := f.Filter("app", in.Bytes(), &out); err != nil {
			b.Fatal(err)
		}
	}
}
