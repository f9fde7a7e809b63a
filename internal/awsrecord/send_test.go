package awsrecord

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// sendBatch is a batch of n one-byte entries, entry i carrying chunk
// record i, except entry 2, which aggregates records 2 and 3 (so a batch of
// n entries carries n+1 records).
func sendBatch(n int) *Batch {
	b := &Batch{}
	rec := 0
	for i := 0; i < n; i++ {
		b.Arena = append(b.Arena, 'x')
		e := Entry{Start: i, End: i + 1, First: len(b.Members)}
		b.Members = append(b.Members, rec)
		rec++
		if i == 2 {
			b.Members = append(b.Members, rec)
			rec++
		}
		e.Last = len(b.Members)
		b.Entries = append(b.Entries, e)
	}
	return b
}

func TestSend(t *testing.T) {
	const throttle = "Throttled"
	ok := func(ctx context.Context, start, end int) ([]RecordResult, error) {
		return make([]RecordResult, end-start), nil
	}
	tests := []struct {
		name string
		call func(calls *int) CallFunc
		want SendReport
	}{
		{"every record accepted, in calls of 2", func(calls *int) CallFunc {
			return func(ctx context.Context, s, e int) ([]RecordResult, error) { *calls++; return ok(ctx, s, e) }
		}, SendReport{ThrottledOnly: true}},
		{"some records refused", func(calls *int) CallFunc {
			return func(_ context.Context, s, e int) ([]RecordResult, error) {
				*calls++
				res := make([]RecordResult, e-s)
				for i := range res {
					if s+i == 2 {
						res[i] = RecordResult{"InternalFailure", "try again"}
					}
					if s+i == 4 {
						res[i] = RecordResult{Code: throttle}
					}
				}
				return res, nil
			}
		}, SendReport{Failed: []int{2, 3, 5}, FirstCode: "InternalFailure", FirstMessage: "try again"}},
		{"only throttling", func(calls *int) CallFunc {
			return func(_ context.Context, s, e int) ([]RecordResult, error) {
				*calls++
				res := make([]RecordResult, e-s)
				res[0] = RecordResult{Code: throttle}
				return res, nil
			}
		}, SendReport{Failed: []int{0, 2, 3, 5}, FirstCode: throttle, ThrottledOnly: true}},
		{"a result missing", func(calls *int) CallFunc {
			return func(ctx context.Context, s, e int) ([]RecordResult, error) {
				*calls++
				if s == 2 {
					return nil, nil
				}
				return ok(ctx, s, e)
			}
		}, SendReport{Failed: []int{2, 3, 4}, FirstCode: "IncompleteResponse", FirstMessage: "0 results for 2 records"}},
		{"the first call fails", func(calls *int) CallFunc {
			return func(context.Context, int, int) ([]RecordResult, error) { *calls++; return nil, errors.New("down") }
		}, SendReport{Failed: []int{0, 1, 2, 3, 4, 5}, NothingSent: true, ThrottledOnly: true}},
		{"a later call fails", func(calls *int) CallFunc {
			return func(ctx context.Context, s, e int) ([]RecordResult, error) {
				*calls++
				if s == 2 {
					return nil, errors.New("down")
				}
				return ok(ctx, s, e)
			}
		}, SendReport{Failed: []int{2, 3, 4, 5}, ThrottledOnly: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := sendBatch(5)
			calls := 0
			rep := b.Send(context.Background(), Limits{Records: 2, CallBytes: 1 << 20}, throttle, nil, tt.call(&calls))
			if (rep.CallErr != nil) != (tt.name == "the first call fails" || tt.name == "a later call fails") {
				t.Errorf("CallErr %v", rep.CallErr)
			}
			rep.CallErr = nil
			if fmt.Sprint(rep) != fmt.Sprint(tt.want) {
				t.Errorf("report %+v\nwant   %+v", rep, tt.want)
			}
			if calls == 0 {
				t.Error("no call made")
			}
		})
	}
}
