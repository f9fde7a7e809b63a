package recordmodifier

import (
	"regexp"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

func newFilter(t *testing.T, kv ...string) (*Filter, error) {
	t.Helper()
	spec := Spec()
	sect := &config.Section{Kind: config.KindFilter}
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "record_modifier"}, config.Param{Key: "Match", Value: "*"})
	cfg, err := plugin.Decode(&spec, sect, "[FILTER] record_modifier")
	if err != nil {
		t.Fatal(err)
	}
	return New(plugin.Settings{ID: "record_modifier.0", Config: cfg})
}

func events(t *testing.T, bodies ...string) []byte {
	var b record.Builder
	for i, js := range bodies {
		b.BeginEvent(record.Time(i+1), []byte{0x81, 0xa1, 'm', 0x01})
		if err := b.AppendJSONValue([]byte(js)); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestRecordModifier(t *testing.T) {
	uuid := regexp.MustCompile(`"id":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"`)
	tests := []struct {
		name string
		kv   []string
		in   string
		want string
	}{
		{"firelens metadata", []string{"Record", "ecs_cluster my-cluster", "Record", "ecs_task_definition web app:3"},
			`{"log":"hello","source":"stdout"}`, `{"log":"hello","source":"stdout","ecs_cluster":"my-cluster","ecs_task_definition":"web app:3"}`},
		{"a record replaces an existing key", []string{"Record", "env prod"}, `{"env":"dev","log":"x"}`, `{"log":"x","env":"prod"}`},
		{"remove keys", []string{"Remove_key", "password", "Remove_key", "token"}, `{"user":"a","password":"p","token":"t","n":{"password":1}}`, `{"user":"a","n":{"password":1}}`},
		{"allowlist", []string{"Allowlist_key", "log", "Whitelist_key", "level", "Record", "added yes"}, `{"log":"x","level":"info","other":1}`, `{"log":"x","level":"info","added":"yes"}`},
		{"case-insensitive, prefix with *", []string{"Remove_key", "SWAP.*", "Remove_key", "Token"}, `{"Swap.total":1,"swap.free":2,"Swapx":3,"token":"t","Mem.used":4}`, `{"Swapx":3,"Mem.used":4}`},
		{"allowlist prefix", []string{"Allowlist_key", "ecs_*"}, `{"ecs_cluster":"c","ecs_task_arn":"a","log":"x"}`, `{"ecs_cluster":"c","ecs_task_arn":"a"}`},
		{"nothing kept", []string{"Allowlist_key", "absent"}, `{"a":1}`, `{}`},
		{"uuid", []string{"Uuid_key", "id"}, `{"a":1}`, `{"a":1,"id":"UUID"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := newFilter(t, tc.kv...)
			if err != nil {
				t.Fatal(err)
			}
			var out record.Builder
			res, err := f.Filter("app", events(t, tc.in, tc.in), &out)
			if err != nil || res != plugin.FilterModified || out.Records() != 2 {
				t.Fatalf("Filter = %v, %v, %d records", res, err, out.Records())
			}
			it := record.NewIterator(out.Bytes())
			for it.Next() {
				ev := it.Event()
				js, _, _ := record.AppendJSON(nil, ev.Body)
				got := uuid.ReplaceAllString(string(js), `"id":"UUID"`)
				if got != tc.want {
					t.Errorf("body = %s, want %s", js, tc.want)
				}
				if string(ev.Meta) != "\x81\xa1m\x01" || ev.Time != record.Time(it.Index()+1) {
					t.Errorf("metadata or time not kept: %q %d", ev.Meta, ev.Time)
				}
			}
			if it.Err() != nil {
				t.Fatal(it.Err())
			}
		})
	}
}

func TestRemoveAndAllowlistExcludeEachOther(t *testing.T) {
	if _, err := newFilter(t, "Remove_key", "a", "Allowlist_key", "b"); err == nil || !strings.Contains(err.Error(), "exclude each other") {
		t.Fatalf("err = %v", err)
	}
}

func TestNonStringKeyPassesUnchanged(t *testing.T) {
	f, _ := newFilter(t, "Record", "k v")
	var b record.Builder
	b.Append(1, nil, []byte{0x81, 0x01, 0x02}) // {1: 2}
	b.Append(2, nil, []byte{0x80})
	var out record.Builder
	if _, err := f.Filter("app", b.Bytes(), &out); err != nil || out.Records() != 2 {
		t.Fatalf("%v, %d records", err, out.Records())
	}
	it := record.NewIterator(out.Bytes())
	it.Next()
	if string(it.Event().Body) != "\x81\x01\x02" {
		t.Errorf("first record changed: %x", it.Event().Body)
	}
}

func BenchmarkRecordModifierFireLens(b *testing.B) {
	f, _ := newFilter(&testing.T{}, "Record", "ecs_cluster my-cluster", "Record", "ecs_task_arn arn:aws:ecs:us-east-1:123456789012:task/my-cluster/0123456789abcdef",
		"Record", "ecs_task_definition webapp:3", "Record", "ec2_instance_id i-0123456789abcdef0")
	var in record.Builder
	for i := 0; i < 256; i++ {
		in.BeginEvent(record.Time(i), nil)
		in.AppendJSONValue([]byte(`{"container_id":"0123456789abcdef","container_name":"/ecs-webapp-1","source":"stdout","log":"10.0.0.1 - - [01/Dec/2026:05:00:00 +0000] \"GET / HTTP/1.1\" 200 615"}`))
	}
	var out record.Builder
	b.SetBytes(int64(in.Size()))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		out.Reset()
		f.Filter("app", in.Bytes(), &out)
	}
	b.ReportMetric(float64(b.N*256)/b.Elapsed().Seconds(), "records/s")
}
