package regex

import (
	"errors"
	"slices"
	"testing"
)

// FuzzCompileMatch compiles any pattern and, when it compiles, matches it
// against any input through every method. Properties: nothing panics;
// offsets are byte offsets inside the input, in order, one pair per group;
// Match agrees with FindSubmatchIndex, and the []byte and string forms
// agree; a match that gives up says so with ErrTimeout; and a pattern RE2
// accepts finds the same groups on the backtracking engine.
// Seeds: the f.Add calls and testdata/fuzz/FuzzCompileMatch.
func FuzzCompileMatch(f *testing.F) {
	for _, c := range sameOnBoth {
		f.Add(c.expr, c.in)
	}
	f.Add(`(?<log>(?<="log":")\S(?!\.).*?)(?<!\\)".*(?<stream>(?<="stream":").*?)".*(?<time>\d{4}-\d{1,2}-\d{1,2}T\d{2}:\d{2}:\d{2}\.\w*).*(?=})`,
		`{"log":"hi\n","stream":"stdout","time":"2024-05-01T12:00:00.1Z"}`)
	f.Add(`^((?!hostname|systemd_unit|message).)*$`, "PRIORITY")
	f.Add(`^(?<q>["']).*\k<q>$`, `'x'`)
	f.Add(`(?>a+)b|a++c`, "aaac")
	f.Fuzz(func(t *testing.T, expr, in string) {
		re, err := Compile(expr)
		if err != nil {
			return
		}
		loc, err := re.FindSubmatchIndex([]byte(in))
		if err != nil {
			if !errors.Is(err, ErrTimeout) || !re.Backtracking() {
				t.Fatalf("%q on %q: error %v", expr, in, err)
			}
			return
		}
		if loc != nil {
			if len(loc) != 2*(re.NumSubexp()+1) {
				t.Fatalf("%q on %q: %d offsets for %d groups", expr, in, len(loc), re.NumSubexp())
			}
			for g := 0; g < len(loc); g += 2 {
				s, e := loc[g], loc[g+1]
				if (s < 0) != (e < 0) || s > e || e > len(in) || (g == 0 && s < 0) {
					t.Fatalf("%q on %q: bad offsets %v", expr, in, loc)
				}
			}
		}
		sloc, serr := re.FindStringSubmatchIndex(in)
		ok, merr := re.Match([]byte(in))
		sok, smerr := re.MatchString(in)
		if serr != nil || merr != nil || smerr != nil {
			return // the deadline is per call: a later call may give up where an earlier one finished
		}
		if !slices.Equal(loc, sloc) || ok != (loc != nil) || sok != ok {
			t.Fatalf("%q on %q: FindSubmatchIndex %v, string %v, Match %v, MatchString %v", expr, in, loc, sloc, ok, sok)
		}
		if re.Backtracking() {
			return
		}
		bt, err := compileBacktracking(expr, translate(expr))
		if err != nil {
			return // RE2 accepts a few forms the other does not; nothing to compare
		}
		if bloc, err := bt.FindSubmatchIndex([]byte(in)); err == nil && !slices.Equal(loc, bloc) {
			t.Fatalf("%q on %q: RE2 %v, regexp2 %v", expr, in, loc, bloc)
		}
	})
}
