package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// serve reads one client until it disconnects, sends something invalid,
// or ctx ends; the reason is logged and other connections go on.
func (in *Input) serve(ctx context.Context, nc net.Conn, emit plugin.Emitter) {
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	defer nc.Close()
	remote := nc.RemoteAddr().String()
	d := in.newDecoder(remote)
	buf := make([]byte, in.chunkSize)
	for {
		n, rerr := nc.Read(buf)
		now := record.Now()
		err := d.feed(buf[:n], now)
		if rerr != nil && err == nil {
			if !errors.Is(rerr, io.EOF) && ctx.Err() == nil {
				err = fmt.Errorf("read: %w", rerr)
			} else {
				err = d.end(now)
			}
		}
		if d.events.Records() > 0 {
			if eerr := emit.Emit(ctx, in.tag, d.events.Bytes(), d.events.Records()); eerr != nil {
				return // shutting down
			}
			d.records += d.events.Records()
			d.events.Reset()
		}
		if err != nil {
			in.logger.Warn("closing connection", "remote", remote, "reason", err.Error(), "records", d.records)
			return
		}
		if rerr != nil {
			in.logger.Debug("connection closed", "remote", remote, "records", d.records)
			return
		}
	}
}

// decoder turns one connection's bytes into events.
type decoder struct {
	json      bool
	sep       []byte
	max       int
	sourceKey string
	source    string

	pending []byte // bytes of an incomplete message
	scanned int    // how far pending was scanned (JSON)
	start   int    // where the incomplete JSON value starts in pending
	split   jsonSplitter
	events  record.Builder
	body    []byte
	records int
}

func (in *Input) newDecoder(remote string) *decoder {
	return &decoder{json: in.format == "json", sep: in.separator, max: in.maxSize, sourceKey: in.sourceKey, source: remote}
}

// feed decodes data, appending complete records to d.events. An error
// means the client sent something invalid; the records before it are in
// d.events.
func (d *decoder) feed(data []byte, now record.Time) error {
	d.pending = append(d.pending, data...)
	if !d.json {
		rest := splitText(d.pending, d.sep, func(line []byte) { d.text(line, now) })
		d.pending = append(d.pending[:0], rest...)
		if len(d.pending) > d.max {
			return fmt.Errorf("a record longer than Buffer_Size (%d bytes) without Separator", d.max)
		}
		return nil
	}
	for {
		start, end, done, err := d.split.next(d.pending, d.scanned)
		if err != nil {
			return err
		}
		if !done {
			d.start, d.scanned = start, end
			break
		}
		if end-start > d.max {
			return fmt.Errorf("a JSON message longer than Buffer_Size (%d bytes)", d.max)
		}
		if err := d.value(d.pending[start:end], now); err != nil {
			return err
		}
		d.scanned = end
	}
	// Keep only the incomplete value.
	if d.start > 0 {
		n := copy(d.pending, d.pending[d.start:])
		d.pending = d.pending[:n]
		d.scanned -= d.start
		d.start = 0
	}
	if len(d.pending) > d.max {
		return fmt.Errorf("a JSON message longer than Buffer_Size (%d bytes)", d.max)
	}
	return nil
}

// end handles the bytes left when the client closes: a last text record
// without separator is kept; an unfinished JSON value is an error.
func (d *decoder) end(now record.Time) error {
	if !d.json {
		if len(d.pending) > 0 {
			d.text(d.pending, now)
			d.pending = d.pending[:0]
		}
		return nil
	}
	if d.split.started {
		return fmt.Errorf("connection closed in the middle of a JSON message (%d bytes)", len(d.pending))
	}
	return nil
}

// text adds {"log": line} (and the source address).
func (d *decoder) text(line []byte, now record.Time) {
	if len(line) > 0 && line[len(line)-1] == '\r' && d.sep[0] == '\n' {
		line = line[:len(line)-1]
	}
	n := 1
	if d.sourceKey != "" {
		n = 2
	}
	d.body = msgp.AppendMapHeader(d.body[:0], uint32(n))
	d.body = msgp.AppendString(d.body, "log")
	d.body = msgp.AppendStringFromBytes(d.body, line)
	if d.sourceKey != "" {
		d.body = msgp.AppendString(d.body, d.sourceKey)
		d.body = msgp.AppendString(d.body, d.source)
	}
	d.events.Append(now, nil, d.body)
}

// value adds the records of one JSON value: an object, or an array of
// objects.
func (d *decoder) value(js []byte, now record.Time) error {
	var err error
	d.body, err = record.AppendJSONAsMsgpack(d.body[:0], js)
	if err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if msgp.NextType(d.body) == msgp.MapType {
		return d.object(d.body, now)
	}
	n, rest, err := msgp.ReadArrayHeaderBytes(d.body)
	if err != nil {
		return errNotObject
	}
	for i := uint32(0); i < n; i++ {
		if msgp.NextType(rest) != msgp.MapType {
			return fmt.Errorf("%w in the array, element %d is not one", errNotObject, i)
		}
		after, err := msgp.Skip(rest)
		if err != nil {
			return fmt.Errorf("invalid JSON: %v", err)
		}
		if err := d.object(rest[:len(rest)-len(after)], now); err != nil {
			return err
		}
		rest = after
	}
	return nil
}

func (d *decoder) object(m []byte, now record.Time) error {
	if d.sourceKey == "" {
		d.events.Append(now, nil, m)
		return nil
	}
	n, rest, err := msgp.ReadMapHeaderBytes(m)
	if err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	d.events.BeginEvent(now, nil)
	d.events.AppendMapHeader(int(n) + 1)
	d.events.AppendRawValue(rest)
	d.events.AppendString(d.sourceKey)
	d.events.AppendString(d.source)
	return nil
}
