package redact

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func newFilter(t testing.TB, kv ...string) *Filter {
	t.Helper()
	f, err := New(plugintest.Settings(t, Spec(), kv...))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRedactRecords(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		in   string
		want string
	}{
		{"clean record passes", nil,
			`{"log":"GET /healthz 200"}`, `{"log":"GET /healthz 200"}`},
		{"access key in the log line", nil,
			`{"log":"key AKIAIOSFODNN7EXAMPLE used"}`, `{"log":"key [REDACTED:aws_access_key_id] used"}`},
		{"nested and in arrays", nil,
			`{"a":{"b":["x","Bearer abcdef0123456789xyz"]},"n":1}`, `{"a":{"b":["x","Bearer [REDACTED:bearer_token]"]},"n":1}`},
		{"url keeps user and host", nil,
			`{"dsn":"postgres://app:s3cret@db:5432/x"}`, `{"dsn":"postgres://app:[REDACTED:url_password]@db:5432/x"}`},
		{"sensitive key names mask the whole value", nil,
			`{"user":"bob","Password":"correct horse","token":""}`, `{"user":"bob","Password":"[REDACTED:key_names]","token":""}`},
		{"several findings in one string", nil,
			`{"log":"AKIAIOSFODNN7EXAMPLE and AKIAI44QH8DHBEXAMPLE"}`, `{"log":"[REDACTED:aws_access_key_id] and [REDACTED:aws_access_key_id]"}`},
		{"card numbers are Luhn checked", nil,
			`{"log":"4111111111111111 ok, 4111111111111112 not a card"}`, `{"log":"[REDACTED:credit_card] ok, 4111111111111112 not a card"}`},
		{"e-mail is opt-in", nil,
			`{"log":"mail jane@example.com"}`, `{"log":"mail jane@example.com"}`},
		{"e-mail selected", []string{"Rules", "email"},
			`{"log":"mail jane@example.com"}`, `{"log":"mail [REDACTED:email]"}`},
		{"only the selected rules run", []string{"Rules", "email"},
			`{"log":"AKIAIOSFODNN7EXAMPLE"}`, `{"log":"AKIAIOSFODNN7EXAMPLE"}`},
		{"Key limits the scan", []string{"Key", "log"},
			`{"log":"AKIAIOSFODNN7EXAMPLE","other":"AKIAIOSFODNN7EXAMPLE"}`, `{"log":"[REDACTED:aws_access_key_id]","other":"AKIAIOSFODNN7EXAMPLE"}`},
		{"custom regex masks its group", []string{"Regex", `employee EMP-([0-9]{6})`, "Replacement", "***"},
			`{"log":"EMP-123456 badge"}`, `{"log":"EMP-*** badge"}`},
		{"non-string values are kept", nil,
			`{"n":4111111111111111,"b":true,"z":null,"f":1.5}`, `{"n":4111111111111111,"b":true,"z":null,"f":1.5}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFilter(t, tt.kv...)
			got, _ := plugintest.RunFilter(t, f, "app", tt.in)
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("got %v\nwant %s", got, tt.want)
			}
		})
	}
}

func TestBatchWithoutFindingsIsUnchanged(t *testing.T) {
	f := newFilter(t)
	if _, changed := plugintest.RunFilter(t, f, "app", `{"log":"a"}`, `{"log":"b"}`); changed {
		t.Error("a clean batch was rewritten")
	}
	got, changed := plugintest.RunFilter(t, f, "app", `{"log":"a"}`, `{"log":"pwd=x1"}`, `{"log":"c"}`)
	if !changed || strings.Join(got, "|") != `{"log":"a"}|{"log":"pwd=[REDACTED:password]"}|{"log":"c"}` {
		t.Errorf("got %v (changed %v)", got, changed)
	}
}

func TestMetadataAndTimeKept(t *testing.T) {
	f := newFilter(t)
	var b record.Builder
	body, _ := record.AppendJSONAsMsgpack(nil, []byte(`{"log":"AKIAIOSFODNN7EXAMPLE"}`))
	meta, _ := record.AppendJSONAsMsgpack(nil, []byte(`{"source":"x"}`))
	b.Append(123e9, meta, body)
	var out record.Builder
	if _, err := f.Filter("t", b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	it := record.NewIterator(out.Bytes())
	if !it.Next() || it.Event().Time != 123e9 || string(it.Event().Meta) != string(meta) {
		t.Errorf("time or metadata lost: %+v", it.Event())
	}
}

func TestConfigErrors(t *testing.T) {
	for _, kv := range [][]string{
		{"Rules", "aws_access_key_id,nope"},
		{"Regex", "bad ("},
		{"Regex", "onlyname"},
		{"Key", "$a['b']"},
	} {
		s, err := plugintest.TrySettings(Spec(), kv...)
		if err == nil {
			_, err = New(s)
		}
		if err == nil {
			t.Errorf("%v accepted", kv)
		}
	}
}

// TestCorpus measures every detector on the labelled corpus: a miss is a
// positive line where its rule masked nothing, a false hit a negative line
// where anything was masked. The expected counts are the measured ones:
// a change in either direction is a change in the detectors to look at.
func TestCorpus(t *testing.T) {
	f := newFilter(t, "Rules", "all")
	file, err := os.Open("testdata/corpus.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	marker := regexp.MustCompile(`\[REDACTED:([a-z0-9_]+)\]`)
	var positives, negatives, misses, falseHits int
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rule, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("corpus line without a tab: %q", line)
		}
		text = strings.ReplaceAll(text, `\n`, "\n")
		in, _ := json.Marshal(map[string]string{"log": text})
		got, _ := plugintest.RunFilter(t, f, "app", string(in))
		fired := map[string]bool{}
		for _, m := range marker.FindAllStringSubmatch(got[0], -1) {
			fired[m[1]] = true
		}
		if rule == "-" {
			negatives++
			if len(fired) > 0 {
				falseHits++
				t.Logf("false hit: %q -> %s", text, got[0])
			}
			continue
		}
		positives++
		if !fired[rule] {
			misses++
			t.Logf("miss (%s): %q -> %s", rule, text, got[0])
		}
	}
	t.Logf("corpus: %d positives, %d misses; %d negatives, %d false hits", positives, misses, negatives, falseHits)
	// The one false hit is "version 1.2.3.4-beta": a valid IPv4 address
	// by any rule, which is why ipv4 is opt-in.
	if misses != 0 || falseHits != 1 {
		t.Errorf("misses %d, false hits %d; want 0 and 1", misses, falseHits)
	}
}

func BenchmarkRedactClean(b *testing.B) {
	benchmarkRedact(b, `{"log":"10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] \"GET /api/v1/orders?id=42 HTTP/1.1\" 200 1534 \"-\" \"curl/8.5.0\"","stream":"stdout"}`)
}

func BenchmarkRedactSecret(b *testing.B) {
	benchmarkRedact(b, `{"log":"GET /api/v1/orders Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543 from AKIAIOSFODNN7EXAMPLE","stream":"stdout"}`)
}

func benchmarkRedact(b *testing.B, js string) {
	f := newFilter(b)
	bodies := make([]string, 64)
	for i := range bodies {
		bodies[i] = js
	}
	events, n := plugintest.Events(b, bodies...)
	var out record.Builder
	b.SetBytes(int64(len(events)))
	b.ReportAllocs()
	b.ReportMetric(float64(n), "records/op")
	for b.Loop() {
		out.Reset()
		if _, err := f.Filter("app", events, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// awsKeyID is an AWS access key ID between word boundaries, for FuzzRedact.
var awsKeyID = regexp.MustCompile(`(^|[^A-Za-z0-9_])(AKIA|ASIA)[A-Z0-9]{16}([^A-Za-z0-9_]|$)`)

// FuzzRedact checks that any string in any record is processed without a
// panic, that the result is a valid record, and that a masked string no
// longer contains what a detector found.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE", "Bearer abc.def-123", "x://u:p@h", "4111 1111 1111 1111",
		"-----BEGIN PRIVATE KEY-----", "pwd=", "eyJa.eyJb.c", "::1", "1.2.3.4", "a@b.cd"} {
		f.Add(s)
	}
	filter := newFilter(f, "Rules", "all")
	f.Fuzz(func(t *testing.T, s string) {
		var b record.Builder
		b.BeginEvent(1, nil)
		b.AppendMapHeader(2)
		b.AppendString("log")
		b.AppendString(s)
		b.AppendString("password")
		b.AppendString(s)
		var out record.Builder
		res, err := filter.Filter("t", b.Bytes(), &out)
		if err != nil {
			t.Fatal(err)
		}
		if res == 0 {
			if s != "" {
				t.Fatalf("%q under a password key passed through unmasked", s)
			}
			return // nothing to mask
		}
		// The output is one record with the same time and keys; the
		// password key's value is masked whole; no AWS access key ID
		// (checked with its own regular expression) is left; and
		// redacting the output again changes nothing (the replacement text
		// does not trigger a detector).
		if n, err := record.Count(out.Bytes()); err != nil || n != 1 {
			t.Fatalf("output: %d records, %v", n, err)
		}
		it := record.NewIterator(out.Bytes())
		it.Next()
		ev := it.Event()
		var keys []string
		record.MapEntries(ev.Body, func(k, _ []byte) bool { keys = append(keys, string(k)); return true })
		if ev.Time != 1 || fmt.Sprint(keys) != "[log password]" {
			t.Fatalf("output time %d keys %v", ev.Time, keys)
		}
		pw, _ := record.Lookup(ev.Body, "password")
		if v, _ := record.StringValue(pw); s != "" && !strings.HasPrefix(string(v), "[REDACTED:") {
			t.Fatalf("password %q masked as %q", s, v)
		}
		logv, _ := record.Lookup(ev.Body, "log")
		if v, _ := record.StringValue(logv); awsKeyID.Match(v) {
			t.Fatalf("%q: an AWS access key ID is left in %q", s, v)
		}
		var again record.Builder
		if res, err := filter.Filter("t", out.Bytes(), &again); err != nil || (res != 0 && !bytes.Equal(again.Bytes(), out.Bytes())) {
			t.Fatalf("%q: redacting the output %q again changes it: %q", s, out.Bytes(), again.Bytes())
		}
	})
}
