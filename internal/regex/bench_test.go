package regex

import (
	"math"
	"testing"
	"time"
)

const (
	containerFirstline = `(?<log>(?<="log":")\S(?!\.).*?)(?<!\\)".*(?<stream>(?<="stream":").*?)".*(?<time>\d{4}-\d{1,2}-\d{1,2}T\d{2}:\d{2}:\d{2}\.\w*).*(?=})`
	cwagentFirstline   = `(?<log>(?<="log":")\d{4}[\/-]\d{1,2}[\/-]\d{1,2}[ T]\d{2}:\d{2}:\d{2}(?!\.).*?)(?<!\\)".*(?<stream>(?<="stream":").*?)".*(?<time>\d{4}-\d{1,2}-\d{1,2}T\d{2}:\d{2}:\d{2}\.\w*).*(?=})`
	dockerLine         = `{"log":"2024-05-01 12:00:00 INFO request served path=/api/v1/items status=200 duration=12ms\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}`
	cwagentLine        = `{"log":"2024/05/01 12:00:00 I! request served path=/api/v1/items status=200 duration=12ms\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}`
	apacheLine         = `192.168.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`
)

// BenchmarkFindSubmatchIndex is the cost of one match on each engine:
// apache2 on RE2 (the fast path) and forced onto regexp2, and Container
// Insights' look-around parsers on regexp2, with the deadline (as they
// run) and without it (the engine alone; under valgrind the deadline's
// clock goroutine is starved and retries would be counted).
func BenchmarkFindSubmatchIndex(b *testing.B) {
	bt := func(expr string, deadline bool) *Regexp {
		re, err := compileBacktracking(expr, translate(expr))
		if err != nil {
			b.Fatal(err)
		}
		if !deadline {
			re.bt.MatchTimeout = time.Duration(math.MaxInt64)
		}
		return re
	}
	for _, c := range []struct {
		name string
		re   *Regexp
		in   string
	}{
		{"re2-apache2", MustCompile(apache2), apacheLine},
		{"regexp2-apache2", bt(apache2, true), apacheLine},
		{"regexp2-container_firstline", MustCompile(containerFirstline), dockerLine},
		{"regexp2-container_firstline-nodeadline", bt(containerFirstline, false), dockerLine},
		{"regexp2-cwagent_firstline", MustCompile(cwagentFirstline), cwagentLine},
		{"regexp2-cwagent_firstline-nodeadline", bt(cwagentFirstline, false), cwagentLine},
	} {
		b.Run(c.name, func(b *testing.B) {
			in := []byte(c.in)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if loc, err := c.re.FindSubmatchIndex(in); loc == nil || err != nil {
					b.Fatalf("no match: %v", err)
				}
			}
		})
	}
}
