package parser

import (
	"fmt"
	"testing"

	"github.com/sluice-logs/sluice/conf"
	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/regex"
)

// apacheLines are real-shaped combined-log lines of varied length.
func apacheLines(n int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		lines[i] = fmt.Appendf(nil, `10.0.%d.%d - user%d [10/Oct/2000:13:55:%02d -0700] "GET /static/app/%d/bundle.js?v=%d HTTP/1.1" %d %d "https://www.example.com/page/%d" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"`,
			i%256, (i*7)%256, i%50, i%60, i, i*13, 200+(i%3)*100, 1000+i*17, i%100)
	}
	return lines
}

func benchParser(b *testing.B, p *Parser, lines [][]byte) {
	var total int64
	for _, l := range lines {
		total += int64(len(l))
	}
	b.SetBytes(total / int64(len(lines)))
	b.ReportAllocs()
	var dst []byte
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var err error
		dst, _, err = p.Parse(dst[:0], lines[i%len(lines)])
		if err != nil {
			b.Fatal(err)
		}
	}
}

// shippedParser returns a parser of conf/parsers.conf.
func shippedParser(b *testing.B, name string) *Parser {
	m, _, err := config.ParseClassic("parsers.conf", conf.Parsers)
	if err != nil {
		b.Fatal(err)
	}
	reg, _, err := NewRegistry(m.Parsers)
	if err != nil {
		b.Fatal(err)
	}
	p, ok := reg.Lookup(name)
	if !ok {
		b.Fatalf("no parser %s", name)
	}
	return p
}

// BenchmarkRegexApache runs the shipped apache2 parser (regex with a time)
// and apache (whose path group is lazy) on combined-log lines.
func BenchmarkRegexApache(b *testing.B) {
	for _, name := range []string{"apache2", "apache"} {
		b.Run(name, func(b *testing.B) { benchParser(b, shippedParser(b, name), apacheLines(256)) })
	}
}

// BenchmarkRegexApacheMatchOnly isolates the regexp engine's share.
func BenchmarkRegexApacheMatchOnly(b *testing.B) {
	re, err := regex.Compile(apacheRegex)
	if err != nil {
		b.Fatal(err)
	}
	lines := apacheLines(256)
	b.SetBytes(int64(len(lines[0])))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if loc, _ := re.FindSubmatchIndex(lines[i%len(lines)]); loc == nil {
			b.Fatal("no match")
		}
	}
}

// BenchmarkRegexContainerInsights runs Container Insights' look-around
// parsers (testdata/compat), which need the backtracking engine, on a
// docker json-file line.
func BenchmarkRegexContainerInsights(b *testing.B) {
	m, _, err := config.ParseClassic("parsers.conf", containerInsightsConf(b))
	if err != nil {
		b.Fatal(err)
	}
	reg, _, err := NewRegistry(m.Parsers)
	if err != nil {
		b.Fatal(err)
	}
	line := []byte(`{"log":"2024-05-01 12:00:00 INFO request served path=/api/v1/items status=200 duration=12ms\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}`)
	for _, name := range []string{"container_firstline", "cwagent_firstline"} {
		p, _ := reg.Lookup(name)
		l := line
		if name == "cwagent_firstline" {
			l = []byte(`{"log":"2024/05/01 12:00:00 I! request served path=/api/v1/items status=200 duration=12ms\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}`)
		}
		b.Run(name, func(b *testing.B) { benchParser(b, p, [][]byte{l}) })
	}
}

func BenchmarkJSONDocker(b *testing.B) {
	p := mustParser(b, "Name", "docker", "Format", "json", "Time_Key", "time", "Time_Format", "%Y-%m-%dT%H:%M:%S.%L", "Time_Keep", "On")
	line := []byte(`{"log":"2021-01-01 INFO request served path=/api/v1/items status=200 duration=12ms\n","stream":"stdout","time":"2021-01-01T00:00:00.123456789Z"}`)
	benchParser(b, p, [][]byte{line})
}

func BenchmarkLogfmt(b *testing.B) {
	p := mustParser(b, "Name", "l", "Format", "logfmt")
	line := []byte(`ts=2021-01-01T00:00:00Z level=info msg="request served" path=/api/v1/items status=200 duration=12ms`)
	benchParser(b, p, [][]byte{line})
}

func BenchmarkStrptime(b *testing.B) {
	l, _ := ParseTimeLayout("%Y-%m-%dT%H:%M:%S.%L%z")
	in := []byte("2017-05-17T15:44:31.187512963+02:00")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Parse(in, nil, fixedNow, true); err != nil {
			b.Fatal(err)
		}
	}
}
