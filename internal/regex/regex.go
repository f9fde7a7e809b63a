// Package regex compiles the regular expressions a configuration brings:
// [PARSER] Regex, [MULTILINE_PARSER] rules, grep's Regex and Exclude,
// rewrite_tag's rules, modify's conditions and Remove_regex, Match_Regex,
// tail's Tag_Regex and node_exporter_metrics' ignore patterns (redact and
// k8s_audit stay on RE2 on purpose: a security filter must not give up on a
// record). They are written for Fluent Bit, whose engine is
// Onigmo with Ruby syntax, so they are all compiled here, by Compile, and
// nowhere else.
//
// Two engines, because neither alone is right:
//
//   - Go's regexp (RE2) runs in time linear in the input and is fast, but
//     has no look-ahead, look-behind, backreferences, atomic groups or
//     possessive quantifiers. Most patterns need none of them, and those
//     run on RE2: this is the fast path, and what every pattern RE2
//     accepts uses.
//   - github.com/dlclark/regexp2 backtracks, as Onigmo does, and has all of
//     them: real configurations need it (Amazon CloudWatch Container
//     Insights' parsers use look-behind and look-ahead, its modify filter a
//     negative look-ahead). A backtracking match can take exponential time
//     on a pattern like (a+)+$, so every match on this engine has a
//     deadline (MatchTimeout) and a bounded stack: a match that gives up
//     returns an error wrapping ErrTimeout, which callers treat as "did
//     not match" for that record and log with LogTimeout. It never hangs
//     the pipeline and never crashes it.
//
// regexp2 runs in its RE2 compatibility mode (\d, \s, \w and [[:alpha:]]
// as in RE2, ASCII like Ruby's; (?P<name>...) accepted) with multi-line
// anchors and named and unnamed groups numbered in pattern order, so a
// pattern both engines accept gives the same matches and groups on both.
// Ruby's syntax is translated first (ruby.go): /pattern/imx delimiters and
// flags as Fluent Bit reads them, and m meaning "dot matches newline".
package regex

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// MatchTimeout is how long one match on the backtracking engine may run
// before it gives up (twice: see Regexp.retry). Fluent Bit has no such
// limit (Onigmo can run for ever); 100 ms is thousands of times what a
// sane pattern takes on a log line, and short enough that a catastrophic
// one only slows its input down.
const MatchTimeout = 100 * time.Millisecond

// maxBacktrackStack bounds the backtracking stack of one match (in
// integer slots, 8 bytes each), a bound on memory beside MatchTimeout's on
// time: regexp2's default of 100,000 slots can be too few for a lazy .*?
// over a long line; 4 Mi slots is 32 MiB at most per match in progress
// (regexp2 keeps a pooled runner's stack at its high-water size). A match
// that needs more gives up like one that times out.
const maxBacktrackStack = 4 << 20

// The timeout clock of regexp2 ticks every 100 ms by default, which would
// let a match run for up to twice MatchTimeout; 10 ms keeps the bound
// tight. The clock goroutine runs only while matches with a deadline are
// live (and one second after), so the cost is nil for RE2-only
// configurations. It must be set before the first match, hence init.
func init() { regexp2.SetTimeoutCheckPeriod(10 * time.Millisecond) }

// ErrTimeout is wrapped by the error of a match the backtracking engine
// gave up on: it ran longer than MatchTimeout, or past its stack bound.
// The record is to be treated as not matching.
var ErrTimeout = errors.New("regular expression match gave up")

// Regexp is a compiled configuration regular expression, on RE2 when the
// pattern allows it, else on the backtracking engine. It is immutable
// (but for its give-up counters) and safe for concurrent use.
type Regexp struct {
	expr  string         // as written in the configuration
	re2   *regexp.Regexp // the fast path; nil when bt is set
	bt    *regexp2.Regexp
	names []string // by group number, "" for unnamed groups; [0] is ""

	gaveUp   atomic.Uint64
	lastWarn atomic.Int64 // unix nanoseconds of the last LogTimeout line
}

// Compile compiles a pattern written for Fluent Bit (Ruby syntax): on RE2
// when RE2 accepts it (after the translations listed in translate), else
// on regexp2. The error says what is wrong with the pattern; callers add
// the configuration section and key.
func Compile(expr string) (*Regexp, error) {
	src := translate(expr)
	if re, err := regexp.Compile(src); err == nil {
		return &Regexp{expr: expr, re2: re, names: re.SubexpNames()}, nil
	}
	return compileBacktracking(expr, src)
}

// compileBacktracking compiles src, the translation of expr, on regexp2.
func compileBacktracking(expr, src string) (*Regexp, error) {
	bt, err := regexp2.Compile(src, regexp2.RE2|regexp2.Multiline,
		regexp2.OptionMaintainCaptureOrder(), regexp2.OptionMaxBacktrackingStackSize(maxBacktrackStack))
	if err != nil {
		// regexp2 quotes the pattern it was given: show the one written.
		msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		msg = strings.ReplaceAll(msg, "`"+src+"`", "`"+expr+"`")
		return nil, fmt.Errorf("invalid regular expression: %s", msg)
	}
	bt.MatchTimeout = MatchTimeout
	nums := bt.GetGroupNumbers()
	names := make([]string, len(nums))
	for i, n := range nums {
		if n != i {
			return nil, fmt.Errorf("invalid regular expression: group number %d is out of order; Ruby syntax has no numbered group names", n)
		}
		if name := bt.GroupNameFromNumber(n); name != strconv.Itoa(n) {
			names[i] = name
		}
	}
	return &Regexp{expr: expr, bt: bt, names: names}, nil
}

// MustCompile is Compile for patterns fixed in the code; it panics on an
// error.
func MustCompile(expr string) *Regexp {
	re, err := Compile(expr)
	if err != nil {
		panic(fmt.Sprintf("regex: Compile(%q): %v", expr, err))
	}
	return re
}

// String returns the pattern as it was written.
func (r *Regexp) String() string { return r.expr }

// Backtracking reports whether the pattern runs on the backtracking engine
// (it needs a feature RE2 lacks) rather than RE2.
func (r *Regexp) Backtracking() bool { return r.bt != nil }

// SubexpNames returns the group names by group number, "" for unnamed
// groups and for group 0 (the whole match), as regexp.SubexpNames. The
// slice must not be modified.
func (r *Regexp) SubexpNames() []string { return r.names }

// NumSubexp returns the number of groups, not counting the whole match.
func (r *Regexp) NumSubexp() int { return len(r.names) - 1 }

// SubexpIndex returns the number of the first group named name, or -1.
func (r *Regexp) SubexpIndex(name string) int {
	if name != "" {
		for i, n := range r.names {
			if n == name {
				return i
			}
		}
	}
	return -1
}

// Match reports whether b contains a match. The error, wrapping
// ErrTimeout, is set when the backtracking engine gave up; the result is
// then false.
func (r *Regexp) Match(b []byte) (bool, error) {
	if r.re2 != nil {
		return r.re2.Match(b), nil
	}
	in := getRunes(b)
	defer putRunes(in)
	var ok bool
	err := r.retry(func() (err error) { ok, err = r.bt.MatchRunes(in.runes); return err })
	return ok, err
}

// MatchString is Match on a string.
func (r *Regexp) MatchString(s string) (bool, error) {
	if r.re2 != nil {
		return r.re2.MatchString(s), nil
	}
	var ok bool
	err := r.retry(func() (err error) { ok, err = r.bt.MatchString(s); return err })
	return ok, err
}

// FindSubmatchIndex returns the byte offsets of the leftmost match of b and
// of its groups, as regexp.FindSubmatchIndex: pairs by group number, -1 for
// a group that took no part; nil when nothing matches. The error, wrapping
// ErrTimeout, is set when the backtracking engine gave up.
func (r *Regexp) FindSubmatchIndex(b []byte) ([]int, error) {
	if r.re2 != nil {
		return r.re2.FindSubmatchIndex(b), nil
	}
	in := getRunes(b)
	defer putRunes(in)
	return r.findIndex(in)
}

// FindStringSubmatchIndex is FindSubmatchIndex on a string.
func (r *Regexp) FindStringSubmatchIndex(s string) ([]int, error) {
	if r.re2 != nil {
		return r.re2.FindStringSubmatchIndex(s), nil
	}
	in := getRunes([]byte(s)) // a copy: the string forms serve rare paths (routes, file tags)
	defer putRunes(in)
	return r.findIndex(in)
}

// findIndex runs the backtracking engine on decoded input and maps its
// rune offsets back to byte offsets.
func (r *Regexp) findIndex(in *runeInput) ([]int, error) {
	var loc []int
	err := r.retry(func() error {
		return r.bt.FindRunesMatches(in.runes, 0, func(m regexp2.MatchView) bool {
			loc = make([]int, 2*len(r.names))
			for g := range r.names {
				start, n, ok := m.GroupRange(g)
				if !ok {
					loc[2*g], loc[2*g+1] = -1, -1
					continue
				}
				loc[2*g], loc[2*g+1] = in.offs[start], in.offs[start+n]
			}
			return false // the leftmost match only
		})
	})
	if err != nil {
		return nil, err
	}
	return loc, nil
}

// retry runs a match on the backtracking engine and returns nil, or the
// error of a match that gave up. regexp2 reads its deadline from a clock
// goroutine that ticks every few milliseconds; on a loaded machine that
// goroutine (or the whole process, under a CPU limit) can go unscheduled
// for longer than MatchTimeout, and a match of microseconds then "times
// out". So a timeout counts only when the match really ran MatchTimeout
// by our own clock, twice: a false one is retried (at most three times),
// and a catastrophic pattern costs about two MatchTimeouts per record.
func (r *Regexp) retry(match func() error) error {
	overran := 0
	for try := 1; ; try++ {
		start := time.Now()
		err := match()
		if err == nil {
			return nil
		}
		if errors.Is(err, regexp2.ErrBacktrackingStackLimit) {
			return r.giveUp(err) // not a matter of time: the same again
		}
		if time.Since(start) >= MatchTimeout {
			overran++
		}
		if overran == 2 || try == 4 {
			return r.giveUp(err)
		}
	}
}

// giveUp counts a match the backtracking engine abandoned and returns the
// error callers see. regexp2's own message quotes the whole input, which
// may be long or sensitive, so it is not passed on.
func (r *Regexp) giveUp(err error) error {
	r.gaveUp.Add(1)
	why := fmt.Sprintf("ran longer than %v", MatchTimeout)
	if errors.Is(err, regexp2.ErrBacktrackingStackLimit) {
		why = "exceeded its backtracking memory bound"
	}
	return &TimeoutError{Regexp: r, why: why}
}

// GaveUp returns how many matches of r the backtracking engine abandoned.
func (r *Regexp) GaveUp() uint64 { return r.gaveUp.Load() }

// TimeoutError is the error of a match the backtracking engine gave up on.
// It wraps ErrTimeout.
type TimeoutError struct {
	// Regexp is the pattern that gave up.
	Regexp *Regexp
	why    string
}

// Error says which pattern gave up, why, and what happened to the record.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("regular expression %q %s (catastrophic backtracking: nested repetition such as (a+)+ can take exponential time); the record is treated as not matching",
		e.Regexp.expr, e.why)
}

// Unwrap makes errors.Is(err, ErrTimeout) hold.
func (e *TimeoutError) Unwrap() error { return ErrTimeout }

// warnEvery is how often LogTimeout logs for one pattern.
const warnEvery = time.Minute

// LogTimeout logs err at warning level if it is (or wraps) a TimeoutError,
// at most once a minute per pattern, with the number of matches given up
// so far; other errors, and nil, are ignored. Callers pass their own
// logger, which names the plugin instance.
func LogTimeout(logger *slog.Logger, err error) {
	var te *TimeoutError
	if logger == nil || !errors.As(err, &te) {
		return
	}
	r := te.Regexp
	now := time.Now().UnixNano()
	last := r.lastWarn.Load()
	if last != 0 && now-last < int64(warnEvery) || !r.lastWarn.CompareAndSwap(last, now) {
		return
	}
	logger.Warn(te.Error(), "regex", r.expr, "gave_up_total", r.GaveUp(),
		"hint", "make the pattern more specific (anchor it, replace nested quantifiers, use [^x]* instead of .*)")
}
