package e2e

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/forwardproto"
)

// storFwdSource is the forward leg of the kill -9 test: a Fluentd forward
// client that sends numbered records in Forward mode with a "chunk" option
// (require_ack_response) and forgets a message only when its {"ack": chunk}
// arrives, as fluent-bit's out_forward and the fluent loggers do. It keeps
// up to storFwdWindow messages in flight; the server acknowledges a
// connection's messages in order, so the acknowledged records are always a
// prefix of those sent. After a kill -9 the loop restarts it from the
// acknowledged count: the unacknowledged rest is sent again.
type storFwdSource struct {
	port int // the forward input's
	t    *testing.T

	acked   atomic.Int64 // records acknowledged since Start
	written atomic.Int64 // records written to the socket since Start
	stop    chan struct{}
	done    chan struct{}
	errMu   sync.Mutex
	err     error // a protocol violation seen by the client
}

// storFwdWindow is how many messages the client keeps unacknowledged, and
// storFwdBatch how many records each carries.
const (
	storFwdWindow = 4
	storFwdBatch  = 25
)

func (s *storFwdSource) Input() string {
	return fmt.Sprintf("    Name   forward\n    Listen 127.0.0.1\n    Port   %d", s.port)
}

func (s *storFwdSource) Start(t *testing.T, cfg string, from int) *process {
	r, w := storPipe(t)
	w.Close()
	p := start(t, r, "-c", cfg)
	r.Close()
	s.t = t
	s.acked.Store(0)
	s.written.Store(0)
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.run(from)
	return p
}

func (s *storFwdSource) Acked() int { return int(s.acked.Load()) }

func (s *storFwdSource) Stop() int {
	close(s.stop)
	<-s.done
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err != nil {
		s.t.Error(s.err)
	}
	return int(s.written.Load())
}

// run dials until the input listens, then sends batches from seq from on
// until stopped or the connection breaks (Sluice killed).
func (s *storFwdSource) run(from int) {
	defer close(s.done)
	var conn net.Conn
	for conn == nil {
		select {
		case <-s.stop:
			return
		default:
		}
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.port), time.Second)
		if err != nil {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		conn = c
	}
	defer conn.Close()
	go func() { <-s.stop; conn.Close() }() // unblocks the reads and writes below

	// inflight holds the chunk ids sent and not yet acknowledged, oldest
	// first; slots bounds them to the window.
	var mu sync.Mutex
	var inflight []string
	slots := make(chan struct{}, storFwdWindow)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		rd := forwardproto.NewReader(conn, 4096, 1<<20)
		for {
			msg, err := rd.Next()
			if err != nil {
				return
			}
			id, err := forwardproto.ParseAck(msg)
			mu.Lock()
			if err != nil || len(inflight) == 0 || string(id) != inflight[0] {
				s.fail(fmt.Errorf("forward client: unexpected response %q (%v); waiting for %v", msg, err, inflight))
				mu.Unlock()
				return
			}
			inflight = inflight[1:]
			mu.Unlock()
			s.acked.Add(storFwdBatch)
			<-slots
		}
	}()
	pad := strings.Repeat("p", 80)
	var buf []byte
	for next := from; ; next += storFwdBatch {
		select {
		case slots <- struct{}{}:
		case <-readerDone:
			return
		case <-s.stop:
			return
		}
		id := "c" + strconv.Itoa(next)
		buf = storFwdMessage(buf[:0], "numbers", next, storFwdBatch, pad, id)
		mu.Lock()
		inflight = append(inflight, id)
		mu.Unlock()
		if _, err := conn.Write(buf); err != nil {
			<-readerDone
			return
		}
		s.written.Add(storFwdBatch)
	}
}

func (s *storFwdSource) fail(err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// storFwdMessage appends a Forward-mode message: [tag, [[time, {"seq": n,
// "pad": pad}]...], {"chunk": id}].
func storFwdMessage(dst []byte, tag string, from, n int, pad, id string) []byte {
	dst = msgp.AppendArrayHeader(dst, 3)
	dst = msgp.AppendString(dst, tag)
	dst = msgp.AppendArrayHeader(dst, uint32(n))
	now := time.Now().Unix()
	for seq := from; seq < from+n; seq++ {
		dst = msgp.AppendArrayHeader(dst, 2)
		dst = msgp.AppendInt64(dst, now)
		dst = msgp.AppendMapHeader(dst, 2)
		dst = msgp.AppendString(dst, "seq")
		dst = msgp.AppendInt(dst, seq)
		dst = msgp.AppendString(dst, "pad")
		dst = msgp.AppendString(dst, pad)
	}
	dst = msgp.AppendMapHeader(dst, 1)
	dst = msgp.AppendString(dst, "chunk")
	return msgp.AppendString(dst, id)
}

// TestStorageKill9ForwardLosesNothingAcknowledged is the kill -9 test's
// forward leg: a forward client that re-sends what was not acknowledged →
// the forward input with storage.type filesystem and storage.sync full →
// the file output. Sluice is killed with SIGKILL at random moments and
// restarted on the same storage.path; every record the client saw
// acknowledged must reach the file (duplicates are counted and reported).
func TestStorageKill9ForwardLosesNothingAcknowledged(t *testing.T) {
	iterations := 12
	if v, err := strconv.Atoi(os.Getenv("STOR_KILL_ITERATIONS")); err == nil && v > 0 {
		iterations = v
	}
	httpPort := freePort(t)
	storKillLoop(t, &storFwdSource{port: freePort(t)}, httpPort, "full", iterations)
}
