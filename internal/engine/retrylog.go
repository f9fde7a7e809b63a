package engine

import (
	"regexp"
	"sync"
	"time"
)

// retryLogWindow is how long the same failure is reported once: an outage
// or an AccessDenied retried every few seconds must not flood the log.
const retryLogWindow = time.Minute

// retryLog decides which retries an output logs at warning level: the first
// of each distinct cause, then that cause again at most once a window, with
// the count of repeats in between. Causes are the error texts with their
// variable parts (numbers, request IDs, hashes) blanked.
type retryLog struct {
	mu     sync.Mutex
	causes map[string]*retryCause
	now    func() time.Time
}

type retryCause struct {
	logged     time.Time
	suppressed int
}

// variable matches the parts of an error text that differ between two
// occurrences of the same cause: request IDs, hex and digit runs.
var variable = regexp.MustCompile(`[0-9a-fA-F-]{8,}|\d+`)

// maxCauses bounds the causes remembered per output.
const maxCauses = 256

// admit reports whether this failure should be logged at warning level and,
// if so, how many failures with the same cause were not logged since the
// last time.
func (l *retryLog) admit(err error) (log bool, suppressed int) {
	if err == nil {
		return true, 0
	}
	key := variable.ReplaceAllString(err.Error(), "#")
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now
	if l.now != nil {
		now = l.now
	}
	t := now()
	if l.causes == nil {
		l.causes = map[string]*retryCause{}
	}
	c, ok := l.causes[key]
	if !ok {
		if len(l.causes) >= maxCauses {
			clear(l.causes)
		}
		l.causes[key] = &retryCause{logged: t}
		return true, 0
	}
	if t.Sub(c.logged) < retryLogWindow {
		c.suppressed++
		return false, 0
	}
	n := c.suppressed
	c.logged, c.suppressed = t, 0
	return true, n
}
