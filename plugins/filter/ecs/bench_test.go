package ecs

import (
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// BenchmarkFilter is the cost of adding four Add keys to a batch of 100
// records of a container whose task metadata is cached.
func BenchmarkFilter(b *testing.B) {
	a := newFakeAgent(b)
	host, port := a.hostPort()
	f := mustFilter(b, "ECS_Meta_Source", "agent", "ECS_Meta_Host", host, "ECS_Meta_Port", port, "ECS_Tag_Prefix", "ecs.",
		"Add", "ecs_cluster $ClusterName", "Add", "ecs_task_id $TaskID", "Add", "container $ECSContainerName",
		"Add", "resource $ClusterName.$TaskDefinitionFamily.$TaskID.$ECSContainerName")
	var in, out record.Builder
	for i := 0; i < 100; i++ {
		in.BeginEvent(record.Time(1700000000000000000), nil)
		if err := in.AppendJSONValue([]byte(`{"log":"10.0.3.1 - - [30/Nov/2026:08:12:44 +0000] \"GET /checkout HTTP/1.1\" 200 512","source":"stdout"}`)); err != nil {
			b.Fatal(err)
		}
	}
	if got := run(b, f, appTag, `{}`); got == `{}` {
		b.Fatal("no metadata after warm-up")
	}
	b.SetBytes(int64(in.Size()))
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if _, err := f.Filter(appTag, in.Bytes(), &out); err != nil {
			b.Fatal(err)
		}
	}
}
