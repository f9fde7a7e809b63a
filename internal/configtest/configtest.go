// Package configtest runs configuration unit tests, in the spirit of
// `vector test`: a test file names a configuration, gives records to put in
// under tags, and says what each output must receive. `sluice test` is its
// command.
//
// A test runs the configuration's real filters and routing in-process. Its
// inputs are replaced by the records of the test (each under the tag the
// test gives, as if the configured input had produced them) and its
// outputs by captures with the same instance names and Match rules, so
// nothing is sent anywhere and no input needs a socket or a file.
//
// # File format
//
//	config: ../firelens/extra.conf   # relative to the test file
//	tests:
//	  - name: secrets are masked before they leave
//	    inputs:
//	      - tag: app.web
//	        time: 2024-05-01T12:00:00Z   # optional; default: now
//	        records:
//	          - {log: "login password=hunter2"}
//	    expect:
//	      - output: app_logs            # the output's Alias, or <plugin>.<n>
//	        count: 1                    # optional: exactly this many records
//	        tag: app.web                # optional: every record has this tag
//	        records:                    # optional: in order; each listed key
//	          - {log: "login password=[REDACTED:password]"}   # must be equal
//
// A record matches an expected one when every key of the expected record is
// present with an equal value; maps compare the same way, recursively, and
// other values must be equal. Outputs not listed are not checked.
package configtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/engine"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	"gopkg.in/yaml.v3"
)

// File is a parsed test file.
type File struct {
	Path   string `yaml:"-"`
	Config string `yaml:"config"`
	Tests  []Case `yaml:"tests"`
}

// Case is one test: records in, expectations out.
type Case struct {
	Name   string   `yaml:"name"`
	Inputs []Input  `yaml:"inputs"`
	Expect []Expect `yaml:"expect"`
}

// Input is a batch of records put in under one tag.
type Input struct {
	Tag     string           `yaml:"tag"`
	Time    string           `yaml:"time"`
	Records []map[string]any `yaml:"records"`
}

// Expect is what one output must receive.
type Expect struct {
	Output  string           `yaml:"output"`
	Count   *int             `yaml:"count"`
	Tag     string           `yaml:"tag"`
	Records []map[string]any `yaml:"records"`
}

// Result is the outcome of one case.
type Result struct {
	File     string
	Name     string
	Failures []string
}

// Passed reports whether the case met every expectation.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

// Load reads and checks a test file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &File{Path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if f.Config == "" {
		return nil, fmt.Errorf("%s: no `config:` naming the configuration under test", path)
	}
	if !filepath.IsAbs(f.Config) {
		f.Config = filepath.Join(filepath.Dir(path), f.Config)
	}
	if len(f.Tests) == 0 {
		return nil, fmt.Errorf("%s: no tests", path)
	}
	for i, c := range f.Tests {
		if c.Name == "" {
			return nil, fmt.Errorf("%s: test %d has no name", path, i+1)
		}
		for _, in := range c.Inputs {
			if in.Tag == "" {
				return nil, fmt.Errorf("%s: test %q: an input has no tag", path, c.Name)
			}
			if in.Time != "" {
				if _, err := time.Parse(time.RFC3339Nano, in.Time); err != nil {
					return nil, fmt.Errorf("%s: test %q: time %q: %v (use RFC 3339)", path, c.Name, in.Time, err)
				}
			}
		}
		for _, e := range c.Expect {
			if e.Output == "" {
				return nil, fmt.Errorf("%s: test %q: an expectation names no output", path, c.Name)
			}
		}
	}
	return f, nil
}

// Runner runs test files against the plugins of a registry.
type Runner struct {
	// Specs are the plugins configurations may use (all.Specs()).
	Specs []plugin.Spec
	// Log receives the pipeline's own logs; nil discards them.
	Log io.Writer
}

// Run runs every case of f. The error is for a configuration that does not
// load or validate; failed expectations are in the results.
func (r *Runner) Run(f *File) ([]Result, error) {
	model, _, err := config.Load(f.Config)
	if err != nil {
		return nil, err
	}
	logs := logging.NewFactory(io.Discard, "text")
	if r.Log != nil {
		logs = logging.NewFactory(r.Log, "text")
	}
	reg, err := plugin.NewRegistry(r.Specs...)
	if err != nil {
		return nil, err
	}
	real, err := engine.New(model, engine.Options{Registry: reg, Logs: logs})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Config, err)
	}
	var outputIDs []string
	for _, o := range real.Metrics().Outputs() {
		outputIDs = append(outputIDs, o.Name)
	}
	var results []Result
	for _, c := range f.Tests {
		res := Result{File: f.Path, Name: c.Name}
		captured, err := r.runCase(model, outputIDs, c, logs)
		if err != nil {
			return nil, fmt.Errorf("%s: test %q: %w", f.Path, c.Name, err)
		}
		for _, e := range c.Expect {
			if !slices.Contains(outputIDs, e.Output) {
				res.Failures = append(res.Failures, fmt.Sprintf("no output is named %q; outputs are %s",
					e.Output, strings.Join(outputIDs, ", ")))
				continue
			}
			res.Failures = append(res.Failures, check(e, captured.records(e.Output))...)
		}
		results = append(results, res)
	}
	return results, nil
}

// runCase runs the test pipeline for one case and returns what each output
// received.
func (r *Runner) runCase(model *config.Model, outputIDs []string, c Case, logs *logging.Factory) (*capture, error) {
	cap := &capture{got: map[string][]received{}}
	feed := &feedInput{inputs: c.Inputs, done: make(chan struct{})}
	test := testModel(model, outputIDs)
	specs := append(append([]plugin.Spec(nil), r.Specs...), feed.spec(), cap.spec())
	reg, err := plugin.NewRegistry(specs...)
	if err != nil {
		return nil, err
	}
	p, err := engine.New(test, engine.Options{Registry: reg, Logs: logs})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx) }()
	select {
	case <-feed.done:
	case err := <-errc:
		cancel()
		return nil, fmt.Errorf("pipeline stopped early: %v", err)
	}
	cancel() // shutdown seals the open chunks and delivers them
	if err := <-errc; err != nil {
		return nil, err
	}
	if feed.err != nil {
		return nil, feed.err
	}
	return cap, nil
}

// Names of the stand-in plugins; no real plugin may use them.
const (
	feedName    = "sluice_test_input"
	captureName = "sluice_test_output"
)

// testModel is model with its inputs replaced by the feed and its outputs
// by captures that keep their instance names and routes.
func testModel(model *config.Model, outputIDs []string) *config.Model {
	test := &config.Model{Service: model.Service, Filters: model.Filters, Parsers: model.Parsers,
		MultilineParsers: model.MultilineParsers, Files: model.Files}
	test.Service.Params = append(append([]config.Param(nil), model.Service.Params...),
		config.Param{Key: "Flush", Value: "0.05"}, config.Param{Key: "Grace", Value: "30"},
		config.Param{Key: "HTTP_Server", Value: "off"})
	test.Inputs = []config.Section{{Kind: config.KindInput, Pos: model.Service.Pos,
		Params: []config.Param{{Key: "Name", Value: feedName}}}}
	soleRoute := len(model.Inputs) == 1 && len(model.Outputs) == 1
	for i, o := range model.Outputs {
		params := []config.Param{{Key: "Name", Value: captureName, Pos: o.Pos}, {Key: "Alias", Value: outputIDs[i], Pos: o.Pos}}
		match, hasMatch := o.Lookup("Match")
		regex, hasRegex := o.Lookup("Match_Regex")
		switch {
		case hasMatch || hasRegex:
			if hasMatch {
				params = append(params, match)
			}
			if hasRegex {
				params = append(params, regex)
			}
		case soleRoute:
			params = append(params, config.Param{Key: "Match", Value: "*"})
		default:
			// The output has no Match and so receives nothing; the test
			// model has one input and might otherwise route it everything.
			params = append(params, config.Param{Key: "Match_Regex", Value: "a^"})
		}
		test.Outputs = append(test.Outputs, config.Section{Kind: config.KindOutput, Pos: o.Pos, Params: params})
	}
	return test
}

// feedInput emits a case's inputs, then returns.
type feedInput struct {
	inputs []Input
	done   chan struct{}
	err    error
}

func (f *feedInput) spec() plugin.Spec {
	return plugin.Spec{Kind: plugin.KindInput, Name: feedName, Summary: "the records of a sluice test", DynamicTags: true,
		NewInput: func(plugin.Settings) (plugin.Input, error) { return f, nil }}
}

// Run implements plugin.Input.
func (f *feedInput) Run(ctx context.Context, emit plugin.Emitter) error {
	defer close(f.done)
	for _, in := range f.inputs {
		at := record.Now()
		if in.Time != "" {
			t, _ := time.Parse(time.RFC3339Nano, in.Time) // checked by Load
			at = record.FromTime(t)
		}
		var b record.Builder
		for i, rec := range in.Records {
			js, err := json.Marshal(rec)
			if err != nil {
				f.err = fmt.Errorf("input %s record %d: %v", in.Tag, i+1, err)
				return nil
			}
			body, err := record.AppendJSONAsMsgpack(nil, js)
			if err != nil {
				f.err = fmt.Errorf("input %s record %d: %v", in.Tag, i+1, err)
				return nil
			}
			b.Append(at, nil, body)
		}
		if err := emit.Emit(ctx, in.Tag, b.Bytes(), b.Records()); err != nil {
			f.err = err
			return nil
		}
	}
	return nil
}

// received is one record an output got.
type received struct {
	tag  string
	body map[string]any
}

// capture is the stand-in of every output, recording what each receives.
type capture struct {
	mu  sync.Mutex
	got map[string][]received
}

func (c *capture) spec() plugin.Spec {
	return plugin.Spec{Kind: plugin.KindOutput, Name: captureName, Summary: "records what a sluice test's output receives",
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return &captureOutput{id: s.ID, c: c}, nil }}
}

func (c *capture) records(id string) []received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got[id]
}

type captureOutput struct {
	id string
	c  *capture
}

// Flush implements plugin.Output.
func (o *captureOutput) Flush(_ context.Context, ch *record.Chunk) error {
	var batch []received
	it := record.NewIterator(ch.Data)
	for it.Next() {
		js, _, err := record.AppendJSON(nil, it.Event().Body)
		if err != nil {
			return plugin.Permanent(err)
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			return plugin.Permanent(err)
		}
		batch = append(batch, received{tag: ch.Tag, body: m})
	}
	if err := it.Err(); err != nil {
		return plugin.Permanent(err)
	}
	o.c.mu.Lock()
	o.c.got[o.id] = append(o.c.got[o.id], batch...)
	o.c.mu.Unlock()
	return nil
}

// check compares what an output received with the expectation.
func check(e Expect, got []received) []string {
	var fails []string
	where := "output " + e.Output
	if e.Count != nil && len(got) != *e.Count {
		fails = append(fails, fmt.Sprintf("%s: received %d records, want %d%s", where, len(got), *e.Count, listing(got)))
	}
	if e.Tag != "" {
		for i, g := range got {
			if g.tag != e.Tag {
				fails = append(fails, fmt.Sprintf("%s: record %d has tag %q, want %q", where, i+1, g.tag, e.Tag))
				break
			}
		}
	}
	for i, want := range e.Records {
		if i >= len(got) {
			fails = append(fails, fmt.Sprintf("%s: record %d missing: want %s%s", where, i+1, compact(want), listing(got)))
			break
		}
		norm := normalise(want)
		if diff := subset(norm, got[i].body, ""); diff != "" {
			fails = append(fails, fmt.Sprintf("%s: record %d: %s\n      got  %s", where, i+1, diff, compact(got[i].body)))
		}
	}
	return fails
}

// subset returns "" when every key of want is in got with an equal value,
// else what differs.
func subset(want, got any, path string) string {
	wm, ok := want.(map[string]any)
	if !ok {
		if !reflect.DeepEqual(want, got) {
			return fmt.Sprintf("%s is %s, want %s", orRecord(path), compact(got), compact(want))
		}
		return ""
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return fmt.Sprintf("%s is %s, want a map", orRecord(path), compact(got))
	}
	keys := make([]string, 0, len(wm))
	for k := range wm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		gv, ok := gm[k]
		if !ok {
			return fmt.Sprintf("key %s%s is missing", path, k)
		}
		if d := subset(wm[k], gv, path+k+"."); d != "" {
			return d
		}
	}
	return ""
}

func orRecord(path string) string {
	if path == "" {
		return "the record"
	}
	return "key " + strings.TrimSuffix(path, ".")
}

// normalise gives a YAML-decoded value JSON's types (float64 numbers), the
// types received records decode to.
func normalise(v any) any {
	js, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(js, &out); err != nil {
		return v
	}
	return out
}

func compact(v any) string {
	js, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(js)
}

func listing(got []received) string {
	if len(got) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("; received:")
	for i, g := range got {
		if i == 5 {
			fmt.Fprintf(&b, "\n      ... %d more", len(got)-5)
			break
		}
		fmt.Fprintf(&b, "\n      [%s] %s", g.tag, compact(g.body))
	}
	return b.String()
}
