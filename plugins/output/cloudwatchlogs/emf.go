package cloudwatchlogs

import (
	"strconv"
	"strings"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// emfFormat writes records as CloudWatch Embedded Metric Format documents
// (log_format json/emf with metric_namespace): a record without an "_aws"
// key gets one declaring its numeric top-level fields as metrics of
// metric_namespace, with metric_dimensions as dimension sets. A record
// that has "_aws" already, or no numeric field, is sent as it is. Fluent
// Bit builds the same metadata for the records of its cpu and mem inputs;
// Sluice does it for any record.
type emfFormat struct {
	// middle is the JSON from after the timestamp to the metric names.
	middle     []byte
	namespace  string
	dimensions [][]string
}

// newEMF parses metric_dimensions: comma-separated keys form one set,
// semicolons separate sets.
func newEMF(namespace, dimensions string) *emfFormat {
	e := &emfFormat{namespace: namespace}
	for _, set := range strings.Split(dimensions, ";") {
		var keys []string
		for _, k := range strings.Split(set, ",") {
			if k = strings.TrimSpace(k); k != "" {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			e.dimensions = append(e.dimensions, keys)
		}
	}
	m := []byte(`,"CloudWatchMetrics":[{"Namespace":`)
	m = record.AppendJSONString(m, []byte(namespace))
	m = append(m, `,"Dimensions":[`...)
	for i, set := range e.dimensions {
		if i > 0 {
			m = append(m, ',')
		}
		m = append(m, '[')
		for j, k := range set {
			if j > 0 {
				m = append(m, ',')
			}
			m = record.AppendJSONString(m, []byte(k))
		}
		m = append(m, ']')
	}
	m = append(m, `],"Metrics":[`...)
	e.middle = m
	return e
}

func isNumber(v []byte) bool {
	switch msgp.NextType(v) {
	case msgp.IntType, msgp.UintType, msgp.Float64Type, msgp.Float32Type:
		return true
	}
	return false
}

// appendRecord writes ev's body as an EMF document (see emfFormat).
func (e *emfFormat) appendRecord(dst []byte, ev *record.Event) []byte {
	plain := func() []byte {
		out, _, err := record.AppendJSON(dst, ev.Body)
		if err != nil {
			return dst
		}
		return out
	}
	if _, has := record.Lookup(ev.Body, "_aws"); has {
		return plain()
	}
	start := len(dst)
	dst = append(dst, `{"_aws":{"Timestamp":`...)
	dst = strconv.AppendInt(dst, int64(ev.Time)/1e6, 10)
	dst = append(dst, e.middle...)
	metrics := 0
	record.MapEntries(ev.Body, func(k, v []byte) bool {
		if isNumber(v) {
			if metrics > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"Name":`...)
			dst = record.AppendJSONString(dst, k)
			dst = append(dst, '}')
			metrics++
		}
		return true
	})
	if metrics == 0 {
		dst = dst[:start]
		return plain()
	}
	// Close Metrics, the directive, CloudWatchMetrics and _aws; the body's
	// members follow (it has some: a numeric one), without its '{'.
	dst = append(dst, "]}]},"...)
	bodyStart := len(dst)
	out, _, err := record.AppendJSON(dst, ev.Body)
	if err != nil {
		return dst[:start]
	}
	copy(out[bodyStart:], out[bodyStart+1:])
	return out[:len(out)-1]
}
