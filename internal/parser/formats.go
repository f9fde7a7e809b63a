package parser

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// scratchPool recycles the buffers a parse needs besides its output.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (p *Parser) parseRegex(w *fieldWriter, in []byte) error {
	loc, err := p.regex.FindSubmatchIndex(in)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoMatch, err)
	}
	if loc == nil {
		return ErrNoMatch
	}
	for g := 1; g < len(p.names); g++ {
		name := p.names[g]
		if name == "" {
			continue
		}
		start, end := loc[2*g], loc[2*g+1]
		if start < 0 {
			continue // the group took no part in the match
		}
		if start == end && p.skipEmpty {
			continue
		}
		w.str([]byte(name), in[start:end])
	}
	return nil
}

func (p *Parser) parseJSON(w *fieldWriter, in []byte) error {
	sp := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(sp)
	m, err := record.AppendJSONAsMsgpack((*sp)[:0], in)
	*sp = m[:0]
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoMatch, err)
	}
	if len(m) == 0 || !isMap(m[0]) {
		return fmt.Errorf("%w: JSON is not an object", ErrNoMatch)
	}
	return record.MapEntries(m, func(k, v []byte) bool {
		w.raw(k, v)
		return true
	})
}

func isMap(b byte) bool { return b&0xf0 == 0x80 || b == 0xde || b == 0xdf }

// parseLogfmt reads key=value pairs separated by spaces; a value may be
// double-quoted with backslash escapes, and a key without a value (a bare
// key) is true unless Logfmt_No_Bare_Keys is set.
func (p *Parser) parseLogfmt(w *fieldWriter, in []byte) error {
	sp := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(sp)
	i, fields := 0, 0
	for {
		for i < len(in) && in[i] <= ' ' {
			i++
		}
		if i >= len(in) {
			break
		}
		start := i
		for i < len(in) && in[i] > ' ' && in[i] != '=' && in[i] != '"' {
			i++
		}
		key := in[start:i]
		if len(key) == 0 { // a stray '=' or '"': skip it
			i++
			continue
		}
		if i >= len(in) || in[i] != '=' {
			if p.noBareKeys {
				return fmt.Errorf("%w: bare key %q (Logfmt_No_Bare_Keys)", ErrNoMatch, key)
			}
			w.dst = appendKeyTrue(w.dst, key)
			w.n++
			fields++
			continue
		}
		i++ // '='
		var val []byte
		if i < len(in) && in[i] == '"' {
			i++
			buf := (*sp)[:0]
			for i < len(in) && in[i] != '"' {
				if in[i] == '\\' && i+1 < len(in) {
					i++
					buf = append(buf, unescapeByte(in[i]))
				} else {
					buf = append(buf, in[i])
				}
				i++
			}
			i++ // closing quote
			*sp = buf
			val = buf
		} else {
			vs := i
			for i < len(in) && in[i] > ' ' {
				i++
			}
			val = in[vs:i]
		}
		w.str(key, val)
		fields++
	}
	if fields == 0 {
		return fmt.Errorf("%w: no key=value pair", ErrNoMatch)
	}
	return nil
}

func unescapeByte(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	}
	return c
}

// parseLTSV reads tab-separated label:value fields
// (http://ltsv.org); fields without a colon are skipped.
func (p *Parser) parseLTSV(w *fieldWriter, in []byte) error {
	if n := len(in); n > 0 && in[n-1] == '\n' {
		in = in[:n-1]
		if n := len(in); n > 0 && in[n-1] == '\r' {
			in = in[:n-1]
		}
	}
	fields := 0
	for len(in) > 0 {
		field := in
		if tab := bytes.IndexByte(in, '\t'); tab >= 0 {
			field, in = in[:tab], in[tab+1:]
		} else {
			in = nil
		}
		colon := bytes.IndexByte(field, ':')
		if colon <= 0 {
			continue
		}
		w.str(field[:colon], field[colon+1:])
		fields++
	}
	if fields == 0 {
		return fmt.Errorf("%w: no label:value field", ErrNoMatch)
	}
	return nil
}

func appendKeyTrue(dst, key []byte) []byte {
	return msgp.AppendBool(msgp.AppendStringFromBytes(dst, key), true)
}
