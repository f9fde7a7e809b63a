// Package top is `sluice top`: a live terminal view of a running Sluice's
// throughput, errors, retries, drops and buffer use per component, read
// from its monitoring server and drawn with Bubble Tea.
package top

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Counters are one component's cumulative counters at one moment.
type Counters struct {
	Records, Bytes        uint64 // in (inputs), processed (outputs), seen (filters)
	Dropped, Added        uint64 // filters: dropped and added records; outputs: Dropped only
	Errors, Retries       uint64
	RetriesFailed         uint64
	BufferedBytes, BufCap uint64 // inputs: bytes in flight and Mem_Buf_Limit (0: none)
}

// Sample is every component's counters at one moment.
type Sample struct {
	At         time.Time
	Components map[string]Counters // key: "input dummy.0", "output null.0", ...
}

// Fetch reads a sample from the monitoring server at base.
func Fetch(ctx context.Context, client *http.Client, base string) (*Sample, error) {
	var m struct {
		Input map[string]struct {
			Records, Bytes uint64
		} `json:"input"`
		Filter map[string]struct {
			Records     uint64 `json:"records"`
			DropRecords uint64 `json:"drop_records"`
			AddRecords  uint64 `json:"add_records"`
		} `json:"filter"`
		Output map[string]struct {
			ProcRecords    uint64 `json:"proc_records"`
			ProcBytes      uint64 `json:"proc_bytes"`
			Errors         uint64 `json:"errors"`
			Retries        uint64 `json:"retries"`
			RetriesFailed  uint64 `json:"retries_failed"`
			DroppedRecords uint64 `json:"dropped_records"`
		} `json:"output"`
	}
	if err := getJSON(ctx, client, base+"/api/v1/metrics", &m); err != nil {
		return nil, err
	}
	s := &Sample{At: time.Now(), Components: map[string]Counters{}}
	for name, in := range m.Input {
		s.Components["input "+name] = Counters{Records: in.Records, Bytes: in.Bytes}
	}
	for name, f := range m.Filter {
		s.Components["filter "+name] = Counters{Records: f.Records, Dropped: f.DropRecords, Added: f.AddRecords}
	}
	for name, o := range m.Output {
		s.Components["output "+name] = Counters{Records: o.ProcRecords, Bytes: o.ProcBytes, Errors: o.Errors,
			Retries: o.Retries, RetriesFailed: o.RetriesFailed, Dropped: o.DroppedRecords}
	}
	// Buffer use is a Sluice series, in the Prometheus exposition only.
	gauges, err := fetchGauges(ctx, client, base+"/api/v1/metrics/prometheus",
		"sluice_input_buffered_bytes", "sluice_input_mem_buf_limit_bytes")
	if err != nil {
		return nil, err
	}
	for name, v := range gauges["sluice_input_buffered_bytes"] {
		c := s.Components["input "+name]
		c.BufferedBytes, c.BufCap = v, gauges["sluice_input_mem_buf_limit_bytes"][name]
		s.Components["input "+name] = c
	}
	return s, nil
}

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// fetchGauges reads the samples of the named families, by their name label.
func fetchGauges(ctx context.Context, client *http.Client, url string, families ...string) (map[string]map[string]uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return parseGauges(resp.Body, families...), nil
}

// parseGauges picks `family{name="X",...} value` lines out of a Prometheus
// text exposition.
func parseGauges(r io.Reader, families ...string) map[string]map[string]uint64 {
	out := map[string]map[string]uint64{}
	for _, f := range families {
		out[f] = map[string]uint64{}
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		brace := strings.IndexByte(line, '{')
		if brace < 0 {
			continue
		}
		vals, ok := out[line[:brace]]
		if !ok {
			continue
		}
		_, rest, _ := strings.Cut(line[brace:], `name="`)
		name, rest, ok := strings.Cut(rest, `"`)
		if !ok {
			continue
		}
		_, value, _ := strings.Cut(rest, "} ")
		if v, err := strconv.ParseUint(strings.TrimSpace(value), 10, 64); err == nil {
			vals[name] = v
		}
	}
	return out
}

// Row is one component's line in the view.
type Row struct {
	Component                      string
	RecordsPerSec, BytesPerSec     float64
	Errors, Retries, Failed, Drops uint64
	BufferUse                      float64 // of Mem_Buf_Limit, 0..1; -1 without a limit
	BufferedBytes                  uint64
}

// Rows computes rates between two samples (prev may be nil) and returns the
// rows in a stable order: inputs, filters, outputs, each by name.
func Rows(prev, cur *Sample) []Row {
	var rows []Row
	for name, c := range cur.Components {
		r := Row{Component: name, Errors: c.Errors, Retries: c.Retries, Failed: c.RetriesFailed,
			Drops: c.Dropped, BufferUse: -1, BufferedBytes: c.BufferedBytes}
		if c.BufCap > 0 {
			r.BufferUse = float64(c.BufferedBytes) / float64(c.BufCap)
		}
		if prev != nil {
			if p, ok := prev.Components[name]; ok {
				secs := cur.At.Sub(prev.At).Seconds()
				if secs > 0 && c.Records >= p.Records {
					r.RecordsPerSec = float64(c.Records-p.Records) / secs
					r.BytesPerSec = float64(c.Bytes-p.Bytes) / secs
				}
			}
		}
		rows = append(rows, r)
	}
	kindOrder := map[string]int{"input": 0, "filter": 1, "output": 2}
	sort.Slice(rows, func(i, j int) bool {
		ki, _, _ := strings.Cut(rows[i].Component, " ")
		kj, _, _ := strings.Cut(rows[j].Component, " ")
		if kindOrder[ki] != kindOrder[kj] {
			return kindOrder[ki] < kindOrder[kj]
		}
		return rows[i].Component < rows[j].Component
	})
	return rows
}
