package awsrecord

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin"
)

func TestDroppedResult(t *testing.T) {
	retry := errors.New("connection reset")
	for _, tc := range []struct {
		name    string
		setup   func(d *Dropped)
		err     error
		class   plugin.ErrorClass
		failed  string
		dropped string // reason[indexes] per Drop
	}{
		{"nothing dropped: err as it is", func(*Dropped) {}, retry, plugin.ClassRetryable, "[]", ""},
		{"nothing dropped, delivered", func(*Dropped) {}, nil, plugin.ClassRetryable, "[]", ""},
		{"drops and the rest delivered", func(d *Dropped) {
			d.TooLarge(2_000_000, 1)
			d.Skip(SkipNoLogKey, 3)
			d.Skip(SkipEmpty, 4)
			d.Malformed(6, 8, errors.New("bad msgpack"))
		}, nil, plugin.ClassPartial, "[]", "oversize[1] missing_key[3] empty[4] malformed[6 7]"},
		{"drops and a partial failure keep the failed", func(d *Dropped) { d.TooLarge(2_000_000, 0, 1) },
			plugin.Partial(retry, []int{2}), plugin.ClassPartial, "[2]", "oversize[0 1]"},
		{"whole chunk retried: drops wait for the attempt that delivers", func(d *Dropped) { d.TooLarge(2_000_000, 0) },
			retry, plugin.ClassRetryable, "[]", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Dropped
			tc.setup(&d)
			err := d.Result(tc.err, "kinesis_streams.0", "Kinesis's 1 MiB record limit", "log")
			if tc.err == nil && tc.dropped == "" {
				if err != nil {
					t.Fatalf("err %v, want nil", err)
				}
				return
			}
			class, _, failed := plugin.Classify(err)
			var got []string
			for _, dr := range plugin.Drops(err) {
				got = append(got, dr.Reason+fmt.Sprint(dr.Indexes))
				if dr.Err == nil {
					t.Errorf("drop %s without an error", dr.Reason)
				}
			}
			gotDropped := fmt.Sprint(got)
			if tc.dropped == "" {
				gotDropped = fmt.Sprint(len(got))
				tc.dropped = "0"
			} else {
				tc.dropped = "[" + tc.dropped + "]"
			}
			if class != tc.class || fmt.Sprint(failed) != tc.failed && !(failed == nil && tc.failed == "[]") || gotDropped != tc.dropped {
				t.Errorf("class %s failed %v drops %s; want %s %s %s", class, failed, gotDropped, tc.class, tc.failed, tc.dropped)
			}
		})
	}
	// Reset reuses the state for the next chunk.
	var d Dropped
	d.TooLarge(5, 0)
	d.Reset()
	if d.Any() {
		t.Error("Reset kept drops")
	}
}
