package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sluice-logs/sluice/internal/engine"
	"github.com/sluice-logs/sluice/internal/record"
)

// serveTap streams, as JSON lines, the records passing through the
// component named by ?component= of the running pipeline:
//
//	{"component":"cloudwatch_logs.0","kind":"output","tag":"app","time":"...","record":{...}}
//
// It ends when the client goes away, after ?limit= records, or when the
// pipeline stops (a reload ends the stream: reconnect). A reader too slow
// for the traffic misses batches, reported in a {"skipped": N} line; the
// pipeline never waits for a tap.
func (s *supervisor) serveTap(w http.ResponseWriter, r *http.Request) {
	p := s.current.Load()
	component := r.URL.Query().Get("component")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if p == nil || component == "" {
		http.Error(w, `{"error":"give ?component=NAME (an input, filter or output instance name)"}`, http.StatusBadRequest)
		return
	}
	events, stop, skipped, err := p.Tap(component)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	defer stop()
	// A tap streams for as long as its reader wants: lift the server's
	// write timeout for this response.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	var line []byte
	sent, reported := 0, uint64(0)
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			it := record.NewIterator(ev.Events)
			for it.Next() {
				line = appendTapLine(line[:0], &ev, it.Event())
				if _, err := w.Write(line); err != nil {
					return
				}
				if sent++; limit > 0 && sent >= limit {
					if flusher != nil {
						flusher.Flush()
					}
					return
				}
			}
			if n := skipped(); n > reported {
				fmt.Fprintf(w, "{\"skipped\":%d}\n", n-reported)
				reported = n
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}

// appendTapLine renders one record of a tap event as a JSON line.
func appendTapLine(dst []byte, ev *engine.TapEvent, e *record.Event) []byte {
	dst = append(dst, `{"component":`...)
	dst = record.AppendJSONString(dst, []byte(ev.Component))
	dst = append(dst, `,"kind":`...)
	dst = record.AppendJSONString(dst, []byte(ev.Kind))
	dst = append(dst, `,"tag":`...)
	dst = record.AppendJSONString(dst, []byte(ev.Tag))
	dst = append(dst, `,"time":"`...)
	dst = e.Time.Std().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","record":`...)
	dst, _, _ = record.AppendJSON(dst, e.Body)
	return append(dst, "}\n"...)
}

// tapCommand prints what a running Sluice's component sees.
func tapCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:2020", "monitoring server of the running Sluice")
	limit := fs.Int("n", 0, "stop after this many records (0: until interrupted)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: sluice tap [--url URL] [-n N] COMPONENT

Streams, as JSON lines, the records passing through COMPONENT of a running
Sluice (an input, filter or output instance name, as in its metrics: dummy.0,
or the Alias). Needs [SERVICE] HTTP_Server On. A tap never slows the pipeline:
if the terminal cannot keep up, batches are skipped and the count reported.
`)
	}
	if err := fs.Parse(reorderFlags(args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitConfig
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitConfig
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	q := url.Values{"component": {fs.Arg(0)}}
	if *limit > 0 {
		q.Set("limit", strconv.Itoa(*limit))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *base+"/api/v2/tap?"+q.Encode(), nil)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitConfig
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v; is Sluice running with HTTP_Server On at %s?\n", err, *base)
		return exitRuntime
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		var msg struct{ Error string }
		if json.Unmarshal(body, &msg) == nil && msg.Error != "" {
			body = []byte(msg.Error)
		}
		fmt.Fprintf(stderr, "error: %s\n", body)
		return exitConfig
	}
	out := bufio.NewWriter(stdout)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		out.Write(sc.Bytes())
		out.WriteByte('\n')
		out.Flush()
	}
	if ctx.Err() == nil && sc.Err() != nil {
		fmt.Fprintf(stderr, "error: %v\n", sc.Err())
		return exitRuntime
	}
	return exitOK
}

// reorderFlags moves flags before positional arguments, so that both
// `sluice tap -n 5 dummy.0` and `sluice tap dummy.0 -n 5` work.
func reorderFlags(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && (a == "-n" || a == "--n" || a == "-url" || a == "--url") {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}
