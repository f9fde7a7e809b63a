package cloudwatchlogs

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzPrepare feeds arbitrary chunk bytes to the record-to-event step (the
// part of the output that reads msgpack): it must not panic, every event it
// makes must be a valid CloudWatch Logs message, and every record must be
// accounted for (an event, a counted skip, or reported unreadable).
func FuzzPrepare(f *testing.F) {
	var b record.Builder
	body, _ := record.AppendJSONAsMsgpack(nil, []byte(`{"log":"hello","kubernetes":{"namespace_name":"ns"},"n":1.5}`))
	b.Append(record.FromTime(time.Unix(1700000000, 0)), nil, body)
	f.Add(b.Bytes(), 1)
	f.Add([]byte{0x92, 0x92, 0xd7, 0x00}, 1)
	f.Fuzz(func(t *testing.T, data []byte, records int) {
		if records < 0 || records > 1<<16 {
			return
		}
		for _, kv := range [][]string{
			{"log_group_name", "g", "log_stream_name", "s"},
			{"log_group_name", "g", "log_stream_prefix", "p-", "log_key", "log", "log_group_template", "$kubernetes['namespace_name']"},
			{"log_group_name", "g", "log_stream_name", "s", "log_format", "json/emf", "metric_namespace", "N", "metric_dimensions", "a;b,c"},
		} {
			o := newOutput(t, nil, kv...)
			var p preparedChunk
			err := o.prepare(&record.Chunk{Tag: "t.a", Data: data, Records: records}, &p)
			events := 0
			for i, evs := range p.events {
				if p.dests[i].group == "" || p.dests[i].stream == "" {
					t.Fatalf("empty destination %+v", p.dests[i])
				}
				for _, ev := range evs {
					msg := p.msgs[ev.off : ev.off+ev.size]
					if len(msg) == 0 || len(msg) > maxMessageBytes || !utf8.Valid(msg) {
						t.Fatalf("invalid message of %d bytes", len(msg))
					}
					events++
				}
			}
			if err == nil && len(p.unreadable) != 0 {
				t.Fatal("unreadable records without an error")
			}
			if err != nil && len(p.unreadable) == 0 {
				t.Fatalf("error %v without unreadable records", err)
			}
		}
	})
}
