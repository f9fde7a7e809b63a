package top

import (
	"strings"
	"testing"
	"time"
)

func TestRowsAndRender(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := &Sample{At: t0, Components: map[string]Counters{
		"input dummy.0": {Records: 100, Bytes: 1000},
		"output null.0": {Records: 90, Bytes: 900},
	}}
	cur := &Sample{At: t0.Add(2 * time.Second), Components: map[string]Counters{
		"input dummy.0":   {Records: 300, Bytes: 3000, BufferedBytes: 512, BufCap: 1024},
		"output null.0":   {Records: 290, Bytes: 2900, Errors: 2, Retries: 3, RetriesFailed: 1, Dropped: 4},
		"filter redact.0": {Records: 5},
	}}
	rows := Rows(prev, cur)
	if len(rows) != 3 || rows[0].Component != "input dummy.0" || rows[1].Component != "filter redact.0" || rows[2].Component != "output null.0" {
		t.Fatalf("rows %+v", rows)
	}
	if rows[0].RecordsPerSec != 100 || rows[0].BufferUse != 0.5 || rows[2].RecordsPerSec != 100 || rows[1].RecordsPerSec != 0 {
		t.Errorf("rates %+v", rows)
	}
	screen := Render("http://x", rows, nil, t0)
	for _, want := range []string{"COMPONENT", "input dummy.0", "100.0", "50%", "output null.0", "1000.0 B"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
}

func TestParseGauges(t *testing.T) {
	text := `# TYPE sluice_input_buffered_bytes gauge
sluice_input_buffered_bytes{name="tail.0"} 4096
sluice_input_buffered_bytes{name="we\"ird"} 1
sluice_input_mem_buf_limit_bytes{name="tail.0"} 8192
other_metric{name="tail.0"} 7
`
	g := parseGauges(strings.NewReader(text), "sluice_input_buffered_bytes", "sluice_input_mem_buf_limit_bytes")
	if g["sluice_input_buffered_bytes"]["tail.0"] != 4096 || g["sluice_input_mem_buf_limit_bytes"]["tail.0"] != 8192 {
		t.Errorf("gauges %v", g)
	}
}
