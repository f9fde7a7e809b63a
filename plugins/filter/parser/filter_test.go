package parser

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	iparser "github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestFilter(t *testing.T) {
	apache := `192.168.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326 \"-\" \"curl\"`
	cases := []struct {
		name string
		kv   []string
		in   []string
		want []string
	}{
		{"replace the record, take the time",
			[]string{"Key_Name", "log", "Parser", "apache"},
			[]string{`{"log":"` + apache + `","stream":"stdout"}`},
			[]string{`971211336 {"host":"192.168.0.1","user":"frank","method":"GET","path":"/a.gif","code":"200","size":"2326","referer":"-","agent":"curl"}`}},
		{"Reserve_Data keeps the other fields, parsed wins on clashes",
			[]string{"Key_Name", "log", "Parser", "logfmt", "Reserve_Data", "on"},
			[]string{`{"stream":"stdout","log":"level=info stream=parsed","n":1}`},
			[]string{`100 {"n":1,"level":"info","stream":"parsed"}`}},
		{"Preserve_Key keeps the field",
			[]string{"Key_Name", "log", "Parser", "logfmt", "Preserve_Key", "on"},
			[]string{`{"log":"a=1","other":2}`},
			[]string{`100 {"log":"a=1","a":"1"}`}},
		{"several parsers tried in order",
			[]string{"Key_Name", "log", "Parser", "cri", "Parser", "logfmt"},
			[]string{`{"log":"x=1"}`, `{"log":"2021-06-01T10:11:12.5Z stdout F hi"}`},
			[]string{`100 {"x":"1"}`, `1622542272 {"time":"2021-06-01T10:11:12.5Z","stream":"stdout","logtag":"F","message":"hi"}`}},
		{"no match, missing key, non-text key pass unchanged",
			[]string{"Key_Name", "log", "Parser", "cri"},
			[]string{`{"log":"nope"}`, `{"msg":"x"}`, `{"log":5}`},
			[]string{`100 {"log":"nope"}`, `100 {"msg":"x"}`, `100 {"log":5}`}},
		{"Unescape_Key before parsing",
			[]string{"Key_Name", "log", "Parser", "docker", "Unescape_Key", "on"},
			[]string{`{"log":"{\\\"log\\\":\\\"hi\\\"}"}`},
			[]string{`100 {"log":"hi"}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := New(settings(t, append([]string{"Name", "parser", "Match", "*"}, c.kv...)...))
			if err != nil {
				t.Fatal(err)
			}
			var out record.Builder
			res, err := f.Filter("t", batch(t, 100, c.in...), &out)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, out.Bytes())
			if res == plugin.FilterUnchanged {
				got = render(t, batch(t, 100, c.in...))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestUnknownParserIsAConfigError(t *testing.T) {
	_, err := New(settings(t, "Name", "parser", "Key_Name", "log", "Parser", "apach"))
	if err == nil || !strings.Contains(err.Error(), `t.conf:4: [FILTER] parser Parser: no parser named "apach"; did you mean "apache"?`) {
		t.Errorf("err = %v", err)
	}
}

func BenchmarkFilterApache(b *testing.B) {
	f, err := New(settings(b, "Name", "parser", "Key_Name", "log", "Parser", "apache2", "Reserve_Data", "on"))
	if err != nil {
		b.Fatal(err)
	}
	line := `{"log":"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /static/app.js HTTP/1.1\" 200 5120 \"https://example.com/\" \"Mozilla/5.0 (X11; Linux x86_64)\"","stream":"stdout"}`
	bodies := make([]string, 100)
	for i := range bodies {
		bodies[i] = line
	}
	events := batch(b, 100, bodies...)
	b.SetBytes(int64(len(events)))
	b.ReportAllocs()
	var out record.Builder
	for b.Loop() {
		out.Reset()
		if _, err := f.Filter("t", events, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFilterRegexThatGivesUp checks that a parser whose backtracking regex
// gives up on a record leaves that record as it came, logs a warning, and
// parses the records around it.
func TestFilterRegexThatGivesUp(t *testing.T) {
	s := settings(t, "Name", "parser", "Match", "*", "Key_Name", "log", "Parser", "slow")
	sect := config.Section{Kind: config.KindParser, Params: []config.Param{
		{Key: "Name", Value: "slow"}, {Key: "Format", Value: "regex"}, {Key: "Regex", Value: `^(?=a)(?<a>(a+)+)$`}}}
	reg, _, err := iparser.NewRegistry([]config.Section{sect})
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	s.Parsers, s.Logger = reg, slog.New(slog.NewTextHandler(&logs, nil))
	f, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 64) + "!"
	var out record.Builder
	if _, err := f.Filter("t", batch(t, 100, `{"log":"aaaa"}`, `{"log":"`+long+`"}`, `{"log":"aa"}`), &out); err != nil {
		t.Fatal(err)
	}
	want := []string{`100 {"a":"aaaa"}`, `100 {"log":"` + long + `"}`, `100 {"a":"aa"}`}
	if got := render(t, out.Bytes()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "gave_up_total=1") {
		t.Errorf("no warning:\n%s", logs.String())
	}
}
