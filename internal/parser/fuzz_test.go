package parser

import (
	"bytes"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

// checkParse asserts what every format guarantees: no panic, dst kept on
// error, and a single valid msgpack map appended on success.
func checkParse(t *testing.T, p *Parser, in []byte) {
	prefix := []byte{0xc0}
	out, _, err := p.Parse(append([]byte(nil), prefix...), in)
	if !bytes.HasPrefix(out, prefix) {
		t.Fatalf("Parse lost dst's prefix")
	}
	if err != nil {
		if len(out) != len(prefix) {
			t.Fatalf("Parse wrote %d bytes and failed: %v", len(out)-len(prefix), err)
		}
		return
	}
	m := out[len(prefix):]
	if len(m) == 0 || !isMap(m[0]) {
		t.Fatalf("Parse wrote %x, not a map", m)
	}
	if _, rest, err := record.AppendJSON(nil, m); err != nil || len(rest) != 0 {
		t.Fatalf("Parse wrote invalid msgpack %x: %v (rest %d)", m, err, len(rest))
	}
}

func FuzzRegex(f *testing.F) {
	f.Add([]byte(`192.168.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://example.com/" "Mozilla/5.0"`))
	f.Add([]byte(`::1 - - [01/Jan/2021:00:00:00 +0000] "-" 400 0`))
	p := mustParser(f, "Name", "apache2", "Format", "regex", "Regex", apacheRegex,
		"Time_Format", "%d/%b/%Y:%H:%M:%S %z", "Types", "code:integer size:integer", "Decode_Field_As", "escaped agent")
	f.Fuzz(func(t *testing.T, in []byte) { checkParse(t, p, in) })
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"log":"{\"a\":\"caf\\u00e9\"}\n","stream":"stdout","time":"2021-01-01T00:00:00.5Z"}`))
	f.Add([]byte(`{"time":12,"a":[{"b":null}],"log":"[1,2"}`))
	p := mustParser(f, "Name", "docker", "Format", "json", "Time_Format", "%Y-%m-%dT%H:%M:%S.%L", "Time_Keep", "on",
		"Decode_Field_As", "escaped_utf8 log do_next", "Decode_Field_As", "json log", "Decode_Field", "json stream")
	f.Fuzz(func(t *testing.T, in []byte) { checkParse(t, p, in) })
}

func FuzzLogfmt(f *testing.F) {
	f.Add([]byte(`level=info msg="hello \"world\"" status=200 bare`))
	f.Add([]byte(`="" a= "b=c`))
	p := mustParser(f, "Name", "l", "Format", "logfmt", "Types", "status:integer level:bool", "Time_Key", "ts", "Time_Format", "%s.%L")
	f.Fuzz(func(t *testing.T, in []byte) { checkParse(t, p, in) })
}

func FuzzLTSV(f *testing.F) {
	f.Add([]byte("host:127.0.0.1\tident:-\ttime:[10/Oct/2000:13:55:36 -0700]\tstatus:200\n"))
	f.Add([]byte(":\t::\ta:"))
	p := mustParser(f, "Name", "l", "Format", "ltsv", "Types", "status:hex", "Time_Format", "[%d/%b/%Y:%H:%M:%S %z]")
	f.Fuzz(func(t *testing.T, in []byte) { checkParse(t, p, in) })
}

// FuzzStrptime checks that any format either compiles or is rejected, and
// that parsing any input with it does not panic.
func FuzzStrptime(f *testing.F) {
	f.Add("%Y-%m-%dT%H:%M:%S.%L%z", "2017-05-17T15:44:31.187512963Z", true)
	f.Add("%b %e %H:%M:%S", "Jun  3 08:01:02", false)
	f.Add("%s.%L", "-99999999999.9999999999", true)
	f.Add("%j %y %I %p %Z", "366 99 12 PM PST", false)
	f.Fuzz(func(t *testing.T, format, in string, strict bool) {
		l, err := ParseTimeLayout(format)
		if err != nil {
			return
		}
		_, _ = l.Parse([]byte(in), nil, fixedNow, strict) // the property checked is only: no panic
	})
}
