package k8saudit

import (
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

// maxGroups bounds the groups a threshold tracks (one per source IP, say),
// so a scan from many addresses cannot grow memory without limit.
const maxGroups = 10000

// threshold fires when count matching events of one group fall within
// window. After firing, the group starts counting afresh, so a sustained
// attack alerts once per count events rather than on every event.
type threshold struct {
	count   int
	window  time.Duration
	groupBy *field
	groups  map[string]*window
}

type window struct {
	times []record.Time // oldest first, at most count
}

// observe records a matching event of group key at time at and reports
// whether the threshold fired, with the number of events it counted.
func (t *threshold) observe(key string, at record.Time) (bool, int) {
	w := t.groups[key]
	if w == nil {
		if len(t.groups) >= maxGroups {
			t.expire(at)
		}
		w = &window{times: make([]record.Time, 0, t.count)}
		t.groups[key] = w
	}
	cutoff := at - record.Time(t.window)
	keep := w.times[:0]
	for _, ts := range w.times {
		if ts > cutoff {
			keep = append(keep, ts)
		}
	}
	w.times = append(keep, at)
	if len(w.times) < t.count {
		return false, len(w.times)
	}
	n := len(w.times)
	w.times = w.times[:0]
	return true, n
}

// expire forgets the groups with no event inside the window of now, and
// every group if that frees nothing.
func (t *threshold) expire(now record.Time) {
	cutoff := now - record.Time(t.window)
	for k, w := range t.groups {
		if len(w.times) == 0 || w.times[len(w.times)-1] <= cutoff {
			delete(t.groups, k)
		}
	}
	if len(t.groups) >= maxGroups {
		clear(t.groups)
	}
}
