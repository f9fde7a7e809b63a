package cloudwatchlogs

import (
	"bytes"
	"unicode/utf8"

	"github.com/sluice-logs/sluice/internal/record"
)

// The PutLogEvents limits (CloudWatch Logs API reference, PutLogEvents, and
// the CloudWatch Logs quotas page).
const (
	// maxBatchEvents is the most events of one call.
	maxBatchEvents = 10000
	// maxBatchBytes bounds a call: the UTF-8 bytes of its messages plus
	// eventOverhead per event.
	maxBatchBytes = 1048576
	// eventOverhead is what CloudWatch Logs counts per event on top of
	// its message.
	eventOverhead = 26
	// maxEventBytes bounds one event, overhead included.
	maxEventBytes = 262144
	// maxMessageBytes is the longest message of an event.
	maxMessageBytes = maxEventBytes - eventOverhead
	// maxSpanMillis: the events of one call must lie within 24 hours.
	// Fluent Bit keeps the span strictly below it; so does Sluice.
	maxSpanMillis = 24 * 3600 * 1000
)

// logEvent is one record ready for PutLogEvents: its message is
// msgs[off:off+size] of the flush's buffer.
type logEvent struct {
	timestamp int64 // milliseconds since the epoch
	index     int32 // position of the record in the chunk
	off, size int32
}

// bytes is what the event counts against maxBatchBytes.
func (e *logEvent) bytes() int { return int(e.size) + eventOverhead }

// destination is a log group and stream.
type destination struct {
	group, stream string
}

// preparedChunk is a chunk turned into log events, grouped by destination
// in the order destinations first appear.
type preparedChunk struct {
	msgs   []byte
	dests  []destination
	events [][]logEvent // events[i] go to dests[i]
	// unreadable holds the indexes of records after a decoding error;
	// they are reported dropped (plugin.ReasonMalformed).
	unreadable []int
	// empty and noLogKey hold the indexes of records with nothing to send,
	// reported dropped (plugin.ReasonEmpty, plugin.ReasonMissingKey).
	empty, noLogKey []int
	// Counts for the flush's warnings.
	truncated, groupFallback, streamFallback int
}

// prepare formats every record of chunk as a message and routes it to its
// log group and stream, reusing p's buffers.
func (o *Output) prepare(chunk *record.Chunk, p *preparedChunk) error {
	p.msgs = p.msgs[:0]
	p.dests = p.dests[:0]
	p.events = p.events[:0]
	p.unreadable, p.empty, p.noLogKey = p.unreadable[:0], p.empty[:0], p.noLogKey[:0]
	p.truncated, p.groupFallback, p.streamFallback = 0, 0, 0
	destIndex := map[destination]int{}
	staticDest := destination{group: o.group, stream: o.staticStream(chunk.Tag)}
	var name []byte
	var lastGroup, lastStream string // the previous record's names, to reuse
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		ev := it.Event()
		off := len(p.msgs)
		var ok bool
		p.msgs, ok = o.appendMessage(p.msgs, ev)
		if !ok {
			p.noLogKey = append(p.noLogKey, it.Index())
			p.msgs = p.msgs[:off]
			continue
		}
		if !utf8.Valid(p.msgs[off:]) {
			// CloudWatch Logs takes UTF-8 only; the SDK would
			// replace invalid bytes and change the size we counted.
			fixed := bytes.ToValidUTF8(p.msgs[off:], []byte("\uFFFD"))
			p.msgs = append(p.msgs[:off], fixed...)
		}
		size := len(p.msgs) - off
		if size == 0 {
			p.empty = append(p.empty, it.Index())
			continue
		}
		if size > maxMessageBytes {
			size = truncateUTF8(p.msgs[off:], maxMessageBytes)
			p.msgs = p.msgs[:off+size]
			p.truncated++
		}
		d := staticDest
		if o.groupTpl != nil {
			var ok bool
			if name, ok = o.groupTpl.Render(name[:0], chunk.Tag, ev.Body); ok && len(name) > 0 {
				d.group = reuse(name, lastGroup)
				lastGroup = d.group
			} else {
				p.groupFallback++
			}
		}
		if o.streamTpl != nil {
			var ok bool
			if name, ok = o.streamTpl.Render(name[:0], chunk.Tag, ev.Body); ok && len(name) > 0 {
				d.stream = reuse(name, lastStream)
				lastStream = d.stream
			} else {
				p.streamFallback++
			}
		}
		i, seen := destIndex[d]
		if !seen {
			i = len(p.dests)
			destIndex[d] = i
			p.dests = append(p.dests, d)
			if i < cap(p.events) {
				p.events = p.events[:i+1]
				p.events[i] = p.events[i][:0]
			} else {
				p.events = append(p.events, nil)
			}
		}
		p.events[i] = append(p.events[i], logEvent{
			timestamp: int64(ev.Time) / 1e6,
			index:     int32(it.Index()),
			off:       int32(off),
			size:      int32(size),
		})
	}
	if err := it.Err(); err != nil {
		for i := it.Index() + 1; i < chunk.Records; i++ {
			p.unreadable = append(p.unreadable, i)
		}
		if len(p.unreadable) == 0 {
			// chunk.Records undercounts: report the record that failed.
			p.unreadable = append(p.unreadable, it.Index()+1)
		}
		return err
	}
	return nil
}

// reuse returns last when it equals name (records of one source come in
// runs), else name as a new string.
func reuse(name []byte, last string) string {
	if string(name) == last {
		return last
	}
	return string(name)
}

// staticStream is the stream of records when no template applies:
// log_stream_name, or log_stream_prefix followed by the tag.
func (o *Output) staticStream(tag string) string {
	if o.stream != "" {
		return o.stream
	}
	return o.streamPrefix + tag
}

// appendMessage writes the message of ev: the body as JSON, or with
// log_key the value of that key (a string as is, anything else as JSON).
// It reports false when log_key is missing from the record.
func (o *Output) appendMessage(dst []byte, ev *record.Event) ([]byte, bool) {
	if o.logKey != nil {
		v, ok := o.logKey.Get(ev.Body)
		if !ok {
			return dst, false
		}
		if s, ok := record.StringValue(v); ok {
			return append(dst, s...), true
		}
		out, _, err := record.AppendJSON(dst, v)
		return out, err == nil
	}
	if o.emf != nil {
		return o.emf.appendRecord(dst, ev), true
	}
	out, _, err := record.AppendJSON(dst, ev.Body)
	return out, err == nil
}

// truncateUTF8 returns the length of the longest prefix of b that is at
// most limit bytes and does not split a UTF-8 sequence.
func truncateUTF8(b []byte, limit int) int {
	if len(b) <= limit {
		return len(b)
	}
	n := limit
	for n > 0 && n > limit-utf8.UTFMax && !utf8.RuneStart(b[n]) {
		n--
	}
	return n
}
