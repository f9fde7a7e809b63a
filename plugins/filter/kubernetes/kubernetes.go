package kubernetes

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

var (
	_ plugin.Filter = (*Filter)(nil)
	_ plugin.Closer = (*Filter)(nil)
)

// maxTags bounds the cache of parsed tags; a node's container log files
// come and go, so the cache is emptied when it fills up.
const maxTags = 4096

// Filter adds Kubernetes metadata to the records of container log files.
// It is safe for concurrent use by several inputs.
type Filter struct {
	logger *slog.Logger
	prefix string
	regex  *regexp.Regexp
	meta   metaOptions
	// tagParser is Regex_Parser's parser, instead of regex; mergeParser
	// is Merge_Parser's, instead of JSON; parsers resolves the
	// fluentbit.io/parser annotations.
	tagParser, mergeParser *parser.Parser
	parsers                *parser.Registry

	mergeLog, keepLog, mergeTrim bool
	mergeKey                     string
	allowParser, allowExclude    bool
	useTagForMeta, useDockerID   bool
	nsOnly, nsLabels, nsAnno     bool
	// wait bounds both one API request and how long a batch waits for it.
	wait time.Duration

	api        *apiClient
	pods       *metaCache[*podEntry]
	namespaces *metaCache[[]byte]

	// ctx ends at Close, cancelling the fetches in flight; wg waits for
	// them.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	tagMu sync.RWMutex
	tags  map[string]*tagInfo // nil: the tag names no pod (reported once)

	scratch sync.Pool // *[]byte for Merge_Log

	// unenriched counts records that passed without pod metadata (API
	// error, or slower than Kube_Meta_IO_Timeout); excluded counts records
	// dropped by fluentbit.io/exclude.
	unenriched, excluded atomic.Uint64
}

// podEntry is the fetched metadata of one pod and the kubernetes maps built
// from it, one per container, on first use.
type podEntry struct {
	pod *pod

	mu         sync.Mutex
	containers map[string]*containerMeta
}

// containerMeta is what the filter adds to the records of one container.
type containerMeta struct {
	meta  []byte // msgpack map, the value of "kubernetes"
	props props
	// stdoutParser and stderrParser parse the log field with Merge_Log, as
	// the pod's fluentbit.io/parser annotations ask (nil: none).
	stdoutParser, stderrParser *parser.Parser
}

// parserFor returns the annotation parser for a record of stream, as Fluent
// Bit picks it: the stream's, or for a record of no known stream the one
// parser both streams share.
func (cm *containerMeta) parserFor(stream []byte) *parser.Parser {
	switch string(stream) {
	case "stdout":
		return cm.stdoutParser
	case "stderr":
		return cm.stderrParser
	}
	if cm.stdoutParser == cm.stderrParser {
		return cm.stdoutParser
	}
	return nil
}

// New returns a kubernetes filter configured by s.Config (see Spec). It does
// no I/O: the token, the CA file and the API are read when the first
// records arrive.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if c.Bool("Use_Journal") {
		return nil, c.Errorf("Use_Journal", "journald records are not supported; read /var/log/containers with the tail input instead")
	}
	var tagParser, mergeParser *parser.Parser
	if name := c.String("Regex_Parser"); name != "" {
		p, ok := s.Parsers.Lookup(name)
		if !ok {
			return nil, c.Errorf("Regex_Parser", "no parser named %q; %s", name, s.Parsers.UnknownHint(name))
		}
		if p.Format() != parser.FormatRegex {
			return nil, c.Errorf("Regex_Parser", "parser %q has Format %s; the tag needs a regex parser with pod_name, namespace_name, container_name and docker_id groups", name, p.Format())
		}
		tagParser = p
	}
	if name := c.String("Merge_Parser"); name != "" {
		p, ok := s.Parsers.Lookup(name)
		if !ok {
			return nil, c.Errorf("Merge_Parser", "no parser named %q; %s", name, s.Parsers.UnknownHint(name))
		}
		mergeParser = p
	}
	base := strings.TrimRight(strings.TrimSpace(c.String("Kube_URL")), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, c.Errorf("Kube_URL", "invalid URL %q; write http(s)://host[:port], e.g. https://kubernetes.default.svc:443", base)
	}
	wait := c.Duration("Kube_Meta_IO_Timeout")
	if wait <= 0 {
		wait = 30 * time.Second
	}
	f := &Filter{
		logger:        logger,
		prefix:        c.String("Kube_Tag_Prefix"),
		regex:         tagRegex(),
		tagParser:     tagParser,
		mergeParser:   mergeParser,
		parsers:       s.Parsers,
		meta:          metaOptions{labels: c.Bool("Labels"), annotations: c.Bool("Annotations"), ownerReferences: c.Bool("Owner_References")},
		mergeLog:      c.Bool("Merge_Log"),
		keepLog:       c.Bool("Keep_Log"),
		mergeTrim:     c.Bool("Merge_Log_Trim"),
		mergeKey:      c.String("Merge_Log_Key"),
		allowParser:   c.Bool("K8S-Logging.Parser"),
		allowExclude:  c.Bool("K8S-Logging.Exclude"),
		useTagForMeta: c.Bool("Use_Tag_For_Meta"),
		useDockerID:   c.Bool("Cache_Use_Docker_ID"),
		nsOnly:        c.Bool("Namespace_Metadata_Only"),
		nsLabels:      c.Bool("Namespace_Labels"),
		nsAnno:        c.Bool("Namespace_Annotations"),
		wait:          wait,
		tags:          map[string]*tagInfo{},
		api: &apiClient{
			apiBase:     base,
			kubeletBase: "https://" + joinHostPort(c.String("Kubelet_Host"), c.Int("Kubelet_Port")),
			useKubelet:  c.Bool("Use_Kubelet"),
			maxBody:     c.Size("Buffer_Size"),
			tokenFile:   c.String("Kube_Token_File"),
			tokenTTL:    c.Duration("Kube_Token_TTL"),
			caFile:      c.String("Kube_CA_File"),
			caPath:      c.String("Kube_CA_Path"),
			vhost:       c.String("tls.vhost"),
			verify:      c.Bool("tls.verify"),
			logger:      logger,
			now:         time.Now,
		},
	}
	f.pods = newMetaCache[*podEntry](c.Duration("Kube_Meta_Cache_TTL"), c.Duration("Kube_Meta_Negative_Cache_TTL"), time.Now)
	f.namespaces = newMetaCache[[]byte](c.Duration("Kube_Meta_Namespace_Cache_TTL"), c.Duration("Kube_Meta_Negative_Cache_TTL"), time.Now)
	f.ctx, f.cancel = context.WithCancel(context.Background())
	f.scratch.New = func() any { b := make([]byte, 0, 1024); return &b }
	return f, nil
}

func joinHostPort(host string, port int64) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.FormatInt(port, 10)
}

// Filter implements plugin.Filter. Records of a tag that names no pod pass
// unchanged. Otherwise each record gets a "kubernetes" map (and a
// "kubernetes_namespace" map with Namespace_Labels or
// Namespace_Annotations), its log field merged with Merge_Log, and is
// dropped when its pod excludes it. When the metadata cannot be had — the
// API failed, or did not answer within Kube_Meta_IO_Timeout — the records
// pass without it, as in Fluent Bit; they are counted, and the failure is
// logged once per lookup.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	ti := f.tagInfo(tag)
	if ti == nil {
		return plugin.FilterUnchanged, nil
	}
	var (
		cm      *containerMeta
		podLook *lookup[*podEntry]
		nsLook  *lookup[[]byte]
		nsMeta  []byte
	)
	if f.nsLabels || f.nsAnno { // started first, so that both requests run at once
		nsLook = f.namespaceLookup(ti)
	}
	switch {
	case f.useTagForMeta:
		cm = ti.tagMeta
	case !f.nsOnly:
		cm, podLook = f.podMeta(ti)
	}
	if nsLook != nil {
		nsMeta = f.namespaceMeta(ti, nsLook)
	}
	if cm == nil && nsMeta == nil && !f.mergeLog {
		if podLook != nil {
			n, _ := record.Count(events)
			f.noMetadata(ti, podLook, n)
		}
		return plugin.FilterUnchanged, nil
	}

	var kube []byte
	var pr *props
	if cm != nil {
		kube, pr = cm.meta, &cm.props
	}
	exclude := pr != nil && pr.anyExclude()
	annotated := f.mergeLog && cm != nil && (cm.stdoutParser != nil || cm.stderrParser != nil)
	sc := f.scratch.Get().(*[]byte)
	defer f.scratch.Put(sc)
	passed := 0
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		var stream []byte
		if exclude || annotated {
			v, _ := record.Lookup(ev.Body, "stream")
			stream, _ = record.StringValue(v)
		}
		if exclude && pr.excludes(stream) {
			f.excluded.Add(1)
			continue
		}
		p := f.mergeParser
		if annotated {
			if ap := cm.parserFor(stream); ap != nil {
				p = ap
			}
		}
		f.appendRecord(out, ev, kube, nsMeta, p, sc)
		passed++
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, fmt.Errorf("kubernetes filter: tag %q: %w", tag, err)
	}
	if cm == nil && podLook != nil {
		f.noMetadata(ti, podLook, passed)
	}
	return plugin.FilterModified, nil
}

// tagInfo parses tag, once per tag. It returns nil for a tag that names no
// pod, after logging it once.
func (f *Filter) tagInfo(tag string) *tagInfo {
	f.tagMu.RLock()
	ti, ok := f.tags[tag]
	f.tagMu.RUnlock()
	if ok {
		return ti
	}
	var parsed tagInfo
	var matched bool
	if f.tagParser != nil {
		parsed, matched = parseTagWith(f.tagParser, f.prefix, tag, f.useDockerID)
	} else {
		parsed, matched = parseTag(f.regex, f.prefix, tag, f.useDockerID)
	}
	if matched {
		ti = &parsed
		if f.useTagForMeta {
			ti.tagMeta = &containerMeta{meta: appendTagMeta(nil, ti)}
		}
	} else {
		f.logger.Warn("tag names no pod; its records pass without Kubernetes metadata",
			"tag", tag, "want", f.prefix+"<pod>_<namespace>_<container>-<64 hex container id>.log")
	}
	f.tagMu.Lock()
	if len(f.tags) >= maxTags {
		clear(f.tags)
	}
	f.tags[tag] = ti
	f.tagMu.Unlock()
	return ti
}

// podMeta returns the metadata of the tag's container, waiting for the API
// at most Kube_Meta_IO_Timeout. It returns nil when the metadata is not
// available (yet), with the lookup that says why.
func (f *Filter) podMeta(ti *tagInfo) (*containerMeta, *lookup[*podEntry]) {
	l := f.pods.get(ti.podKey, func(l *lookup[*podEntry]) {
		f.fetch(func(ctx context.Context) {
			p, err := f.api.pod(ctx, ti.namespace, ti.pod)
			var e *podEntry
			if err != nil {
				err = fmt.Errorf("pod %s/%s: %w", ti.namespace, ti.pod, err)
			} else {
				e = &podEntry{pod: p, containers: map[string]*containerMeta{}}
			}
			f.pods.finish(l, e, err)
		})
	})
	if !f.await(l.done, &l.gaveUp) || l.err != nil {
		return nil, l
	}
	return f.containerMeta(l.value, ti), l
}

// containerMeta returns the kubernetes map of one container of e, building
// it on first use.
func (f *Filter) containerMeta(e *podEntry, ti *tagInfo) *containerMeta {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cm, ok := e.containers[ti.containerKey]; ok {
		return cm
	}
	pr, warns := resolveProps(e.pod.annotations, ti.container, f.allowParser, f.allowExclude)
	for _, w := range warns {
		f.logger.Warn("fluentbit.io annotation ignored", "annotation", w.key, "reason", w.msg,
			"namespace", ti.namespace, "pod", ti.pod, "container", ti.container)
	}
	cm := &containerMeta{meta: appendPodMeta(nil, e.pod, ti, f.meta), props: pr}
	lookupParser := func(name string) *parser.Parser {
		if name == "" {
			return nil
		}
		p, ok := f.parsers.Lookup(name)
		if !ok {
			f.logger.Warn("fluentbit.io/parser annotation names no parser; the log is merged as JSON",
				"parser", name, "namespace", ti.namespace, "pod", ti.pod, "container", ti.container, "hint", f.parsers.UnknownHint(name))
		}
		return p
	}
	cm.stdoutParser = lookupParser(pr.stdoutParser)
	if pr.stderrParser == pr.stdoutParser {
		cm.stderrParser = cm.stdoutParser
	} else {
		cm.stderrParser = lookupParser(pr.stderrParser)
	}
	e.containers[ti.containerKey] = cm
	return cm
}

// namespaceLookup returns the lookup of the tag's namespace, starting it
// when needed.
func (f *Filter) namespaceLookup(ti *tagInfo) *lookup[[]byte] {
	return f.namespaces.get(ti.namespace, func(l *lookup[[]byte]) {
		f.fetch(func(ctx context.Context) {
			ns, err := f.api.namespace(ctx, ti.namespace)
			var meta []byte
			if err != nil {
				err = fmt.Errorf("namespace %s: %w", ti.namespace, err)
			} else {
				meta = appendNamespaceMeta(nil, ns, ti.namespace, f.nsLabels, f.nsAnno)
			}
			f.namespaces.finish(l, meta, err)
		})
	})
}

// namespaceMeta returns the kubernetes_namespace map of l, waiting for it at
// most Kube_Meta_IO_Timeout, or nil when it is not available.
func (f *Filter) namespaceMeta(ti *tagInfo, l *lookup[[]byte]) []byte {
	if !f.await(l.done, &l.gaveUp) || l.err != nil {
		if l.reported.CompareAndSwap(false, true) {
			f.logger.Warn("namespace metadata not available; records pass without kubernetes_namespace",
				"namespace", ti.namespace, "reason", f.reason(l.done, func() error { return l.err }))
		}
		return nil
	}
	return l.value
}

// fetch runs one request in a goroutine owned by the filter, bounded by
// Kube_Meta_IO_Timeout and cancelled by Close.
func (f *Filter) fetch(run func(ctx context.Context)) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		ctx, cancel := context.WithTimeout(f.ctx, f.wait)
		defer cancel()
		run(ctx)
	}()
}

// await waits for done up to Kube_Meta_IO_Timeout and reports whether the
// fetch finished. Once one batch gave up on a fetch, later batches do not
// wait for it again: a slow API costs the pipeline one wait per lookup, not
// one per batch.
func (f *Filter) await(done <-chan struct{}, gaveUp *atomic.Bool) bool {
	select {
	case <-done:
		return true
	default:
	}
	if gaveUp.Load() {
		return false
	}
	t := time.NewTimer(f.wait)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
	case <-f.ctx.Done():
	}
	gaveUp.Store(true)
	return false
}

// noMetadata counts records that passed without pod metadata and logs the
// reason once per lookup.
func (f *Filter) noMetadata(ti *tagInfo, l *lookup[*podEntry], records int) {
	f.unenriched.Add(uint64(records))
	if l.reported.CompareAndSwap(false, true) {
		f.logger.Warn("pod metadata not available; records pass without the kubernetes map",
			"namespace", ti.namespace, "pod", ti.pod, "reason", f.reason(l.done, func() error { return l.err }))
	}
}

// reason says why a lookup has no metadata; err is read only once done is
// closed, when the fetch has set it.
func (f *Filter) reason(done <-chan struct{}, errOf func() error) string {
	select {
	case <-done:
		if err := errOf(); err != nil {
			return err.Error()
		}
		return "unknown"
	default:
		return fmt.Sprintf("the API did not answer within Kube_Meta_IO_Timeout (%s); records pass without metadata until it does", f.wait)
	}
}

// Close cancels the requests in flight and waits for their goroutines.
func (f *Filter) Close(ctx context.Context) error {
	f.cancel()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("kubernetes filter: metadata requests still running at close: %w", ctx.Err())
	}
	f.api.close()
	if n := f.unenriched.Load(); n > 0 {
		f.logger.Info("records passed without Kubernetes metadata", "records", n)
	}
	return nil
}
