package engine

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// TapEvent is a batch of records seen at one component: what an input
// emitted (before filters), what a filter let through, or what an output
// delivered. Events is a copy of the batch, made once and shared by every
// reader of the component: readers must not modify it.
type TapEvent struct {
	Component string
	Kind      string // input, filter or output
	Tag       string
	Events    []byte
	Records   int
}

// tapBuffer is how many batches a tap holds for a slow reader; beyond it
// batches are skipped (and counted), so a tap never slows the pipeline.
const tapBuffer = 64

// taps fans batches out to the readers of `sluice tap`. With no reader the
// hot path pays one atomic load per batch.
type taps struct {
	active atomic.Int32
	mu     sync.Mutex
	subs   map[string]map[*tapSub]struct{}
	closed bool
}

type tapSub struct {
	ch      chan TapEvent
	skipped atomic.Uint64
}

func (t *taps) publish(component, kind, tag string, events []byte, records int) {
	if t.active.Load() == 0 {
		return
	}
	// The batch is copied once, outside the lock (the pipeline's batches
	// are reused after the call), and the copy goes to every reader.
	t.mu.Lock()
	n := len(t.subs[component])
	t.mu.Unlock()
	if n == 0 {
		return
	}
	ev := TapEvent{Component: component, Kind: kind, Tag: tag, Events: append([]byte(nil), events...), Records: records}
	t.mu.Lock()
	defer t.mu.Unlock()
	for sub := range t.subs[component] {
		select {
		case sub.ch <- ev:
		default:
			sub.skipped.Add(uint64(records))
		}
	}
}

// Tap subscribes to the batches that pass through the component named
// (an instance name as in the metrics). The channel is closed when stop is
// called or the pipeline shuts down; skipped reports the records not
// delivered to this reader because it fell behind.
func (p *Pipeline) Tap(component string) (events <-chan TapEvent, stop func(), skipped func() uint64, err error) {
	if !p.hasComponent(component) {
		return nil, nil, nil, fmt.Errorf("no component is named %q; components are %v", component, p.componentNames())
	}
	sub := &tapSub{ch: make(chan TapEvent, tapBuffer)}
	t := &p.taps
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, nil, nil, fmt.Errorf("the pipeline is shutting down")
	}
	if t.subs == nil {
		t.subs = map[string]map[*tapSub]struct{}{}
	}
	if t.subs[component] == nil {
		t.subs[component] = map[*tapSub]struct{}{}
	}
	t.subs[component][sub] = struct{}{}
	t.active.Add(1)
	t.mu.Unlock()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			t.mu.Lock()
			defer t.mu.Unlock()
			if _, ok := t.subs[component][sub]; ok {
				delete(t.subs[component], sub)
				t.active.Add(-1)
				close(sub.ch)
			}
		})
	}
	return sub.ch, stop, sub.skipped.Load, nil
}

// closeTaps ends every tap; called when the pipeline has shut down.
func (t *taps) closeTaps() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for _, subs := range t.subs {
		for sub := range subs {
			close(sub.ch)
			t.active.Add(-1)
		}
	}
	t.subs = nil
}

func (p *Pipeline) hasComponent(name string) bool {
	for _, n := range p.componentNames() {
		if n == name {
			return true
		}
	}
	return false
}

func (p *Pipeline) componentNames() []string {
	var names []string
	for _, r := range p.inputs {
		names = append(names, r.id)
	}
	for _, f := range p.filters {
		names = append(names, f.id)
	}
	for _, o := range p.outputs {
		names = append(names, o.id)
	}
	sort.Strings(names)
	return names
}
