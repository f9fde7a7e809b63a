package multiline

import (
	"time"

	"github.com/sluice-logs/sluice/internal/record"
)

// DefaultMaxBytes bounds a joined message; a longer one is emitted as it
// stands and the rest starts a new record, so one runaway trace cannot
// grow without limit.
const DefaultMaxBytes = 2 << 20

// Record is a finished message.
type Record struct {
	// Key is the stream key the lines were fed with.
	Key string
	// Time is the time of the message's first line: the runtime's for
	// container lines, the caller's otherwise.
	Time record.Time
	// Log is the joined text, lines separated by \n. It is valid only
	// during the callback.
	Log []byte
	// Format is KindDocker or KindCRI for decoded container lines, 0 for
	// lines that came as plain text.
	Format Kind
	// Stream is the container stream (stdout or stderr) of decoded lines.
	Stream string
	// Mark is the caller's mark of the message's first line.
	Mark int64
	// Lines is how many lines were fed into it.
	Lines int
}

// Joiner joins the lines of many streams with one list of parsers. It is
// used by one goroutine.
type Joiner struct {
	docker, cri *Parser
	patterns    []*Parser
	out         func(*Record)
	streams     map[streamKey]*stream
	scratch     []byte
	rec         Record

	// MaxBytes bounds a joined message (DefaultMaxBytes when 0).
	MaxBytes int
	// Now is the clock for flush timeouts (time.Now when nil).
	Now func() time.Time
	// FlushTimeout, when set, replaces every parser's flush_timeout (the
	// multiline filter's flush_ms).
	FlushTimeout time.Duration
}

type streamKey struct{ key, stream string }

// pending is a message being joined.
type pending struct {
	on     bool
	buf    []byte
	time   record.Time
	mark   int64
	lines  int
	last   time.Time // when its last line came
	parser *Parser
	state  string
	format Kind
}

// stream is the state of one stream key and container stream.
type stream struct {
	key     streamKey
	partial pending // a container line split by the runtime
	group   pending // a multiline message
}

// NewJoiner returns a Joiner applying parsers in order, calling out with
// each finished record.
func NewJoiner(parsers []*Parser, out func(*Record)) *Joiner {
	j := &Joiner{out: out, streams: map[streamKey]*stream{}}
	for _, p := range parsers {
		switch p.kind {
		case KindDocker:
			j.docker = p
		case KindCRI:
			j.cri = p
		default:
			j.patterns = append(j.patterns, p)
		}
	}
	return j
}

func (j *Joiner) now() time.Time {
	if j.Now != nil {
		return j.Now()
	}
	return time.Now()
}

func (j *Joiner) timeout(p *Parser) time.Duration {
	if j.FlushTimeout > 0 {
		return j.FlushTimeout
	}
	return p.flushTimeout
}

func (j *Joiner) maxBytes() int {
	if j.MaxBytes > 0 {
		return j.MaxBytes
	}
	return DefaultMaxBytes
}

func (j *Joiner) stream(k streamKey) *stream {
	s := j.streams[k]
	if s == nil {
		s = &stream{key: k}
		j.streams[k] = s
	}
	return s
}

// Feed gives the Joiner the next line of the stream key, with its time and
// the caller's mark. Records finished by it are emitted before it returns.
// line is not retained.
func (j *Joiner) Feed(key string, line []byte, t record.Time, mark int64) {
	if j.docker != nil && len(line) > 0 && line[0] == '{' {
		c, scratch, err := DecodeDocker(line, j.scratch)
		j.scratch = scratch
		if err == nil {
			j.container(key, KindDocker, j.docker, c, mark)
			return
		}
	}
	if j.cri != nil {
		if c, err := DecodeCRI(line); err == nil {
			j.container(key, KindCRI, j.cri, c, mark)
			return
		}
	}
	j.text(j.stream(streamKey{key: key}), line, t, mark, 0, 1)
}

// container joins the pieces of a split container line.
func (j *Joiner) container(key string, format Kind, p *Parser, c ContainerLine, mark int64) {
	s := j.stream(streamKey{key, streamName(c.Stream)})
	pt := &s.partial
	if c.Partial {
		if !pt.on {
			*pt = pending{on: true, buf: pt.buf[:0], time: c.Time, mark: mark, parser: p, format: format}
		}
		pt.buf = append(pt.buf, c.Log...)
		pt.lines++
		pt.last = j.now()
		if len(pt.buf) >= j.maxBytes() {
			j.flushPartial(s)
		}
		return
	}
	if pt.on {
		pt.buf = append(pt.buf, c.Log...)
		pt.lines++
		pt.on = false
		j.text(s, pt.buf, pt.time, pt.mark, format, pt.lines)
		return
	}
	j.text(s, c.Log, c.Time, mark, format, 1)
}

func (j *Joiner) flushPartial(s *stream) {
	pt := &s.partial
	if !pt.on {
		return
	}
	pt.on = false
	j.text(s, pt.buf, pt.time, pt.mark, pt.format, pt.lines)
}

// text runs a whole line (lines pieces long) through the pattern parsers.
func (j *Joiner) text(s *stream, line []byte, t record.Time, mark int64, format Kind, lines int) {
	g := &s.group
	if g.on {
		if next, ok := g.parser.step(g.state, line); ok && len(g.buf)+1+len(line) <= j.maxBytes() {
			g.buf = append(g.buf, '\n')
			g.buf = append(g.buf, line...)
			g.lines += lines
			g.state, g.last = next, j.now()
			if g.parser.terminal(next) {
				j.flushGroup(s)
			}
			return
		}
		j.flushGroup(s)
	}
	for _, p := range j.patterns {
		if next, ok := p.step(StartState, line); ok {
			*g = pending{on: true, buf: append(g.buf[:0], line...), time: t, mark: mark, lines: lines,
				last: j.now(), parser: p, state: next, format: format}
			if p.terminal(next) {
				j.flushGroup(s)
			}
			return
		}
	}
	j.emit(s, line, t, mark, format, lines)
}

func (j *Joiner) flushGroup(s *stream) {
	g := &s.group
	if !g.on {
		return
	}
	g.on = false
	j.emit(s, g.buf, g.time, g.mark, g.format, g.lines)
}

func (j *Joiner) emit(s *stream, log []byte, t record.Time, mark int64, format Kind, lines int) {
	j.rec = Record{Key: s.key.key, Time: t, Log: log, Format: format, Stream: s.key.stream, Mark: mark, Lines: lines}
	j.out(&j.rec)
}

// FlushExpired emits the messages whose parser's flush_timeout has passed
// since their last line, and returns when the next one will expire (zero
// when none is pending).
func (j *Joiner) FlushExpired() time.Time {
	now := j.now()
	var next time.Time
	for _, s := range j.streams {
		if s.partial.on && now.Sub(s.partial.last) >= j.timeout(s.partial.parser) {
			j.flushPartial(s)
		}
		if s.group.on && now.Sub(s.group.last) >= j.timeout(s.group.parser) {
			j.flushGroup(s)
		}
		for _, p := range []*pending{&s.partial, &s.group} {
			if p.on {
				if at := p.last.Add(j.timeout(p.parser)); next.IsZero() || at.Before(next) {
					next = at
				}
			}
		}
	}
	return next
}

// Flush emits every pending message: the input ended.
func (j *Joiner) Flush() {
	for _, s := range j.streams {
		j.flushPartial(s)
		j.flushGroup(s)
	}
}

// Forget emits what key's streams hold and drops their state: a caller
// with many short-lived keys (tags, files) calls it when a key ends, so
// the Joiner does not grow with every key it has seen.
func (j *Joiner) Forget(key string) {
	for k, s := range j.streams {
		if k.key == key {
			j.flushPartial(s)
			j.flushGroup(s)
			delete(j.streams, k)
		}
	}
}

// Oldest returns the smallest mark of the lines still held back, and
// whether there is any: a caller must not consider those lines delivered.
func (j *Joiner) Oldest() (int64, bool) {
	var min int64
	found := false
	for _, s := range j.streams {
		for _, p := range []*pending{&s.partial, &s.group} {
			if p.on && (!found || p.mark < min) {
				min, found = p.mark, true
			}
		}
	}
	return min, found
}

// streamName returns the stream as a string, without allocating for the
// two streams there are.
func streamName(b []byte) string {
	switch string(b) {
	case "stdout":
		return "stdout"
	case "stderr":
		return "stderr"
	}
	return string(b)
}
