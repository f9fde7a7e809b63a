package httpout

import (
	"testing"

	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestAppendDate(t *testing.T) {
	ts := record.Time(1527673192000681000) // 2018-05-30T09:39:52.000681Z
	for _, tc := range []struct {
		f    DateFormat
		want string
	}{
		{DateDouble, `1527673192.000681`},
		{DateEpoch, `1527673192`},
		{DateEpochMS, `1527673192000`},
		{DateISO8601, `"2018-05-30T09:39:52.000681Z"`},
		{DateJavaSQL, `"2018-05-30 09:39:52.000681"`},
		{DateISO8601Millis, `"2018-05-30T09:39:52.000Z"`},
	} {
		if got := string(AppendDate(nil, ts, tc.f)); got != tc.want {
			t.Errorf("format %d: got %s, want %s", tc.f, got, tc.want)
		}
	}
	if ParseDateFormat("iso8601") != DateISO8601 || ParseDateFormat("epoch_ms") != DateEpochMS {
		t.Error("ParseDateFormat")
	}
}

func TestAppendRecordJSON(t *testing.T) {
	events, _ := plugintest.Events(t, `{"a":1,"b":"x"}`, `{}`)
	it := record.NewIterator(events)
	var got []string
	for it.Next() {
		b, err := AppendRecordJSON(nil, it.Event(), "date", DateEpoch)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
		b, _ = AppendRecordJSON(nil, it.Event(), "", DateEpoch)
		got = append(got, string(b))
	}
	want := []string{`{"date":1704067200,"a":1,"b":"x"}`, `{"a":1,"b":"x"}`, `{"date":1704067201}`, `{}`}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %s, want %s", i, got[i], want[i])
		}
	}
}
