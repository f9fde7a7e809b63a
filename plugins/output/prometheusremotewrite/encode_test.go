package prometheusremotewrite

import (
	"fmt"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"

	"github.com/sluice-logs/sluice/internal/metricrecord"
	"github.com/sluice-logs/sluice/internal/record"
)

// event is one record of a test chunk: its time in ms and JSON body.
type event struct {
	ms   int64
	body string
}

func chunkOf(t testing.TB, events ...event) []byte {
	t.Helper()
	var b record.Builder
	for _, e := range events {
		body, err := record.AppendJSONAsMsgpack(nil, []byte(e.body))
		if err != nil {
			t.Fatal(err)
		}
		b.Append(record.Time(e.ms*1e6), nil, body)
	}
	return b.Bytes()
}

func TestEncodeWriteRequest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		extra  [][]string
		events []event
		want   []string // decoded series, in order
		errs   []int    // records add refuses
	}{
		{name: "one sample",
			events: []event{{1700000000123, `{"metric":"up","type":"gauge","value":1}`}},
			want:   []string{"{__name__=up} 1700000000123:1"}},
		{name: "labels sorted with __name__ in place, upper case first",
			events: []event{{1000, `{"metric":"m_total","labels":{"zone":"a","Alpha":"x","name":"tail.0","_x":"y"},"value":5}`}},
			want:   []string{"{Alpha=x,__name__=m_total,_x=y,name=tail.0,zone=a} 1000:5"}},
		{name: "samples of a series sorted by time, series in first-seen order",
			events: []event{
				{3000, `{"metric":"a","labels":{"n":"1"},"value":3}`},
				{1000, `{"metric":"b","value":10}`},
				{1000, `{"metric":"a","labels":{"n":"1"},"value":1}`},
				{2000, `{"metric":"a","labels":{"n":"1"},"value":2}`},
			},
			want: []string{"{__name__=a,n=1} 1000:1 2000:2 3000:3", "{__name__=b} 1000:10"}},
		{name: "labels in any record order are one series",
			events: []event{
				{1000, `{"metric":"a","labels":{"x":"1","y":"2"},"value":1}`},
				{2000, `{"metric":"a","labels":{"y":"2","x":"1"},"value":2}`},
			},
			want: []string{"{__name__=a,x=1,y=2} 1000:1 2000:2"}},
		{name: "add_label overrides, empty values left out",
			extra:  [][]string{{"app", "sluice"}, {"name", "fixed"}},
			events: []event{{1000, `{"metric":"a","labels":{"name":"n","empty":""},"value":-2.5}`}},
			want:   []string{"{__name__=a,app=sluice,name=fixed} 1000:-2.5"}},
		{name: "integers, huge and special values",
			events: []event{
				{1000, `{"metric":"u","value":18446744073709551615}`},
				{1000, `{"metric":"i","value":-9007199254740993}`},
				{1000, `{"metric":"f","value":1e400}`},
				{0, `{"metric":"z","value":0}`},
			},
			want: []string{"{__name__=u} 1000:1.8446744073709552e+19", "{__name__=i} 1000:-9.007199254740992e+15",
				"{__name__=f} 1000:+Inf", "{__name__=z} 0:0"}},
		{name: "records that are not metrics are refused, the rest kept",
			events: []event{
				{1000, `{"log":"hello"}`},
				{1000, `{"metric":"ok","value":1}`},
				{1000, `{"metric":"bad name","value":1}`},
				{1000, `{"metric":"a","labels":{"__name__":"b"},"value":1}`},
			},
			want: []string{"{__name__=ok} 1000:1"}, errs: []int{0, 2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra, err := metricrecord.ExtraLabels(tc.extra)
			if err != nil {
				t.Fatal(err)
			}
			w := newWriteRequest(extra)
			// Three times through the same writeRequest: the second pass
			// finds its series known, the third starts over (limit 0) and
			// reuses the buffers; each must give the same request.
			for pass := 0; pass < 3; pass++ {
				if pass == 2 {
					w.limit = 0
				}
				w.reset()
				var errs []int
				it := record.NewIterator(chunkOf(t, tc.events...))
				for it.Next() {
					if err := w.add(it.Event().Body, it.Event().Time); err != nil {
						errs = append(errs, it.Index())
					}
				}
				got := decodeWriteRequest(t, s2.EncodeSnappy(nil, w.encode()))
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("pass %d: got\n%s\nwant\n%s", pass, strings.Join(strs(got), "\n"), strings.Join(tc.want, "\n"))
				}
				if fmt.Sprint(errs) != fmt.Sprint(tc.errs) && !(len(errs) == 0 && len(tc.errs) == 0) {
					t.Errorf("pass %d: refused %v, want %v", pass, errs, tc.errs)
				}
			}
		})
	}
}

func strs(s []decodedSeries) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.String())
	}
	return out
}

// FuzzEncode feeds arbitrary record bodies to the encoder: whatever it
// accepts must decode, with the independent decoder, into series whose
// labels are sorted, unique and include __name__.
func FuzzEncode(f *testing.F) {
	for _, js := range []string{
		`{"metric":"a_total","type":"counter","labels":{"name":"tail.0"},"value":1}`,
		`{"metric":"b","labels":{"Z":"x","a":""},"value":-1.5}`,
		`{"metric":"c","value":18446744073709551615}`,
		`{"log":"x"}`,
	} {
		b, err := record.AppendJSONAsMsgpack(nil, []byte(js))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, int64(1700000000000))
	}
	f.Fuzz(func(t *testing.T, body []byte, ms int64) {
		w := newWriteRequest([]metricrecord.Label{{Name: []byte("app"), Value: []byte("x")}})
		if w.add(body, record.Time(ms)) != nil {
			return
		}
		_ = w.add(body, record.Time(ms+1)) // the same series again
		got := decodeProto(t, w.encode())
		if len(got) != 1 {
			t.Fatalf("%d series for one accepted record", len(got))
		}
		for _, s := range got {
			named := false
			for i, l := range s.labels {
				name := l[:strings.IndexByte(l, '=')]
				named = named || name == "__name__"
				if i > 0 {
					prev := s.labels[i-1][:strings.IndexByte(s.labels[i-1], '=')]
					if prev >= name {
						t.Fatalf("labels not sorted and unique: %v", s.labels)
					}
				}
				if len(l) == len(name)+1 {
					t.Fatalf("empty label value sent: %v", s.labels)
				}
			}
			if !named || len(s.samples) == 0 {
				t.Fatalf("series %v", s)
			}
		}
	})
}

// TestKnownSeriesOfEarlierChunksAreNotSent checks that a series remembered
// from an earlier chunk is sent only with the samples of its own chunk.
func TestKnownSeriesOfEarlierChunksAreNotSent(t *testing.T) {
	w := newWriteRequest(nil)
	for _, tc := range []struct {
		events []event
		want   string
	}{
		{[]event{{1000, `{"metric":"a","value":1}`}, {1000, `{"metric":"b","value":1}`}}, "[{__name__=a} 1000:1 {__name__=b} 1000:1]"},
		{[]event{{2000, `{"metric":"b","value":2}`}}, "[{__name__=b} 2000:2]"},
		{[]event{{3000, `{"metric":"c","value":3}`}, {3000, `{"metric":"a","value":3}`}}, "[{__name__=c} 3000:3 {__name__=a} 3000:3]"},
	} {
		w.reset()
		it := record.NewIterator(chunkOf(t, tc.events...))
		for it.Next() {
			if err := w.add(it.Event().Body, it.Event().Time); err != nil {
				t.Fatal(err)
			}
		}
		if got := fmt.Sprint(decodeProto(t, w.encode())); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
}
