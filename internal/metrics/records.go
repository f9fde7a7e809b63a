package metrics

import (
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// The metric record is how metrics travel through a pipeline as ordinary
// records, one record per sample:
//
//	{"metric": "node_load1", "type": "gauge", "labels": {"k": "v"}, "value": 0.52}
//
// The fluentbit_metrics and node_exporter_metrics inputs write it (with
// AppendRecord); the prometheus_exporter output reads it. type is
// "counter", "gauge" or "untyped"; value is a msgpack number.

// AppendRecord appends one metric record to b at time t. labels alternates
// label names and values; value is one encoded msgpack number (e.g. from
// msgp.AppendUint64 or msgp.AppendFloat64).
func AppendRecord(b *record.Builder, t record.Time, name, typ string, labels []string, value []byte) {
	b.BeginEvent(t, nil)
	b.AppendMapHeader(4)
	b.AppendString("metric")
	b.AppendString(name)
	b.AppendString("type")
	b.AppendString(typ)
	b.AppendString("labels")
	b.AppendMapHeader(len(labels) / 2)
	for j := 0; j+1 < len(labels); j += 2 {
		b.AppendString(labels[j])
		b.AppendString(labels[j+1])
	}
	b.AppendString("value")
	b.AppendRawValue(value)
}

// AppendRecords appends one metric record per sample of families to b, at
// time t, with the samples' whole-number values.
func AppendRecords(b *record.Builder, t record.Time, families []Family) {
	var num [9]byte
	for i := range families {
		f := &families[i]
		for _, s := range f.Samples {
			AppendRecord(b, t, f.Name, f.Type, s.Labels, msgp.AppendUint64(num[:0], s.Value))
		}
	}
}
