package multiline

import (
	"context"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFilter feeds arbitrary lines, in batches of a fuzzed size, through
// the filter with the stack-trace parsers, buffer on and off: nothing may
// panic, and the records that leave hold every line, in order, once.
func FuzzFilter(f *testing.F) {
	for _, file := range []string{"java.txt", "python.txt", "go.txt"} {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), uint8(3))
	}
	f.Add("panic: x\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n", uint8(1))
	f.Fuzz(func(t *testing.T, text string, size uint8) {
		if !utf8.ValidString(text) {
			return // the test's JSON round trip would replace invalid bytes
		}
		var lines []line
		var want []string
		for i, s := range strings.Split(text, "\n") {
			lines = append(lines, line{Log: s, N: i})
			want = append(want, s)
		}
		batch := int(size%16) + 1
		for _, buffer := range []string{"on", "off"} {
			em := &fakeEmitter{t: t}
			fl := newFilter(t, em, nil, "multiline.parser", "java,python,go", "buffer", buffer)
			var got []string
			for _, b := range feed(t, fl, "t", lines, batch) {
				got = append(got, parse(t, b).Log)
			}
			if err := fl.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, e := range em.all() {
				got = append(got, parse(t, e.body).Log)
			}
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				t.Fatalf("buffer %s: lines changed:\n%q\nwant\n%q", buffer, g, w)
			}
		}
	})
}
