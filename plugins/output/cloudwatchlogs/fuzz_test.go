package cloudwatchlogs

import (
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzPrepare feeds arbitrary chunk bytes to the record-to-event step (the
// part of the output that reads msgpack): it must not panic, every event it
// makes must be a valid CloudWatch Logs message, and every record must be
// accounted for: each readable record is one event or a counted skip, and
// the unreadable ones from the first decoding error on are reported by
// index, with an error.
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
			readable, _ := record.Count(data) // the records before the first unreadable one
			seen := map[int32]bool{}
			for i, evs := range p.events {
				if p.dests[i].group == "" || p.dests[i].stream == "" {
					t.Fatalf("empty destination %+v", p.dests[i])
				}
				for _, ev := range evs {
					msg := p.msgs[ev.off : ev.off+ev.size]
					if len(msg) == 0 || len(msg) > maxMessageBytes || !utf8.Valid(msg) {
						t.Fatalf("invalid message of %d bytes", len(msg))
					}
					if seen[ev.index] || ev.index < 0 || int(ev.index) >= readable {
						t.Fatalf("event of record %d: twice, or not one of the %d readable records", ev.index, readable)
					}
					seen[ev.index] = true
					events++
				}
			}
			if events+len(p.noLogKey)+len(p.empty) != readable {
				t.Fatalf("%d readable records: %d events, %d without the log key, %d empty", readable, events, len(p.noLogKey), len(p.empty))
			}
			if err != nil {
				if err.Error() == "" {
					t.Fatal("empty error")
				}
				if p.unreadable[0] != readable || !slices.IsSorted(p.unreadable) || p.unreadable[len(p.unreadable)-1] >= max(records, readable+1) {
					t.Fatalf("%d readable of %d records, unreadable %v", readable, records, p.unreadable)
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
