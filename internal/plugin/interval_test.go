package plugin

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
)

func TestInterval(t *testing.T) {
	spec := Spec{Kind: KindInput, Name: "periodic", Params: IntervalParams("records")}
	for _, tc := range []struct {
		kv   []string
		want time.Duration
	}{
		{nil, time.Second}, // Interval_Sec's default
		{[]string{"Interval_Sec", "5"}, 5 * time.Second},
		{[]string{"Interval_Sec", "0", "Interval_NSec", "250000000"}, 250 * time.Millisecond},
		{[]string{"Interval_Sec", "1", "Interval_NSec", "500000000"}, 1500 * time.Millisecond},
		{[]string{"Interval_Sec", "0", "Interval_NSec", "0"}, 42 * time.Second}, // the fallback
	} {
		sect := &config.Section{Kind: config.KindInput, Params: []config.Param{{Key: "Name", Value: "periodic"}}}
		for i := 0; i+1 < len(tc.kv); i += 2 {
			sect.Params = append(sect.Params, config.Param{Key: tc.kv[i], Value: tc.kv[i+1]})
		}
		c, err := Decode(&spec, sect, "[INPUT] periodic")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Interval(42 * time.Second); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.kv, got, tc.want)
		}
	}
}

func TestTick(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Tick(context.Background(), time.Millisecond, func(time.Time) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("err %v after %d calls, want stop after 3", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Tick(ctx, time.Hour, func(time.Time) error { return stop }); err != nil {
		t.Errorf("cancelled: %v", err)
	}
}
