package aws

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
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

// firstWait bounds how long the first batch waits for the first round of
// requests, so that the records of the first seconds are enriched too;
// after it, records pass with what is known.
const firstWait = 3 * time.Second

// field is one metadata key the filter can add, in Fluent Bit's order.
type field struct {
	key   string
	fetch func(c *imdsClient, ctx context.Context) (string, error)
}

func path(p string) func(c *imdsClient, ctx context.Context) (string, error) {
	return func(c *imdsClient, ctx context.Context) (string, error) { return c.get(ctx, p) }
}

var fields = []struct {
	param string
	field
}{
	{"az", field{"az", path("/latest/meta-data/placement/availability-zone")}},
	{"ec2_instance_id", field{"ec2_instance_id", path("/latest/meta-data/instance-id")}},
	{"ec2_instance_type", field{"ec2_instance_type", path("/latest/meta-data/instance-type")}},
	{"private_ip", field{"private_ip", path("/latest/meta-data/local-ipv4")}},
	{"vpc_id", field{"vpc_id", (*imdsClient).vpcID}},
	{"ami_id", field{"ami_id", path("/latest/meta-data/ami-id")}},
	{"account_id", field{"account_id", (*imdsClient).accountID}},
	{"hostname", field{"hostname", path("/latest/meta-data/hostname")}},
}

// Filter adds EC2 instance metadata to records. The metadata is fetched
// once, by a goroutine started with the first batch; what is missing
// (IMDS down, tags not yet readable) is fetched again in the background
// until it is known, and records carry what is known meanwhile. It is safe
// for concurrent use.
type Filter struct {
	logger      *slog.Logger
	imds        *imdsClient
	wanted      []field
	tags        bool
	tagsInclude []string
	tagsExclude []string
	retryMax    time.Duration

	// known holds the keys and values fetched so far, in output order,
	// replaced as a whole when more is known.
	known atomic.Pointer[[]pair]

	startOnce sync.Once
	firstDone chan struct{} // closed after the first round of requests
	gaveUp    atomic.Bool   // a batch stopped waiting for the first round
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

type pair struct{ key, value string }

// New returns an aws filter configured by s.Config (see Spec). It does no
// I/O. The IMDS endpoint is http://169.254.169.254, or the
// AWS_EC2_METADATA_SERVICE_ENDPOINT environment variable, as for the AWS
// SDKs.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if c.IsSet("tags_include") && c.IsSet("tags_exclude") {
		return nil, c.Errorf("tags_exclude", "tags_include and tags_exclude cannot both be set; keep one")
	}
	endpoint := strings.TrimRight(os.Getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"), "/")
	if endpoint == "" {
		endpoint = defaultEndpoint
	}
	f := &Filter{
		logger:      logger,
		imds:        &imdsClient{endpoint: endpoint, v2: c.String("imds_version") == "v2", http: &http.Client{}},
		tags:        c.Bool("tags_enabled"),
		tagsInclude: c.List("tags_include"),
		tagsExclude: c.List("tags_exclude"),
		retryMax:    time.Duration(c.Int("retry_interval_s")) * time.Second,
		firstDone:   make(chan struct{}),
	}
	for _, fd := range fields {
		if c.Bool(fd.param) {
			f.wanted = append(f.wanted, fd.field)
		}
	}
	f.known.Store(&[]pair{})
	f.ctx, f.cancel = context.WithCancel(context.Background())
	return f, nil
}

// Filter implements plugin.Filter: it appends the known metadata keys to
// every record. Before anything is known, records pass unchanged.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	f.startOnce.Do(f.start)
	select {
	case <-f.firstDone:
	default:
		if !f.gaveUp.Load() { // only one batch waits for a slow first round
			t := time.NewTimer(firstWait)
			select {
			case <-f.firstDone:
			case <-t.C:
				f.gaveUp.Store(true)
			}
			t.Stop()
		}
	}
	known := *f.known.Load()
	if len(known) == 0 {
		return plugin.FilterUnchanged, nil
	}
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		n, entries, err := msgp.ReadMapHeaderBytes(ev.Body)
		if err != nil {
			out.AppendRaw(ev.Raw)
			continue
		}
		out.BeginEvent(ev.Time, ev.Meta)
		out.AppendMapHeader(int(n) + len(known))
		out.AppendRawValue(entries)
		for _, p := range known {
			out.AppendString(p.key)
			out.AppendString(p.value)
		}
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, fmt.Errorf("aws filter: tag %q: %w", tag, err)
	}
	return plugin.FilterModified, nil
}

func (f *Filter) start() {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.fetchLoop()
	}()
}

// fetchLoop fetches the metadata that is still missing, then waits and
// tries again, with the pause doubling from one second up to
// retry_interval_s, until everything is known or the filter is closed.
func (f *Filter) fetchLoop() {
	values := make([]string, len(f.wanted))
	got := make([]bool, len(f.wanted))
	var tags [][2]string
	tagsDone := !f.tags
	pause := time.Second
	for round := 0; ; round++ {
		var errs []string
		for i, fd := range f.wanted {
			if got[i] {
				continue
			}
			v, err := fd.fetch(f.imds, f.ctx)
			if err != nil {
				errs = append(errs, fd.key+": "+err.Error())
				continue
			}
			values[i], got[i] = v, true
		}
		if !tagsDone {
			t, err := f.imds.tags(f.ctx)
			if err != nil {
				errs = append(errs, "tags: "+err.Error())
			} else {
				tags, tagsDone = f.selectTags(t), true
				if t == nil {
					f.logger.Warn("the instance exposes no tags (404); enable instance metadata tags on the instance to add them")
				}
			}
		}
		f.publish(values, got, tags)
		if round == 0 {
			close(f.firstDone)
		}
		if len(errs) == 0 {
			f.logger.Debug("EC2 metadata complete")
			return
		}
		if f.ctx.Err() != nil {
			return
		}
		f.logger.Warn("EC2 metadata incomplete; records carry what is known, the rest is fetched again",
			"missing", strings.Join(errs, "; "), "retry_in", pause.String())
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-f.ctx.Done():
			t.Stop()
			return
		}
		pause = min(2*pause, f.retryMax)
	}
}

// publish replaces the known pairs: the fields in Fluent Bit's order, then
// the tags.
func (f *Filter) publish(values []string, got []bool, tags [][2]string) {
	known := make([]pair, 0, len(values)+len(tags))
	for i, fd := range f.wanted {
		if got[i] {
			known = append(known, pair{fd.key, values[i]})
		}
	}
	for _, t := range tags {
		known = append(known, pair{t[0], t[1]})
	}
	f.known.Store(&known)
}

// selectTags applies tags_include or tags_exclude.
func (f *Filter) selectTags(all [][2]string) [][2]string {
	var out [][2]string
	for _, t := range all {
		switch {
		case len(f.tagsInclude) > 0 && !slices.Contains(f.tagsInclude, t[0]):
		case slices.Contains(f.tagsExclude, t[0]):
		default:
			out = append(out, t)
		}
	}
	return out
}

// Close stops the background fetches and waits for them.
func (f *Filter) Close(ctx context.Context) error {
	f.cancel()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("aws filter: metadata requests still running at close: %w", ctx.Err())
	}
}
