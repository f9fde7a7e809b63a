package regex

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2/v2"
)

const apache2 = `^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^ ]*) +\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>.*)")?$`

// sameOnBoth are patterns RE2 accepts, with inputs: the backtracking
// engine must give the same groups at the same byte offsets.
var sameOnBoth = []struct{ expr, in string }{
	{apache2, `192.168.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`},
	{`^(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[a-zA-Z0-9_\/\.\-]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$`, "Dec  1 08:47:56 ip-10-0-0-1 kubelet[1234]: I1201 started"},
	{`(?<x>\d+)$`, "first 1\nsecond 2"},       // $ is a line end, as in Ruby
	{`^(?<x>\w+)$`, "second\nfirst"},          // ^ too
	{`^(?<a>\w+)\s+(?<b>\S+)`, "héllo wörld"}, // \w is ASCII on both
	{`(?<w>\w+)`, "ça va"},
	{`(?i)^(?<x>abc)`, "ABCdef"},
	{`a.c`, "a\nc"}, // . does not match a newline
	{`^$`, ""},
	{`(a)|(b)`, "b"}, // group 1 takes no part
	{`(?<x>a*)`, ""},
	{`x*`, "yyy"},
	{`é(?<n>.)`, "aébc"},       // byte offsets after a multi-byte rune
	{`a(?<b>b)`, "\xffab\xfe"}, // invalid UTF-8 around the match
	{`(?<n>.)b`, "\xffb"},
	{`^\s+at (?<frame>\S+)`, "    at com.example.Main.run(Main.java:10)"},
	{`(?<p>.*?)x`, "aaxbbx"},
	{`^(?<x>[\h-]+)\Z`, "ab-12\n"},
	{`^(?<x>[]a]+)$`, "]a]"},
	{`[[:alpha:]]+(?<d>[[:digit:]]+)`, "--abc123--"},
	{`\bword\b`, "a word here"},
	{`(?<a>x)(?<b>y)?`, "x"},
	{`(a)(?<n>b)(c)`, "abc"}, // named and unnamed groups numbered in pattern order
	{`/^(?<x>a.c)$/`, "abc"},
	{`^(?<key>[^=]+)=(?<value>.*)$`, "k=v=w"},
	{`(?<level>ERROR|WARN|INFO)`, "2024 INFO ok"},
	{`\d{2,3}`, "1 12345"},
	{`[^\]]+`, "ab]c"},
	{`\x41\t\n`, "A\t\n"},
	{`\p{Greek}+`, "abc αβγ"},
	{`(?s:a.c)`, "a\nc"},
	{`(?P<py>x)`, "x"},
}

func TestBothEnginesAgree(t *testing.T) {
	for _, c := range sameOnBoth {
		fast, err := Compile(c.expr)
		if err != nil || fast.Backtracking() {
			t.Errorf("%q: RE2 must take it (err %v)", c.expr, err)
			continue
		}
		bt, err := compileBacktracking(c.expr, translate(c.expr))
		if err != nil {
			t.Errorf("%q: backtracking engine: %v", c.expr, err)
			continue
		}
		if !slices.Equal(fast.SubexpNames(), bt.SubexpNames()) {
			t.Errorf("%q: names %q on RE2, %q on regexp2", c.expr, fast.SubexpNames(), bt.SubexpNames())
		}
		l1, _ := fast.FindSubmatchIndex([]byte(c.in))
		l2, err := bt.FindSubmatchIndex([]byte(c.in))
		if err != nil || !slices.Equal(l1, l2) {
			t.Errorf("%q on %q: RE2 %v, regexp2 %v (%v)", c.expr, c.in, l1, l2, err)
		}
		l3, _ := bt.FindStringSubmatchIndex(c.in)
		if !slices.Equal(l1, l3) {
			t.Errorf("%q on %q: RE2 %v, regexp2 on a string %v", c.expr, c.in, l1, l3)
		}
		m1, _ := fast.Match([]byte(c.in))
		m2, _ := bt.Match([]byte(c.in))
		m3, _ := bt.MatchString(c.in)
		if m1 != m2 || m1 != m3 || m1 != (l1 != nil) {
			t.Errorf("%q on %q: Match RE2 %v, regexp2 %v/%v", c.expr, c.in, m1, m2, m3)
		}
	}
}

// TestBeyondRE2 checks the features RE2 refuses: they compile on the
// backtracking engine and match as in Ruby.
func TestBeyondRE2(t *testing.T) {
	for _, c := range []struct {
		expr, in string
		want     map[string]string // group -> text; nil: no match
		whole    string            // group 0, when want has no group
	}{
		{`foo(?=bar)`, "foobar", map[string]string{}, "foo"},
		{`foo(?=bar)`, "foobaz", nil, ""},
		{`^((?!hostname|systemd_unit|message).)*$`, "PRIORITY", map[string]string{}, "PRIORITY"},
		{`^((?!hostname|systemd_unit|message).)*$`, "hostname", nil, ""},
		{`(?<v>(?<="log":")[^"]*)`, `{"log":"hi there"}`, map[string]string{"v": "hi there"}, ""},
		{`(?<!\\)"(?<rest>.*)`, `a\"b"c`, map[string]string{"rest": "c"}, ""},
		{`^(?<q>["']).*\k<q>$`, `'quoted'`, map[string]string{"q": "'"}, ""},
		{`^(?<q>["']).*\k<q>$`, `'mixed"`, nil, ""},
		{`^(a)b\1$`, "aba", map[string]string{}, "aba"},
		{`(?>a+)b`, "aaab", map[string]string{}, "aaab"},
		{`a++a`, "aaaa", nil, ""},
		{`^a*+b`, "aab", map[string]string{}, "aab"},
		{`(?<d>\d+)(?=\s*ms)`, "took 42 ms", map[string]string{"d": "42"}, ""},
		{`(?<w>ü+)(?=!)`, "xüü!", map[string]string{"w": "üü"}, ""},
		{`^(?<x>a)$(?=\n)`, "b\na\nc", map[string]string{"x": "a"}, ""},
		{`a{1001}`, strings.Repeat("a", 1001), map[string]string{}, strings.Repeat("a", 1001)},
		{`\R`, "a\r\nb", map[string]string{}, "\r\n"},
		{`a\R(?=b)`, "xa\r\nb", map[string]string{}, "a\r\n"}, // \R translated for regexp2 too
		{`(?<h>\h+)(?=\Z)`, "id 0fA9\n", map[string]string{"h": "0fA9"}, ""},
	} {
		re, err := Compile(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		if !re.Backtracking() && c.expr != `\R` {
			t.Errorf("%q: RE2 cannot run it, yet it was not put on the backtracking engine", c.expr)
		}
		loc, err := re.FindSubmatchIndex([]byte(c.in))
		if err != nil {
			t.Errorf("%q on %q: %v", c.expr, c.in, err)
			continue
		}
		if (loc != nil) != (c.want != nil) {
			t.Errorf("%q on %q: match %v, want %v", c.expr, c.in, loc != nil, c.want != nil)
			continue
		}
		if loc == nil {
			continue
		}
		if c.whole != "" && c.in[loc[0]:loc[1]] != c.whole {
			t.Errorf("%q on %q: matched %q, want %q", c.expr, c.in, c.in[loc[0]:loc[1]], c.whole)
		}
		for g, want := range c.want {
			i := re.SubexpIndex(g)
			if i < 0 || loc[2*i] < 0 || c.in[loc[2*i]:loc[2*i+1]] != want {
				t.Errorf("%q on %q: group %s = %v, want %q", c.expr, c.in, g, loc, want)
			}
		}
		if ok, err := re.Match([]byte(c.in)); ok != (c.want != nil) || err != nil {
			t.Errorf("%q on %q: Match %v %v", c.expr, c.in, ok, err)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{`(abc`, "invalid regular expression: missing closing ) in `(abc`"},
		{`a**`, "nested repetition"},
		{`[z-a]`, "range in reverse order"},
		{`\k<nope>`, "undefined group name nope"},
	} {
		_, err := Compile(c.expr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.expr, err, c.want)
		}
	}
}

// catastrophic runs exponentially long on the backtracking engine on a
// line of a's that does not end the way it wants.
const catastrophic = `^(?=a)(a+)+$`

func TestCatastrophicPatternGivesUp(t *testing.T) {
	re := MustCompile(catastrophic)
	if !re.Backtracking() {
		t.Fatal("the look-ahead must put the pattern on the backtracking engine")
	}
	line := []byte(strings.Repeat("a", 64) + "!")
	for _, try := range []func() error{
		func() error { _, err := re.Match(line); return err },
		func() error { _, err := re.MatchString(string(line)); return err },
		func() error { _, err := re.FindSubmatchIndex(line); return err },
		func() error { _, err := re.FindStringSubmatchIndex(string(line)); return err },
	} {
		err := try()
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("error %v, want ErrTimeout", err)
		}
		if strings.Contains(err.Error(), string(line)) {
			t.Errorf("the error quotes the input: %v", err)
		}
	}
	if re.GaveUp() != 4 {
		t.Errorf("GaveUp = %d, want 4", re.GaveUp())
	}
	// The same pattern still works on lines it matches.
	if ok, err := re.Match([]byte("aaaa")); !ok || err != nil {
		t.Errorf("Match(aaaa) = %v, %v", ok, err)
	}
}

func TestLogTimeoutOncePerInterval(t *testing.T) {
	re := MustCompile(catastrophic)
	var out strings.Builder
	logger := slog.New(slog.NewTextHandler(&out, nil))
	line := []byte(strings.Repeat("a", 64) + "!")
	for range 2 {
		_, err := re.Match(line)
		LogTimeout(logger, err)
	}
	LogTimeout(logger, errors.New("something else"))
	LogTimeout(logger, nil)
	if n := strings.Count(out.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, out.String())
	}
	if !strings.Contains(out.String(), "gave_up_total=1") || !strings.Contains(out.String(), `regex=`) {
		t.Errorf("warning lacks the count or the pattern:\n%s", out.String())
	}
	re.lastWarn.Add(-int64(warnEvery + time.Second)) // a minute later
	_, err := re.Match(line)
	LogTimeout(logger, err)
	if n := strings.Count(out.String(), "level=WARN"); n != 2 || !strings.Contains(out.String(), "gave_up_total=3") {
		t.Errorf("after the interval: %d warnings:\n%s", n, out.String())
	}
}

func TestStringIsThePatternAsWritten(t *testing.T) {
	for _, expr := range []string{`/^a\h$/`, `(?<=x)y`} {
		if got := MustCompile(expr).String(); got != expr {
			t.Errorf("String() = %q, want %q", got, expr)
		}
	}
}

// TestRetryIgnoresFalseTimeouts checks the guard against regexp2's clock
// lagging on a loaded machine: a "timeout" that came before MatchTimeout
// had passed is retried, so a quick match is never reported as given up.
func TestRetryIgnoresFalseTimeouts(t *testing.T) {
	re := MustCompile(`(?=a)a`)
	falseTimeout := errors.New("match timeout after 100ms on input `a`")
	calls := 0
	if err := re.retry(func() error {
		calls++
		if calls == 1 {
			return falseTimeout
		}
		return nil
	}); err != nil || calls != 2 || re.GaveUp() != 0 {
		t.Errorf("one early timeout: err %v after %d calls, GaveUp %d; want a retry that succeeds", err, calls, re.GaveUp())
	}
	calls = 0
	if err := re.retry(func() error { calls++; return falseTimeout }); !errors.Is(err, ErrTimeout) || calls != 4 {
		t.Errorf("early timeouts every time: err %v after %d calls, want ErrTimeout after 4", err, calls)
	}
	calls = 0
	if err := re.retry(func() error { calls++; return regexp2.ErrBacktrackingStackLimit }); !errors.Is(err, ErrTimeout) || calls != 1 ||
		!strings.Contains(err.Error(), "backtracking memory bound") {
		t.Errorf("stack limit: err %v after %d calls, want ErrTimeout at once", err, calls)
	}
}

// TestRubyOptions: trailing /flags and inline options mean what they mean
// in Fluent Bit (Onigmo, Ruby syntax), on both engines.
func TestRubyOptions(t *testing.T) {
	for _, c := range []struct {
		expr, in string
		want     bool
	}{
		{`/a.c/m`, "a\nc", true}, // Ruby's m: . matches a newline
		{`/a.c/`, "a\nc", false},
		{`a.c`, "a\nc", false},
		{`(?m)a.c`, "a\nc", true},
		{`(?m:a.c)d`, "a\ncd", true},
		{`(?i-m:a.c)`, "A\nC", false},
		{`/ABC/i`, "xabcx", true},
		{`/ABC/mi`, "abc", true},
		{`/ABC/o`, "ABC", false}, // o alone is no flag: the pattern is taken whole
		{`/a b c # the letters` + "\n" + `/x`, "abc", true},
		{`/[ ]x/x`, " x", true},  // a class keeps its space
		{`/a\ b/x`, "a b", true}, // so does an escaped one
		{`/var/log/`, "var/log", true},
		{`/var/log/a`, "/var/log/a", true},
		{`/var/log/a`, "var/log", false},
		{`^(?<first>\S+)(?=.*\bERROR\b)/m`, "ab ERROR", false}, // no leading slash: "/m" is part of the pattern, not flags
		{`/^(?<first>\S+)(?=.*ERROR)/m`, "start\nERROR", true},
	} {
		re, err := Compile(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		got, err := re.MatchString(c.in)
		if err != nil || got != c.want {
			t.Errorf("%q on %q: %v (%v), want %v", c.expr, c.in, got, err, c.want)
		}
		if bt, err := compileBacktracking(c.expr, translate(c.expr)); err != nil {
			t.Errorf("%q on regexp2: %v", c.expr, err)
		} else if got, _ := bt.MatchString(c.in); got != c.want {
			t.Errorf("%q on %q, regexp2: %v, want %v", c.expr, c.in, got, c.want)
		}
	}
}
