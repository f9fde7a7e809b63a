package null

import (
	"context"
	"testing"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestNullAcceptsFluentBitParametersAndDiscards(t *testing.T) {
	spec := Spec()
	sect := &config.Section{Kind: config.KindOutput, Params: []config.Param{
		{Key: "Name", Value: "null"}, {Key: "Match", Value: "*"},
		{Key: "format", Value: "json_lines"}, {Key: "json_date_format", Value: "iso8601"}, {Key: "Workers", Value: "2"},
	}}
	cfg, err := plugin.Decode(&spec, sect, "[OUTPUT] null")
	if err != nil {
		t.Fatal(err)
	}
	out, err := spec.NewOutput(plugin.Settings{ID: "null.0", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var b record.Builder
	b.Append(record.Time(1), nil, []byte{0x80})
	data := b.Bytes()
	if err := out.Flush(context.Background(), &record.Chunk{Tag: "t", Data: data, Records: 1}); err != nil {
		t.Fatal(err)
	}
	if err := out.Flush(context.Background(), &record.Chunk{Tag: "t", Data: []byte{0xc1}, Records: 1}); err != nil {
		t.Errorf("null must accept anything, got %v", err)
	}
}
