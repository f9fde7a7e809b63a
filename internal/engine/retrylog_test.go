package engine

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRetryLogReportsEachCauseOncePerWindow(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &retryLog{now: func() time.Time { return now }}
	denied := func(id string) error {
		return fmt.Errorf("put log events: AccessDeniedException: not authorized to perform logs:PutLogEvents on arn:aws:logs:us-east-1:123456789012:log-group:/app:*, RequestID: %s", id)
	}
	steps := []struct {
		err        error
		advance    time.Duration
		log        bool
		suppressed int
	}{
		{denied("6b1f0e2a-1111-4c4c-9d9d-aaaaaaaaaaaa"), 0, true, 0},
		{denied("0c2d3e4f-2222-4c4c-9d9d-bbbbbbbbbbbb"), 5 * time.Second, false, 0}, // same cause, another request ID
		{denied("9a8b7c6d-3333-4c4c-9d9d-cccccccccccc"), 5 * time.Second, false, 0},
		{errors.New("dial tcp 127.0.0.1:4588: connect: connection refused"), 0, true, 0}, // a new cause
		{denied("5e5e5e5e-4444-4c4c-9d9d-dddddddddddd"), time.Minute, true, 2},           // the window passed: report with the count
		{denied("5e5e5e5e-5555-4c4c-9d9d-eeeeeeeeeeee"), time.Second, false, 0},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		log, suppressed := l.admit(s.err)
		if log != s.log || suppressed != s.suppressed {
			t.Errorf("step %d: admit = %v, %d; want %v, %d", i, log, suppressed, s.log, s.suppressed)
		}
	}
}
