package prometheusexporter

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sluice-logs/sluice/internal/metricrecord"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// FuzzParse turns arbitrary record bodies into samples and checks each
// sample it accepts against the record: the exposition line it makes,
// `name{labels} value`, read back by an independent reader of the text
// format (readSampleLine), names the record's metric, holds exactly the
// record's labels with add_label applied (once each, valid UTF-8, sorted;
// internal/metricrecord refuses records with a repeated or non-UTF-8 label),
// and the record's value.
func FuzzParse(f *testing.F) {
	for _, js := range []string{
		`{"metric":"a_total","type":"counter","labels":{"name":"tail.0"},"value":1}`,
		`{"metric":"b","labels":{"l":"x\"y"},"value":-1.5}`,
		`{"metric":"c","value":18446744073709551615}`,
		`{"log":"x"}`,
		`{"metric":"d","labels":{"app":"mine","z":"\\\n","a":""},"value":1e300}`,
		`{"metric":"e","labels":{"k":"v","k":"w"},"value":2}`,
		`{"metric":"f","value":true}`,
	} {
		b, err := record.AppendJSONAsMsgpack(nil, []byte(js))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\x83\xa6metric\xa1g\xa6labels\x81\xa1k\xa2\xff\xfe\xa5value\x01")) // a label value that is not UTF-8
	f.Fuzz(func(t *testing.T, body []byte) {
		p := newParser([]metricrecord.Label{{Name: []byte("app"), Value: []byte("x")}})
		var s sample
		if !p.parse(body, &s) {
			if p.reason == "" {
				t.Fatal("refused without a reason")
			}
			return
		}
		if !metricrecord.ValidMetricName(s.name) || len(s.value) == 0 {
			t.Fatalf("accepted %q with value %q", s.name, s.value)
		}
		line := string(s.name) + "{" + string(s.labels) + "} " + string(s.value)
		name, labels, value, err := readSampleLine(line)
		if err != nil {
			t.Fatalf("exposition line %q: %v", line, err)
		}
		rec, _, err := msgp.ReadIntfBytes(body)
		m, isMap := rec.(map[string]any)
		if err != nil || !isMap {
			return // not representable as generic values: only the line is checked
		}
		if name != m["metric"] {
			t.Fatalf("line %q names %q, the record %v", line, name, m["metric"])
		}
		want := map[string]string{}
		if ls, ok := m["labels"].(map[string]any); ok {
			for k, v := range ls {
				switch v := v.(type) {
				case string: // invalid UTF-8 is replaced
					want[k] = strings.ToValidUTF8(v, "\uFFFD")
				case []byte:
					want[k] = strings.ToValidUTF8(string(v), "\uFFFD")
				}
			}
		}
		want["app"] = "x"
		if !reflect.DeepEqual(labels, want) {
			t.Fatalf("line %q has labels %v, the record %v", line, labels, want)
		}
		var wantValue float64
		switch v := m["value"].(type) {
		case int64:
			if value != strconv.FormatInt(v, 10) {
				t.Fatalf("value %s, the record %d", value, v)
			}
			return
		case uint64:
			if value != strconv.FormatUint(v, 10) {
				t.Fatalf("value %s, the record %d", value, v)
			}
			return
		case float64:
			wantValue = v
		case float32:
			wantValue = float64(v)
		case bool:
			wantValue = 0
			if v {
				wantValue = 1
			}
		default:
			t.Fatalf("value %s from a record value %T", value, v)
		}
		got, err := parseSampleValue(value)
		if err != nil || (got != wantValue && !(math.IsNaN(got) && math.IsNaN(wantValue))) {
			t.Fatalf("value %q (%v), the record %v", value, err, wantValue)
		}
	})
}

// readSampleLine reads one sample line of the Prometheus text exposition
// format: a metric name, optional {label="value",...} with \\, \" and \n
// escapes, a space and a value. Label names must be valid, unique and
// sorted, and values valid UTF-8, or a scrape fails.
func readSampleLine(line string) (name string, labels map[string]string, value string, err error) {
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		return "", nil, "", errors.New("no value")
	}
	name, line = line[:i], line[i:]
	if !metricrecord.ValidMetricName([]byte(name)) {
		return "", nil, "", fmt.Errorf("metric name %q", name)
	}
	labels = map[string]string{}
	if strings.HasPrefix(line, "{") {
		line = line[1:]
		prev := ""
		for !strings.HasPrefix(line, "}") {
			eq := strings.Index(line, `="`)
			if eq < 0 {
				return "", nil, "", fmt.Errorf("label without =\" in %q", line)
			}
			k := line[:eq]
			if !metricrecord.ValidLabelName([]byte(k)) {
				return "", nil, "", fmt.Errorf("label name %q", k)
			}
			if _, dup := labels[k]; dup {
				return "", nil, "", fmt.Errorf("label %q twice", k)
			}
			if k < prev {
				return "", nil, "", fmt.Errorf("label %q after %q", k, prev)
			}
			prev = k
			line = line[eq+2:]
			var v strings.Builder
			for {
				if line == "" {
					return "", nil, "", errors.New("unterminated label value")
				}
				c := line[0]
				line = line[1:]
				if c == '"' {
					break
				}
				if c == '\n' {
					return "", nil, "", errors.New("raw newline in a label value")
				}
				if c == '\\' {
					if line == "" {
						return "", nil, "", errors.New("dangling backslash")
					}
					switch line[0] {
					case '\\':
						v.WriteByte('\\')
					case '"':
						v.WriteByte('"')
					case 'n':
						v.WriteByte('\n')
					default:
						return "", nil, "", fmt.Errorf("escape \\%c", line[0])
					}
					line = line[1:]
					continue
				}
				v.WriteByte(c)
			}
			if !utf8.ValidString(v.String()) {
				return "", nil, "", fmt.Errorf("label %q is not UTF-8", k)
			}
			labels[k] = v.String()
			line = strings.TrimPrefix(line, ",")
		}
		line = line[1:]
	}
	if !strings.HasPrefix(line, " ") {
		return "", nil, "", errors.New("no space before the value")
	}
	value = line[1:]
	if _, err := parseSampleValue(value); err != nil {
		return "", nil, "", err
	}
	return name, labels, value, nil
}

// parseSampleValue reads a sample value: a Go float, +Inf, -Inf or NaN.
func parseSampleValue(s string) (float64, error) {
	switch s {
	case "+Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	if strings.ContainsAny(s, " \n") {
		return 0, fmt.Errorf("value %q", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("value %q: %v", s, err)
	}
	return f, nil
}
