package parser

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
)

const apacheRegex = `^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")?$`

func TestParseFormats(t *testing.T) {
	cases := []struct {
		name     string
		kv       []string
		line     string
		want     string
		wantTime time.Time // zero: no time
	}{
		{"regex with time and types",
			[]string{"Name", "apache", "Format", "regex", "Regex", apacheRegex, "Time_Key", "time", "Time_Format", "%d/%b/%Y:%H:%M:%S %z", "Types", "code:integer size:integer"},
			`192.168.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://example.com/" "Mozilla/5.0"`,
			`{"host":"192.168.0.1","user":"frank","method":"GET","path":"/apache_pb.gif","code":200,"size":2326,"referer":"http://example.com/","agent":"Mozilla/5.0"}`,
			time.Date(2000, 10, 10, 20, 55, 36, 0, time.UTC)},
		{"regex Time_Keep and skipped empty groups",
			[]string{"Name", "r", "Format", "regex", "Regex", `/^(?<a>\w*) (?<b>\w*) (?<time>\d+)$/`, "Time_Format", "%s", "Time_Keep", "On"},
			`x  1500000000`,
			`{"a":"x","time":"1500000000"}`, time.Unix(1500000000, 0)},
		{"regex Skip_Empty_Values off",
			[]string{"Name", "r", "Format", "regex", "Regex", `^(?<a>\w*) (?<b>\w*)$`, "Skip_Empty_Values", "off"},
			`x `, `{"a":"x","b":""}`, time.Time{}},
		{"regex bad type kept as string, bool and hex",
			[]string{"Name", "r", "Format", "regex", "Regex", `^(?<n>\S+) (?<ok>\S+) (?<h>\S+)$`, "Types", "n:integer ok:bool h:hex"},
			`abc true 0xff`, `{"n":"abc","ok":true,"h":255}`, time.Time{}},
		{"regex \\h translation",
			[]string{"Name", "r", "Format", "regex", "Regex", `^(?<id>\h+)$`}, `deadBEEF`, `{"id":"deadBEEF"}`, time.Time{}},
		{"json with time removed",
			[]string{"Name", "j", "Format", "json", "Time_Key", "ts", "Time_Format", "%Y-%m-%dT%H:%M:%S.%L%z"},
			`{"ts":"2021-01-02T03:04:05.678Z","level":"info","n":1,"nested":{"a":[1,2]}}`,
			`{"level":"info","n":1,"nested":{"a":[1,2]}}`, time.Date(2021, 1, 2, 3, 4, 5, 678000000, time.UTC)},
		{"json numeric epoch time",
			[]string{"Name", "j", "Format", "json", "Time_Format", "%s"},
			`{"time":1600000000,"msg":"x"}`, `{"msg":"x"}`, time.Unix(1600000000, 0)},
		{"json unparsable time kept",
			[]string{"Name", "j", "Format", "json", "Time_Format", "%Y"},
			`{"time":"soon"}`, `{"time":"soon"}`, time.Time{}},
		{"logfmt",
			[]string{"Name", "l", "Format", "logfmt", "Types", "status:integer"},
			`level=info msg="hello \"world\"" status=200 bare dur=1.5s`,
			`{"level":"info","msg":"hello \"world\"","status":200,"bare":true,"dur":"1.5s"}`, time.Time{}},
		{"ltsv",
			[]string{"Name", "l", "Format", "ltsv", "Time_Key", "time", "Time_Format", "[%d/%b/%Y:%H:%M:%S %z]", "Types", "status:integer"},
			"host:127.0.0.1\tident:-\ttime:[10/Oct/2000:13:55:36 -0700]\treq:GET / HTTP/1.1\tstatus:200\n",
			`{"host":"127.0.0.1","ident":"-","req":"GET / HTTP/1.1","status":200}`, time.Date(2000, 10, 10, 20, 55, 36, 0, time.UTC)},
		{"docker: escaped_utf8 then json",
			[]string{"Name", "docker", "Format", "json", "Time_Key", "time", "Time_Format", "%Y-%m-%dT%H:%M:%S.%L", "Time_Keep", "On",
				"Decode_Field_As", "escaped_utf8 log do_next", "Decode_Field_As", "json log"},
			`{"log":"{\"a\":\"caf\\u00e9\"}\n","stream":"stdout","time":"2021-01-01T00:00:00.5Z"}`,
			`{"log":{"a":"café"},"stream":"stdout","time":"2021-01-01T00:00:00.5Z"}`, time.Date(2021, 1, 1, 0, 0, 0, 500000000, time.UTC)},
		{"Decode_Field_As json on non-JSON leaves the text",
			[]string{"Name", "d", "Format", "json", "Decode_Field_As", "json log"},
			`{"log":"plain text"}`, `{"log":"plain text"}`, time.Time{}},
		{"Decode_Field json merges",
			[]string{"Name", "d", "Format", "json", "Decode_Field", "json log"},
			`{"log":"{\"k\":1}","s":"x"}`, `{"log":"{\"k\":1}","s":"x","k":1}`, time.Time{}},
		{"Decode_Field_As escaped",
			[]string{"Name", "d", "Format", "regex", "Regex", `^(?<log>.*)$`, "Decode_Field_As", "escaped log"},
			`a\tb\\n\u00e9`, `{"log":"a\tb\\n\\u00e9"}`, time.Time{}},
		{"try_next falls through",
			[]string{"Name", "d", "Format", "json", "Decode_Field_As", "json log try_next", "Decode_Field_As", "escaped_utf8 log"},
			`{"log":"x\\u00e9"}`, `{"log":"xé"}`, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustParser(t, c.kv...)
			got, res, err := parseToJSON(t, p, c.line)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if c.wantTime.IsZero() != !res.HasTime || (res.HasTime && !res.Time.Std().Equal(c.wantTime)) {
				t.Errorf("time = %v (found %v), want %v", res.Time.Std().UTC(), res.HasTime, c.wantTime)
			}
		})
	}
}

func TestParseNoMatch(t *testing.T) {
	for _, c := range []struct {
		kv   []string
		line string
	}{
		{[]string{"Name", "r", "Format", "regex", "Regex", `^\d+$`}, "abc"},
		{[]string{"Name", "j", "Format", "json"}, `[1,2]`},
		{[]string{"Name", "j", "Format", "json"}, `{"a":`},
		{[]string{"Name", "l", "Format", "logfmt", "Logfmt_No_Bare_Keys", "true"}, `a=1 b`},
		{[]string{"Name", "l", "Format", "logfmt"}, `   `},
		{[]string{"Name", "l", "Format", "ltsv"}, "no colon here"},
	} {
		p := mustParser(t, c.kv...)
		dst := []byte("keep")
		out, _, err := p.Parse(dst, []byte(c.line))
		if !errors.Is(err, ErrNoMatch) {
			t.Errorf("%v on %q: err = %v, want ErrNoMatch", c.kv, c.line, err)
		}
		if string(out) != "keep" {
			t.Errorf("%v: dst changed on error: %q", c.kv, out)
		}
	}
}

func TestNewReportsEveryErrorAtItsKey(t *testing.T) {
	_, err := New(section("Name", "bad", "Format", "regex", "Regex", `^(?<a>x)(?=y`, "Time_Format", "%Q",
		"Time_Offset", "2h", "Types", "a:money", "Decode_Field_As", "base64 log", "Tme_Key", "x"))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		"parsers.conf:4: [PARSER] bad Regex: invalid regular expression: missing closing ) in `^(?<a>x)(?=y`",
		`parsers.conf:5: [PARSER] bad Time_Format "%Q": unsupported conversion %Q`,
		`parsers.conf:6: [PARSER] bad invalid Time_Offset "2h"`,
		`parsers.conf:7: [PARSER] bad Types: unknown type "money"`,
		`parsers.conf:8: [PARSER] bad Decode_Field_As: unknown decoder "base64"`,
		`parsers.conf:9: [PARSER] bad unknown key "Tme_Key"; did you mean "Time_Key"?`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := New(section("Format", "json")); err == nil || !strings.Contains(err.Error(), "missing Name") {
		t.Errorf("missing Name: %v", err)
	}
	if _, err := New(section("Name", "x", "Format", "xml")); err == nil || !strings.Contains(err.Error(), `invalid Format "xml"`) {
		t.Errorf("bad format: %v", err)
	}
}

func TestRegistryKeepsFirstDefinition(t *testing.T) {
	r, warns, err := NewRegistry([]config.Section{
		*section("Name", "a", "Format", "json"),
		*section("Name", "a", "Format", "logfmt"),
		*section("Name", "b", "Format", "ltsv"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Lookup("a"); p.Format() != FormatJSON {
		t.Errorf("first definition must win, got %v", p.Format())
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Msg, "already defined") {
		t.Errorf("warnings = %v", warns)
	}
	if got := r.UnknownHint("bb"); !strings.Contains(got, `"b"`) {
		t.Errorf("hint = %q", got)
	}
}

func TestTimeZoneOfZonelessTimes(t *testing.T) {
	sys := mustParser(t, "Name", "s", "Format", "json", "Time_Format", "%Y-%m-%d %H:%M", "Time_System_Timezone", "on")
	if sys.timeLoc != time.Local {
		t.Errorf("Time_System_Timezone: zone %v, want the system's", sys.timeLoc)
	}
	off := mustParser(t, "Name", "o", "Format", "json", "Time_Format", "%Y-%m-%d %H:%M", "Time_Offset", "-0600")
	_, res, err := off.Parse(nil, []byte(`{"time":"2020-01-01 00:00"}`))
	if err != nil || !res.Time.Std().Equal(time.Date(2020, 1, 1, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("Time_Offset -0600: %v %v", res.Time.Std().UTC(), err)
	}
	// A zone in the text wins over Time_Offset.
	z := mustParser(t, "Name", "z", "Format", "json", "Time_Format", "%Y-%m-%d %H:%M %z", "Time_Offset", "-0600")
	_, res, _ = z.Parse(nil, []byte(`{"time":"2020-01-01 00:00 +0100"}`))
	if !res.Time.Std().Equal(time.Date(2019, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("zone in the text: %v", res.Time.Std().UTC())
	}
}
