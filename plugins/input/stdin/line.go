package stdin

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// lineKind says what decodeLine made of a line.
type lineKind uint8

const (
	lineBlank   lineKind = iota // only spaces: nothing appended
	lineJSON                    // a JSON object or event: one record appended
	lineText                    // not a JSON object or array: appended as {"log": line}
	lineInvalid                 // a JSON array that is no event: nothing appended
)

// logKey is the field that holds a line that is not JSON.
const logKey = "log"

// decodeLine appends the record a line of standard input holds to b, with
// time now unless the line carries its own, as Fluent Bit's in_stdin reads
// it without a parser:
//
//   - a JSON object is the record body;
//   - a JSON array must be an event, [time, object] or [[time, metadata],
//     object], with time in seconds (integer or decimal); any other array
//     is invalid, and the error says why;
//   - anything else, invalid JSON and JSON scalars included, is kept as
//     plain text: {"log": line}.
//
// A trailing carriage return is dropped; a blank line is skipped. scratch
// is a buffer to reuse between calls; the extended one is returned.
func decodeLine(b *record.Builder, scratch, line []byte, now record.Time) (lineKind, []byte, error) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	start := 0
	for start < len(line) && isSpace(line[start]) {
		start++
	}
	if start == len(line) {
		return lineBlank, scratch, nil
	}
	if c := line[start]; c == '{' || c == '[' {
		js, err := record.AppendJSONAsMsgpack(scratch[:0], line[start:])
		if err == nil {
			scratch = js
			if msgp.NextType(js) == msgp.MapType {
				b.Append(now, nil, js)
				return lineJSON, scratch, nil
			}
			ev, _, err := record.DecodeEvent(js)
			if err != nil {
				return lineInvalid, scratch, fmt.Errorf("%s; a JSON array must be [time, object] or [[time, metadata], object]", withoutPrefix(err))
			}
			b.AppendEvent(&ev)
			return lineJSON, scratch, nil
		}
	}
	b.BeginEvent(now, nil)
	b.AppendMapHeader(1)
	b.AppendString(logKey)
	b.AppendStringBytes(line)
	return lineText, scratch, nil
}

// parseLine appends the record the named Parser makes of a line, timed by
// the parsed time or now. A line the parser does not match is kept as
// {"log": line}, where Fluent Bit drops it.
func parseLine(b *record.Builder, p *parser.Parser, scratch, line []byte, now record.Time) (lineKind, []byte) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(bytes.TrimSpace(line)) == 0 {
		return lineBlank, scratch
	}
	if err := p.AppendEvent(b, line, now, nil); err == nil {
		return lineJSON, scratch
	}
	b.BeginEvent(now, nil)
	b.AppendMapHeader(1)
	b.AppendString(logKey)
	b.AppendStringBytes(line)
	return lineText, scratch
}

// isSpace reports JSON's insignificant whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// withoutPrefix drops the "malformed record: " that record's errors start
// with, which says nothing to someone reading a log of skipped lines.
func withoutPrefix(err error) string {
	return strings.TrimPrefix(err.Error(), record.ErrMalformed.Error()+": ")
}
