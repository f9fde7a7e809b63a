package metricrecord

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/sluice-logs/sluice/internal/record"
)

func msgpackOf(t testing.TB, js string) []byte {
	t.Helper()
	b, err := record.AppendJSONAsMsgpack(nil, []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func render(s *Sample) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s {", s.Name, s.Type)
	for i, l := range s.Labels {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%s", l.Name, l.Value)
	}
	fmt.Fprintf(&b, "} %s", s.AppendValueText(nil))
	return b.String()
}

func TestParse(t *testing.T) {
	extra := []Label{{[]byte("app"), []byte("sluice")}, {[]byte("name"), []byte("fixed")}}
	for _, tc := range []struct {
		name, body string
		extra      bool
		want       string // rendered sample, or "" when rejected
		reason     string
		value      float64
	}{
		{name: "counter", body: `{"metric":"a_total","type":"counter","labels":{"name":"tail.0"},"value":1}`,
			want: "a_total counter {name=tail.0} 1", value: 1},
		{name: "labels sorted, no type", body: `{"metric":"a:b","labels":{"z":"1","b":"2","A":"3"},"value":-2}`,
			want: "a:b  {A=3,b=2,z=1} -2", value: -2},
		{name: "add_label replaces and sorts", extra: true, body: `{"metric":"a","labels":{"name":"n","x":"y"},"value":0.5}`,
			want: "a  {app=sluice,name=fixed,x=y} 0.5", value: 0.5},
		{name: "no labels, nil labels", body: `{"metric":"a","labels":null,"value":2.5e10}`, want: "a  {} 2.5e+10", value: 2.5e10},
		{name: "uint64 exact in text", body: `{"metric":"a","value":18446744073709551615}`,
			want: "a  {} 18446744073709551615", value: math.MaxUint64},
		{name: "infinity", body: `{"metric":"a","value":1e400}`, want: "a  {} +Inf", value: math.Inf(1)},
		{name: "not a metric", body: `{"log":"x"}`, reason: `"metric"`},
		{name: "bad metric name", body: `{"metric":"9a","value":1}`, reason: `"metric"`},
		{name: "bad label name", body: `{"metric":"a","labels":{"a-b":"x"},"value":1}`, reason: `"labels"`},
		{name: "label value not a string", body: `{"metric":"a","labels":{"n":1},"value":1}`, reason: `"labels"`},
		{name: "label value not UTF-8", body: "{\"metric\":\"a\",\"labels\":{\"n\":\"\xff\"},\"value\":1}", reason: `"labels"`},
		{name: "__name__ label", body: `{"metric":"a","labels":{"__name__":"b"},"value":1}`, reason: `"labels"`},
		{name: "labels not a map", body: `{"metric":"a","labels":"x","value":1}`, reason: `"labels"`},
		{name: "no value", body: `{"metric":"a"}`, reason: `"value"`},
		{name: "string value", body: `{"metric":"a","value":"1"}`, reason: `"value"`},
		{name: "bool value", body: `{"metric":"a","value":true}`, reason: `"value"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Parser{}
			if tc.extra {
				p.Extra = extra
			}
			var s Sample
			ok := p.Parse(msgpackOf(t, tc.body), &s)
			if tc.want == "" {
				if ok || !strings.Contains(p.Reason, tc.reason) {
					t.Fatalf("ok=%v reason %q, want rejection naming %s", ok, p.Reason, tc.reason)
				}
				return
			}
			if !ok {
				t.Fatalf("rejected: %s", p.Reason)
			}
			if got := render(&s); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if s.Value != tc.value {
				t.Errorf("value %v, want %v", s.Value, tc.value)
			}
		})
	}
}

func TestParseDuplicateLabel(t *testing.T) {
	// A msgpack map may repeat a key; JSON input cannot, so build it.
	var b record.Builder
	b.BeginEvent(1, nil)
	b.AppendMapHeader(3)
	b.AppendString("metric")
	b.AppendString("a")
	b.AppendString("labels")
	b.AppendMapHeader(2)
	b.AppendString("n")
	b.AppendString("1")
	b.AppendString("n")
	b.AppendString("2")
	b.AppendString("value")
	b.AppendString("x")
	it := record.NewIterator(b.Bytes())
	it.Next()
	var p Parser
	if p.Parse(it.Event().Body, new(Sample)) || !strings.Contains(p.Reason, "twice") {
		t.Fatalf("accepted a repeated label (reason %q)", p.Reason)
	}
}

func TestExtraLabels(t *testing.T) {
	if l, err := ExtraLabels([][]string{{"app", "x"}, {"env", "prod"}}); err != nil || len(l) != 2 || string(l[1].Value) != "prod" {
		t.Errorf("got %v, %v", l, err)
	}
	for _, bad := range [][]string{{"bad-name", "x"}, {"__name__", "x"}, {"only"}} {
		if _, err := ExtraLabels([][]string{bad}); err == nil || !strings.Contains(err.Error(), "add_label") {
			t.Errorf("%q: err %v, want one explaining add_label", bad, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, js := range []string{
		`{"metric":"a_total","type":"counter","labels":{"name":"tail.0"},"value":1}`,
		`{"metric":"b","labels":{"l":"x\"y","a":"b"},"value":-1.5}`,
		`{"metric":"c","value":18446744073709551615}`,
		`{"log":"x"}`,
	} {
		f.Add(msgpackOf(f, js))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p := Parser{Extra: []Label{{[]byte("app"), []byte("x")}}}
		var s Sample
		if !p.Parse(body, &s) {
			if p.Reason == "" {
				t.Fatal("rejected without a reason")
			}
			return
		}
		if !ValidMetricName(s.Name) || len(s.AppendValueText(nil)) == 0 {
			t.Fatalf("accepted %q with value %q", s.Name, s.AppendValueText(nil))
		}
		for i, l := range s.Labels {
			if !ValidLabelName(l.Name) || string(l.Name) == "__name__" {
				t.Fatalf("label name %q", l.Name)
			}
			if i > 0 && string(s.Labels[i-1].Name) >= string(l.Name) {
				t.Fatalf("labels not sorted and unique: %q", s.Labels)
			}
		}
	})
}
