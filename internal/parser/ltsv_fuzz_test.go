package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// FuzzLTSVFields checks the LTSV format against a reading of the spec
// (http://ltsv.org) with strings.Split: the record holds exactly the line's
// label:value fields, in order, values as strings, byte for byte; a line
// without one is refused.
func FuzzLTSVFields(f *testing.F) {
	f.Add("host:127.0.0.1\tident:-\ttime:[10/Oct/2000:13:55:36 -0700]\tstatus:200\n")
	f.Add(":\t::\ta:")
	f.Add("a:1\ta:2\tb\t\tc:x:y\r\n")
	p := mustParser(f, "Name", "l", "Format", "ltsv")
	f.Fuzz(func(t *testing.T, line string) {
		var want []string
		body := strings.TrimSuffix(line, "\n")
		if len(body) < len(line) {
			body = strings.TrimSuffix(body, "\r")
		}
		for _, field := range strings.Split(body, "\t") {
			if label, value, ok := strings.Cut(field, ":"); ok && label != "" {
				want = append(want, label+"="+value)
			}
		}
		out, _, err := p.Parse(nil, []byte(line))
		if len(want) == 0 {
			if err == nil {
				t.Fatalf("%q: no field, but parsed as % x", line, out)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		var got []string
		if err := record.MapEntries(out, func(k, v []byte) bool {
			s, ok := record.StringValue(v)
			if !ok {
				s = []byte(fmt.Sprintf("(not a string: % x)", v))
			}
			got = append(got, string(k)+"="+string(s))
			return true
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Fatalf("%q: fields %q, want %q", line, got, want)
		}
	})
}
