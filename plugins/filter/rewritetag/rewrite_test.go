package rewritetag

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// fakeEmitter records what the filter emits; it fails from the failAt-th
// call on when failAt > 0.
type fakeEmitter struct {
	t      *testing.T
	got    []string // "tag body"
	calls  int
	failAt int
}

func (e *fakeEmitter) Emit(_ context.Context, tag string, events []byte, records int) error {
	e.calls++
	if e.failAt > 0 && e.calls >= e.failAt {
		return errors.New("pipeline is shutting down")
	}
	lines := render(e.t, events)
	if len(lines) != records {
		e.t.Errorf("Emit said %d records, events hold %d", records, len(lines))
	}
	for _, l := range lines {
		e.got = append(e.got, tag+" "+strings.SplitN(l, " ", 2)[1])
	}
	return nil
}

func newFilter(t *testing.T, em *fakeEmitter, rules ...string) *Filter {
	t.Helper()
	kv := []string{"Name", "rewrite_tag", "Match", "*"}
	for _, r := range rules {
		kv = append(kv, "Rule", r)
	}
	s := settings(t, kv...)
	s.Emitter = em
	f, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRewriteTag(t *testing.T) {
	em := &fakeEmitter{t: t}
	f := newFilter(t, em,
		`$level ^(error|fatal)$ alerts.$TAG[1].$1 false`,
		`$k['app'] ^(.+)$ app.$1 true`,
	)
	events := batch(t, 100,
		`{"n":0,"level":"error"}`,
		`{"n":1,"level":"info","k":{"app":"web"}}`,
		`{"n":2,"level":"fatal","k":{"app":"web"}}`, // first rule wins
		`{"n":3}`,
	)
	var out record.Builder
	res, err := f.Filter("kube.prod.x", events, &out)
	if err != nil || res != plugin.FilterModified {
		t.Fatalf("res %v err %v", res, err)
	}
	wantEmitted := []string{`alerts.prod.error {"n":0,"level":"error"}`, `app.web {"n":1,"level":"info","k":{"app":"web"}}`,
		`alerts.prod.fatal {"n":2,"level":"fatal","k":{"app":"web"}}`}
	if strings.Join(em.got, "\n") != strings.Join(wantEmitted, "\n") {
		t.Errorf("emitted\n%s\nwant\n%s", strings.Join(em.got, "\n"), strings.Join(wantEmitted, "\n"))
	}
	kept := render(t, out.Bytes())
	if len(kept) != 2 || !strings.Contains(kept[0], `"n":1`) || !strings.Contains(kept[1], `"n":3`) {
		t.Errorf("kept %q", kept)
	}
	// No rule matches: the batch passes unchanged and nothing is emitted.
	em.got = nil
	out.Reset()
	if res, _ := f.Filter("t", batch(t, 1, `{"level":"debug"}`), &out); res != plugin.FilterUnchanged || len(em.got) != 0 {
		t.Errorf("no match: res %v emitted %q", res, em.got)
	}
}

// TestRewriteTagBacktrackingRules checks rules RE2 cannot run: captures
// come from the backtracking engine at the right offsets, and a rule whose
// match gives up leaves its record under the original tag.
func TestRewriteTagBacktrackingRules(t *testing.T) {
	em := &fakeEmitter{t: t}
	f := newFilter(t, em,
		`$msg ^(?=a)(a+)+$ never false`,
		`$path ^/(?!healthz)([^/]+)/(?<id>\d+)(?=/|$) api.$1 false`,
	)
	long := strings.Repeat("a", 64) + "!"
	events := batch(t, 100,
		`{"n":0,"path":"/orders/42/items"}`,
		`{"n":1,"path":"/healthz/1"}`,
		`{"n":2,"msg":"`+long+`","path":"/users/7"}`, // the first rule gives up; the second applies
	)
	var out record.Builder
	if _, err := f.Filter("web", events, &out); err != nil {
		t.Fatal(err)
	}
	want := []string{`api.orders {"n":0,"path":"/orders/42/items"}`, `api.users {"n":2,"msg":"` + long + `","path":"/users/7"}`}
	if strings.Join(em.got, "\n") != strings.Join(want, "\n") {
		t.Errorf("emitted\n%s\nwant\n%s", strings.Join(em.got, "\n"), strings.Join(want, "\n"))
	}
	if kept := render(t, out.Bytes()); len(kept) != 1 || !strings.Contains(kept[0], `"n":1`) {
		t.Errorf("kept %q", kept)
	}
}

func TestRewriteTagEmitFailureNeverDuplicates(t *testing.T) {
	em := &fakeEmitter{t: t, failAt: 2}
	f := newFilter(t, em, `$to ^(.+)$ $1 false`)
	events := batch(t, 1, `{"n":0,"to":"a"}`, `{"n":1,"to":"b"}`, `{"n":2,"to":"a"}`, `{"n":3}`)
	var out record.Builder
	res, err := f.Filter("t", events, &out)
	if err != nil || res != plugin.FilterModified {
		t.Fatalf("res %v err %v", res, err)
	}
	// Tag a was emitted (n 0 and 2); b failed, so n 1 stays, with n 3.
	if len(em.got) != 2 {
		t.Errorf("emitted %q", em.got)
	}
	kept := render(t, out.Bytes())
	if len(kept) != 2 || !strings.Contains(kept[0], `"n":1`) || !strings.Contains(kept[1], `"n":3`) {
		t.Errorf("kept %q", kept)
	}
	// The first emit failing passes the whole batch on unchanged.
	em2 := &fakeEmitter{t: t, failAt: 1}
	f2 := newFilter(t, em2, `$to ^(.+)$ $1 false`)
	out.Reset()
	if res, err := f2.Filter("t", events, &out); err == nil || res != plugin.FilterUnchanged {
		t.Errorf("first emit failing: res %v err %v", res, err)
	}
}

func TestRewriteTagConfigErrors(t *testing.T) {
	for _, c := range []struct{ rule, want string }{
		{`$a ^x$ new maybe`, "KEEP"},
		{`$a[ ^x$ new true`, "KEY"},
		{`$a (?!x new true`, "REGEX: invalid regular expression: missing closing )"},
		{`$a x`, "want 4 space-separated values"},
	} {
		s, err := trySettings("Name", "rewrite_tag", "Rule", c.rule)
		if err == nil {
			_, err = New(s)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.rule, err, c.want)
		}
	}
}
