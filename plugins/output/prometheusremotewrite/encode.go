package prometheusremotewrite

import (
	"errors"
	"math"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sluice-logs/sluice/internal/metricrecord"
	"github.com/sluice-logs/sluice/internal/record"
)

// Field numbers of the Remote-Write 1.0 messages (prometheus/prompb
// remote.proto and types.proto):
//
//	WriteRequest { repeated TimeSeries timeseries = 1; }
//	TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//	Label        { string name = 1; string value = 2; }
//	Sample       { double value = 1; int64 timestamp = 2; }
const (
	fieldTimeseries      = 1
	fieldLabels          = 1
	fieldSamples         = 2
	fieldLabelName       = 1
	fieldLabelValue      = 2
	fieldSampleValue     = 1
	fieldSampleTimestamp = 2
)

var nameLabel = []byte("__name__")

// maxKnownSeries bounds the series a writeRequest remembers between
// chunks; beyond it, the next chunk starts from an empty index.
const maxKnownSeries = 10_000

// writeRequest builds the WriteRequest of one chunk: one TimeSeries per
// distinct label set, its samples sorted by time. It is reused from chunk
// to chunk (pooled by the output) and remembers the series it has seen,
// so a chunk of known series (every scrape of fluentbit_metrics after the
// first) allocates nothing.
type writeRequest struct {
	parser  metricrecord.Parser
	sample  metricrecord.Sample
	index   map[string]int // encoded labels -> position in known
	known   []series
	active  []int  // positions in known of this chunk's series, first-seen order
	gen     uint64 // the current chunk; a series of another one is not active
	limit   int    // maxKnownSeries (tests lower it)
	scratch []byte
	body    []byte
	records []int // chunk indexes of the records in the request
}

// series is one TimeSeries: its labels already encoded as the repeated
// field 1 (sorted by name, __name__ among them), and its samples.
type series struct {
	labels  []byte
	samples []point
	gen     uint64 // the chunk the samples belong to
}

type point struct {
	ms    int64 // milliseconds since the Unix epoch
	value float64
}

func newWriteRequest(extra []metricrecord.Label) *writeRequest {
	return &writeRequest{parser: metricrecord.Parser{Extra: extra}, index: map[string]int{}, gen: 1, limit: maxKnownSeries}
}

// reset starts the request of a new chunk.
func (w *writeRequest) reset() {
	w.gen++
	if len(w.known) > w.limit {
		clear(w.index)
		w.known = w.known[:0]
	}
	w.active, w.records, w.body = w.active[:0], w.records[:0], w.body[:0]
}

// add adds the metric record body at time t as a sample of its series; an
// error says why it is not a metric record.
func (w *writeRequest) add(body []byte, t record.Time) error {
	s := &w.sample
	if !w.parser.Parse(body, s) {
		return errors.New(w.parser.Reason)
	}
	// Labels sorted by name, __name__ in its place ('_' sorts after the
	// upper-case letters); a label with an empty value is no label at all
	// in Prometheus's data model, so it is left out.
	b := w.scratch[:0]
	named := false
	for _, l := range s.Labels {
		if !named && string(l.Name) > string(nameLabel) {
			b, named = appendLabel(b, nameLabel, s.Name), true
		}
		if len(l.Value) > 0 {
			b = appendLabel(b, l.Name, l.Value)
		}
	}
	if !named {
		b = appendLabel(b, nameLabel, s.Name)
	}
	w.scratch = b
	i, ok := w.index[string(b)]
	if !ok {
		i = len(w.known)
		w.index[string(b)] = i
		if i < cap(w.known) { // reuse the buffers of a forgotten series
			w.known = w.known[:i+1]
			w.known[i].labels = append(w.known[i].labels[:0], b...)
			w.known[i].gen = 0
		} else {
			w.known = append(w.known, series{labels: append([]byte(nil), b...)})
		}
	}
	ser := &w.known[i]
	if ser.gen != w.gen {
		ser.gen, ser.samples = w.gen, ser.samples[:0]
		w.active = append(w.active, i)
	}
	sec, nsec := t.Unix()
	ser.samples = append(ser.samples, point{ms: sec*1000 + nsec/1e6, value: s.Value})
	return nil
}

// appendLabel appends one Label as an element of TimeSeries.labels.
func appendLabel(b, name, value []byte) []byte {
	b = protowire.AppendTag(b, fieldLabels, protowire.BytesType)
	n := protowire.SizeTag(fieldLabelName) + protowire.SizeBytes(len(name)) +
		protowire.SizeTag(fieldLabelValue) + protowire.SizeBytes(len(value))
	b = protowire.AppendVarint(b, uint64(n))
	b = protowire.AppendTag(b, fieldLabelName, protowire.BytesType)
	b = protowire.AppendBytes(b, name)
	b = protowire.AppendTag(b, fieldLabelValue, protowire.BytesType)
	return protowire.AppendBytes(b, value)
}

// sampleSize is the encoded size of a Sample message (without its tag and
// length).
func sampleSize(p point) int {
	return protowire.SizeTag(fieldSampleValue) + protowire.SizeFixed64() +
		protowire.SizeTag(fieldSampleTimestamp) + protowire.SizeVarint(uint64(p.ms))
}

// encode writes the WriteRequest into w.body and returns it. Samples are
// sorted by time within each series, as the specification requires.
func (w *writeRequest) encode() []byte {
	b := w.body[:0]
	for _, i := range w.active {
		s := &w.known[i]
		slices.SortStableFunc(s.samples, func(a, b point) int {
			switch {
			case a.ms < b.ms:
				return -1
			case a.ms > b.ms:
				return 1
			}
			return 0
		})
		n := len(s.labels)
		for _, p := range s.samples {
			n += protowire.SizeTag(fieldSamples) + protowire.SizeBytes(sampleSize(p))
		}
		b = protowire.AppendTag(b, fieldTimeseries, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(n))
		b = append(b, s.labels...)
		for _, p := range s.samples {
			b = protowire.AppendTag(b, fieldSamples, protowire.BytesType)
			b = protowire.AppendVarint(b, uint64(sampleSize(p)))
			b = protowire.AppendTag(b, fieldSampleValue, protowire.Fixed64Type)
			b = protowire.AppendFixed64(b, math.Float64bits(p.value))
			b = protowire.AppendTag(b, fieldSampleTimestamp, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(p.ms))
		}
	}
	w.body = b
	return b
}
