package ecs

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

var (
	_ plugin.Filter = (*Filter)(nil)
	_ plugin.Closer = (*Filter)(nil)
)

// retryAfter is how long a failed cluster or task lookup is remembered
// before the next batch asks again: the endpoints are local, so this only
// keeps a failing one from being asked at every batch.
const retryAfter = time.Second

// maxTags bounds the per-tag failure counts.
const maxTags = 4096

// Filter adds ECS metadata to records. It is safe for concurrent use.
type Filter struct {
	logger      *slog.Logger
	adds        []addKey
	prefix      string
	clusterOnly bool
	ttl         time.Duration
	retries     int
	useV4       bool
	base        string // agent introspection or task metadata v4 base URL
	wait        time.Duration
	client      *http.Client

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	cluster    *rendered            // agent: cluster metadata; nil until known
	clusterMap map[string]string    // agent: the cluster metadata itself
	clusterBad bool                 // agent: a cluster lookup failure was logged
	containers map[string]*rendered // by short container ID
	byName     map[string]*rendered // v4: by ECS container name
	taskOnly   *rendered            // v4: the task without a container
	flights    map[string]*flight   // lookups in flight or failed recently
	failures   map[string]int       // failed task lookups per tag
	// unenriched counts records that passed without task metadata.
	unenriched atomic.Uint64
}

type addKey struct {
	key  string
	tmpl template
}

// rendered holds the values of the Add keys for one container (or the
// cluster), rendered once from its metadata.
type rendered struct {
	values  []string
	expires time.Time // zero: never
}

// flight is one lookup. Its fetch sets err, then closes done.
type flight struct {
	done     chan struct{}
	err      error
	finished time.Time // set with err
	gaveUp   atomic.Bool
	counted  map[string]bool // tags whose failure was counted; under Filter.mu
}

func (fl *flight) ready() bool {
	select {
	case <-fl.done:
		return true
	default:
		return false
	}
}

// New returns an ecs filter configured by s.Config (see Spec). It does no
// I/O; metadata is fetched when the first records arrive.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f := &Filter{
		logger:      logger,
		prefix:      c.String("ECS_Tag_Prefix"),
		clusterOnly: c.Bool("Cluster_Metadata_Only"),
		ttl:         c.Duration("ECS_Meta_Cache_TTL"),
		retries:     int(c.Int("Agent_Endpoint_Retries")),
		wait:        c.Duration("ECS_Meta_IO_Timeout"),
		containers:  map[string]*rendered{},
		byName:      map[string]*rendered{},
		flights:     map[string]*flight{},
		failures:    map[string]int{},
	}
	if f.wait <= 0 {
		f.wait = 5 * time.Second
	}
	adds := c.AllWords("Add")
	if len(adds) == 0 {
		return nil, c.Errorf("Add", "no Add rule; write at least one, e.g. Add ecs_task_id $TaskID")
	}
	for _, w := range adds {
		t, err := parseTemplate(w[1])
		if err != nil {
			return nil, c.Errorf("Add", "%s: %v", w[0], err)
		}
		f.adds = append(f.adds, addKey{key: w[0], tmpl: t})
	}
	v4 := os.Getenv("ECS_CONTAINER_METADATA_URI_V4")
	switch src := c.String("ECS_Meta_Source"); {
	case src == "task_metadata_v4" && v4 == "":
		return nil, c.Errorf("ECS_Meta_Source", "task_metadata_v4 needs the ECS_CONTAINER_METADATA_URI_V4 environment variable, which ECS sets in every container of a task (platform 1.4.0+ on Fargate, agent 1.39.0+ on EC2)")
	case src == "task_metadata_v4" || src == "auto" && v4 != "":
		f.useV4, f.base = true, strings.TrimRight(v4, "/")
	default:
		f.base = "http://" + net.JoinHostPort(c.String("ECS_Meta_Host"), strconv.FormatInt(c.Int("ECS_Meta_Port"), 10))
	}
	f.client = &http.Client{}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	return f, nil
}

// Filter implements plugin.Filter: it appends the Add keys, rendered from
// the metadata of the record's container, to every record. When only the
// cluster (agent) or the task (v4) is known, the container's keys render
// empty; when nothing is known yet, records pass unchanged, as in Fluent
// Bit.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	r, complete := f.lookup(tag)
	if r == nil {
		n, _ := record.Count(events)
		f.unenriched.Add(uint64(n))
		return plugin.FilterUnchanged, nil
	}
	it := record.NewIterator(events)
	n := 0
	for it.Next() {
		ev := it.Event()
		count, entries, err := msgp.ReadMapHeaderBytes(ev.Body)
		if err != nil {
			out.AppendRaw(ev.Raw)
			continue
		}
		out.BeginEvent(ev.Time, ev.Meta)
		out.AppendMapHeader(int(count) + len(f.adds))
		out.AppendRawValue(entries)
		for i, a := range f.adds {
			out.AppendString(a.key)
			out.AppendString(r.values[i])
		}
		n++
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, fmt.Errorf("ecs filter: tag %q: %w", tag, err)
	}
	if !complete {
		f.unenriched.Add(uint64(n))
	}
	return plugin.FilterModified, nil
}

// lookup returns the rendered Add values for tag and whether they include
// the container's metadata.
func (f *Filter) lookup(tag string) (*rendered, bool) {
	if f.useV4 {
		return f.lookupV4(tag)
	}
	cluster := f.clusterMeta()
	if cluster == nil || f.clusterOnly {
		return cluster, cluster != nil && f.clusterOnly
	}
	f.mu.Lock()
	if f.failures[tag] >= f.retries {
		f.mu.Unlock()
		return cluster, false
	}
	id, ok := f.shortIDOf(tag)
	if !ok {
		f.mu.Unlock()
		f.failed(tag, nil, fmt.Errorf("tag %q is not %s followed by a 12-character container ID; set ECS_Tag_Prefix", tag, f.prefix))
		return cluster, false
	}
	if r := f.containers[id]; r != nil && f.fresh(r) {
		f.mu.Unlock()
		return r, true
	}
	clusterMap := f.clusterMap
	fl := f.startLocked(id, func(ctx context.Context) error {
		t, err := agentTaskOf(ctx, f.client, f.base, id, clusterMap)
		if err == nil {
			f.storeTask(t)
		}
		return err
	})
	f.mu.Unlock()
	if !f.await(fl) {
		return cluster, false
	}
	f.mu.Lock()
	r := f.containers[id]
	f.mu.Unlock()
	if fl.err != nil || r == nil {
		err := fl.err
		if err == nil {
			err = fmt.Errorf("container %s is not in its task's metadata", id)
		}
		f.failed(tag, fl, err)
		return cluster, false
	}
	return r, true
}

// lookupV4 serves from the task of the task metadata endpoint: the
// container by the short ID in the tag, or by the container name of a
// FireLens tag (<container>-firelens-<task ID>), or else the task alone.
func (f *Filter) lookupV4(tag string) (*rendered, bool) {
	for attempt := 0; attempt < 2; attempt++ {
		f.mu.Lock()
		if f.taskOnly != nil && f.fresh(f.taskOnly) {
			r, complete := f.taskOnly, false
			if id, ok := f.shortIDOf(tag); ok && f.containers[id] != nil {
				r, complete = f.containers[id], true
			} else if name, _, ok := strings.Cut(tag, "-firelens-"); ok && f.byName[name] != nil {
				r, complete = f.byName[name], true
			}
			f.mu.Unlock()
			return r, complete || f.clusterOnly
		}
		fl := f.startLocked("task", func(ctx context.Context) error {
			t, err := v4TaskOf(ctx, f.client, f.base)
			if err == nil {
				f.storeTask(t)
			}
			return err
		})
		f.mu.Unlock()
		if !f.await(fl) || fl.err != nil {
			return nil, false
		}
	}
	return nil, false
}

// clusterMeta returns the rendered cluster metadata of the agent, fetching
// it when unknown; nil when it cannot be had (yet).
func (f *Filter) clusterMeta() *rendered {
	f.mu.Lock()
	if f.cluster != nil {
		defer f.mu.Unlock()
		return f.cluster
	}
	fl := f.startLocked("cluster", func(ctx context.Context) error {
		m, err := agentCluster(ctx, f.client, f.base)
		if err == nil {
			f.mu.Lock()
			f.cluster, f.clusterMap = f.render(m, time.Time{}), m
			f.mu.Unlock()
			f.logger.Info("ECS cluster metadata", "cluster", m["ClusterName"], "container_instance", m["ContainerInstanceID"])
			return nil
		}
		f.mu.Lock()
		report := !f.clusterBad
		f.clusterBad = true
		f.mu.Unlock()
		if report {
			f.logger.Warn("cannot get ECS cluster metadata from the agent; records pass unchanged until it answers",
				"error", err, "hint", "ECS_Meta_Host and ECS_Meta_Port must reach the ECS agent introspection API (EC2 launch type only)")
		}
		return err
	})
	f.mu.Unlock()
	if !f.await(fl) {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cluster
}

// startLocked returns the lookup of key, starting one when none is in
// flight and the last one is not a failure of the last second. f.mu must
// be held; run is called without it, in a goroutine owned by the filter.
func (f *Filter) startLocked(key string, run func(ctx context.Context) error) *flight {
	if fl := f.flights[key]; fl != nil {
		if !fl.ready() || fl.err != nil && time.Since(fl.finished) < retryAfter {
			return fl
		}
	}
	fl := &flight{done: make(chan struct{})}
	f.flights[key] = fl
	if f.ctx.Err() != nil { // closed
		fl.err, fl.finished = f.ctx.Err(), time.Now()
		close(fl.done)
		return fl
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		ctx, cancel := context.WithTimeout(f.ctx, f.wait)
		defer cancel()
		err := run(ctx)
		fl.err, fl.finished = err, time.Now()
		close(fl.done)
	}()
	return fl
}

// await waits for fl up to ECS_Meta_IO_Timeout and reports whether it
// finished. After one batch gave up on a lookup, later ones do not wait.
func (f *Filter) await(fl *flight) bool {
	if fl.ready() {
		return true
	}
	if fl.gaveUp.Load() {
		return false
	}
	t := time.NewTimer(f.wait)
	defer t.Stop()
	select {
	case <-fl.done:
		return true
	case <-t.C:
	case <-f.ctx.Done():
	}
	fl.gaveUp.Store(true)
	return false
}

// storeTask caches the rendered metadata of every container of t.
func (f *Filter) storeTask(t *task) {
	var exp time.Time
	if f.ttl > 0 {
		exp = time.Now().Add(f.ttl)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, m := range t.byShortID {
		f.containers[id] = f.render(m, exp)
	}
	for name, m := range t.byName {
		f.byName[name] = f.render(m, exp)
	}
	f.taskOnly = f.render(t.taskOnly, exp)
}

func (f *Filter) render(m map[string]string, exp time.Time) *rendered {
	r := &rendered{values: make([]string, len(f.adds)), expires: exp}
	for i, a := range f.adds {
		r.values[i] = a.tmpl.render(m)
	}
	return r
}

func (f *Filter) fresh(r *rendered) bool { return r.expires.IsZero() || time.Now().Before(r.expires) }

// shortIDOf cuts the 12-character container short ID after ECS_Tag_Prefix.
func (f *Filter) shortIDOf(tag string) (string, bool) {
	rest, ok := strings.CutPrefix(tag, f.prefix)
	if !ok || len(rest) < 12 {
		return "", false
	}
	return rest[:12], true
}

// failed counts a failed task lookup of tag (once per lookup) and logs the
// first one and the last one before Agent_Endpoint_Retries is reached.
func (f *Filter) failed(tag string, fl *flight, err error) {
	f.mu.Lock()
	if fl != nil {
		if fl.counted == nil {
			fl.counted = map[string]bool{}
		}
		if fl.counted[tag] {
			f.mu.Unlock()
			return
		}
		fl.counted[tag] = true
	}
	if len(f.failures) >= maxTags {
		clear(f.failures)
	}
	f.failures[tag]++
	n := f.failures[tag]
	f.mu.Unlock()
	switch {
	case n >= f.retries:
		f.logger.Warn("ECS task metadata lookups for this tag failed; attaching cluster metadata only from now on",
			"tag", tag, "failures", n, "error", err,
			"hint", "logs that are not from an ECS task container (e.g. the Docker daemon's) need Cluster_Metadata_Only On")
	case n == 1:
		f.logger.Info("ECS task metadata lookup failed; attaching cluster metadata only to these records",
			"tag", tag, "error", err, "retries_left", f.retries-n)
	}
}

// Close cancels the lookups in flight and waits for their goroutines.
func (f *Filter) Close(ctx context.Context) error {
	f.cancel()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("ecs filter: metadata requests still running at close: %w", ctx.Err())
	}
	f.client.CloseIdleConnections()
	return nil
}
