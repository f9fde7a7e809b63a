// Package regexcmp compares, on the apache2 parser's expression and
// combined-log lines, Go's regexp with github.com/wasilibs/go-re2 (RE2
// compiled to WebAssembly and translated to pure Go: no cgo, no network at
// run time) and with a scanner specialised by hand (hand_test.go). It is a
// module of its own so that Sluice does not depend on go-re2; see
// BENCHMARKS.md.
package regexcmp

import (
	"fmt"
	"regexp"
	"testing"

	re2 "github.com/wasilibs/go-re2"
)

const apacheRegex = `(?m)^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")?$`

func apacheLines(n int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		lines[i] = fmt.Appendf(nil, `10.0.%d.%d - user%d [10/Oct/2000:13:55:%02d -0700] "GET /static/app/%d/bundle.js?v=%d HTTP/1.1" %d %d "https://www.example.com/page/%d" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"`,
			i%256, (i*7)%256, i%50, i%60, i, i*13, 200+(i%3)*100, 1000+i*17, i%100)
	}
	return lines
}

func BenchmarkStdlib(b *testing.B) {
	re := regexp.MustCompile(apacheRegex)
	lines := apacheLines(256)
	b.SetBytes(int64(len(lines[0])))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if re.FindSubmatchIndex(lines[i%len(lines)]) == nil {
			b.Fatal("no match")
		}
	}
}

func BenchmarkRE2(b *testing.B) {
	re := re2.MustCompile(apacheRegex)
	lines := apacheLines(256)
	b.SetBytes(int64(len(lines[0])))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if re.FindSubmatchIndex(lines[i%len(lines)]) == nil {
			b.Fatal("no match")
		}
	}
}
