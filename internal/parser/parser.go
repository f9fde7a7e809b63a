package parser

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/sluice-logs/sluice/internal/regex"
	"github.com/tinylib/msgp/msgp"
)

// Format is how a parser reads its input.
type Format uint8

// The formats of Fluent Bit's parsers.
const (
	FormatRegex Format = iota + 1
	FormatJSON
	FormatLogfmt
	FormatLTSV
)

// String returns the format's name as written in Format.
func (f Format) String() string {
	switch f {
	case FormatRegex:
		return "regex"
	case FormatJSON:
		return "json"
	case FormatLogfmt:
		return "logfmt"
	case FormatLTSV:
		return "ltsv"
	}
	return "unknown"
}

// ErrNoMatch is returned when the input is not in the parser's format: the
// regex does not match, the JSON is not an object, a logfmt line has a bare
// key under Logfmt_No_Bare_Keys. A regex match the backtracking engine gave
// up on is an error wrapping both ErrNoMatch and regex.ErrTimeout (log it
// with regex.LogTimeout).
var ErrNoMatch = errors.New("input does not match the parser")

// valueType is a Types conversion.
type valueType uint8

const (
	typeString valueType = iota
	typeInt
	typeFloat
	typeBool
	typeHex
)

type fieldType struct {
	key string
	typ valueType
}

// Parser is one named parser. It is immutable and safe for concurrent use.
type Parser struct {
	name   string
	format Format

	regex *regex.Regexp
	names []string // regex group names, "" for unnamed groups

	timeKey    string
	timeLayout *TimeLayout // nil: no time is read
	timeKeep   bool
	timeStrict bool
	timeLoc    *time.Location // zone of times without one: UTC, Time_Offset, or the system's
	types      []fieldType
	decoders   []decoder
	skipEmpty  bool
	noBareKeys bool

	now func() time.Time
}

// Name returns the parser's Name.
func (p *Parser) Name() string { return p.name }

// Format returns the parser's Format.
func (p *Parser) Format() Format { return p.format }

// Result is what Parse found besides the map.
type Result struct {
	// Time is the record time read from Time_Key, valid when HasTime.
	Time    record.Time
	HasTime bool
	// TimeErr, when not nil, says why Time_Key's value could not be read
	// with Time_Format; the field is then kept as it came.
	TimeErr error
}

// Parse reads in and appends one msgpack map to dst. On error (ErrNoMatch,
// or a JSON syntax error wrapping it) dst is returned unchanged.
func (p *Parser) Parse(dst, in []byte) ([]byte, Result, error) {
	w := fieldWriter{p: p}
	w.dst, w.at = mapStart(dst)
	var err error
	switch p.format {
	case FormatRegex:
		err = p.parseRegex(&w, in)
	case FormatJSON:
		err = p.parseJSON(&w, in)
	case FormatLogfmt:
		err = p.parseLogfmt(&w, in)
	case FormatLTSV:
		err = p.parseLTSV(&w, in)
	}
	if err != nil {
		return dst[:w.at], Result{}, err
	}
	if len(w.merged) > 0 { // Decode_Field: the decoded maps' entries follow the record's own
		w.dst = append(w.dst, w.merged...)
		w.n += w.mergedN
	}
	return mapEnd(w.dst, w.at, w.n), w.res, nil
}

// AppendEvent parses in and appends it to b as one event with metadata
// meta, timed by the parsed time or, when the line has none, by fallback.
func (p *Parser) AppendEvent(b *record.Builder, in []byte, fallback record.Time, meta []byte) error {
	sp := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(sp)
	m, res, err := p.Parse((*sp)[:0], in)
	*sp = m[:0]
	if err != nil {
		return err
	}
	t := fallback
	if res.HasTime {
		t = res.Time
	}
	b.Append(t, meta, m)
	return nil
}

// fieldWriter accumulates the entries of the map being parsed.
type fieldWriter struct {
	p       *Parser
	dst     []byte
	at, n   int
	res     Result
	merged  []byte // entries of maps decoded by Decode_Field
	mergedN int
}

// str adds a field whose value is text, applying the time key, Types and
// decoders.
func (w *fieldWriter) str(key, val []byte) {
	p := w.p
	if p.timeLayout != nil && !w.res.HasTime && w.res.TimeErr == nil && string(key) == p.timeKey {
		if w.readTime(val) && !p.timeKeep {
			return
		}
	}
	if len(p.types) > 0 {
		if t := p.typeOf(key); t != typeString {
			mark := len(w.dst)
			w.dst = msgp.AppendStringFromBytes(w.dst, key)
			if enc, ok := appendTyped(w.dst, t, val); ok {
				w.dst = enc
				w.n++
				return
			}
			w.dst = w.dst[:mark]
		}
	}
	if len(p.decoders) > 0 && p.decodeField(w, key, val) {
		return
	}
	w.dst = msgp.AppendStringFromBytes(w.dst, key)
	w.dst = msgp.AppendStringFromBytes(w.dst, val)
	w.n++
}

// raw adds a field whose value is already msgpack (JSON input).
func (w *fieldWriter) raw(key, val []byte) {
	p := w.p
	if p.timeLayout != nil && !w.res.HasTime && w.res.TimeErr == nil && string(key) == p.timeKey {
		if text, ok := timeText(val); ok && w.readTime(text) && !p.timeKeep {
			return
		}
	}
	if len(p.decoders) > 0 {
		if s, ok := record.StringValue(val); ok && p.decodeField(w, key, s) {
			return
		}
	}
	w.dst = msgp.AppendStringFromBytes(w.dst, key)
	w.dst = append(w.dst, val...)
	w.n++
}

// readTime parses val as the record time; it reports success.
func (w *fieldWriter) readTime(val []byte) bool {
	t, err := w.p.timeLayout.Parse(val, w.p.timeLoc, w.p.now(), w.p.timeStrict)
	if err != nil {
		w.res.TimeErr = fmt.Errorf("parser %q: Time_Key %q: %w", w.p.name, w.p.timeKey, err)
		return false
	}
	w.res.Time, w.res.HasTime = t, true
	return true
}

// timeText returns a time value as text: strings as they are, numbers
// formatted (for Time_Format %s).
func timeText(v []byte) ([]byte, bool) {
	if s, ok := record.StringValue(v); ok {
		return s, true
	}
	switch msgp.NextType(v) {
	case msgp.IntType, msgp.UintType:
		if i, _, err := msgp.ReadInt64Bytes(v); err == nil {
			return strconv.AppendInt(nil, i, 10), true
		}
	case msgp.Float64Type, msgp.Float32Type:
		if f, _, err := msgp.ReadFloat64Bytes(v); err == nil {
			return strconv.AppendFloat(nil, f, 'f', -1, 64), true
		}
	}
	return nil, false
}

func (p *Parser) typeOf(key []byte) valueType {
	for _, t := range p.types {
		if t.key == string(key) {
			return t.typ
		}
	}
	return typeString
}

// appendTyped appends val converted to t; a value that does not convert
// is reported so the caller keeps it as a string (Fluent Bit would write
// 0, losing it).
func appendTyped(dst []byte, t valueType, val []byte) ([]byte, bool) {
	s := string(val)
	switch t {
	case typeInt:
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return msgp.AppendInt64(dst, i), true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil { // "12.0" as 12
			return msgp.AppendInt64(dst, int64(f)), true
		}
	case typeFloat:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return msgp.AppendFloat64(dst, f), true
		}
	case typeBool:
		return msgp.AppendBool(dst, len(s) >= 4 && (s[:4] == "true" || s[:4] == "TRUE" || s[:4] == "True")), true
	case typeHex:
		if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
			s = s[2:]
		}
		if u, err := strconv.ParseUint(s, 16, 64); err == nil {
			return msgp.AppendUint64(dst, u), true
		}
	}
	return dst, false
}
