package es

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/tinylib/msgp/msgp"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/record"
)

// bulkEncoder writes the two lines of one document of a bulk request
// (Elasticsearch's newline-delimited _bulk body: an action line, then the
// document, or for update/upsert the {"doc": ...} body).
type bulkEncoder struct {
	o   *Output
	tag string
	now time.Time // Current_Time_Index
	doc []byte    // scratch: the document, for Generate_ID's hash
	tmp []byte
	// body is the bulk body, reused across flushes.
	body []byte
}

var (
	errNoID = errors.New("the record has no value at Id_Key; update and upsert need an _id")
)

// encode appends the action and document lines of ev to dst.
func (e *bulkEncoder) encode(dst []byte, ev *record.Event) ([]byte, error) {
	o := e.o
	var err error
	e.doc, err = o.appendDocument(e.doc[:0], e.tag, ev)
	if err != nil {
		return dst, err
	}
	dst = append(dst, `{"`...)
	op := o.writeOp
	if op == "upsert" {
		op = "update"
	}
	dst = append(dst, op...)
	dst = append(dst, `":{"_index":`...)
	e.tmp = o.appendIndex(e.tmp[:0], ev, e.now)
	dst = record.AppendJSONString(dst, e.tmp)
	if o.docType != "" {
		dst = append(dst, `,"_type":`...)
		dst = record.AppendJSONString(dst, []byte(o.docType))
	}
	switch {
	case o.idKey != nil:
		v, ok := o.idKey.Get(ev.Body)
		var id []byte
		if ok {
			id, ok = accessor.AppendText(e.tmp[:0], v)
		}
		if !ok || len(id) == 0 {
			if o.writeOp == "update" || o.writeOp == "upsert" {
				return dst, errNoID
			}
			break
		}
		dst = append(dst, `,"_id":`...)
		dst = record.AppendJSONString(dst, id)
	case o.generateID:
		dst = append(dst, `,"_id":"`...)
		dst = appendContentID(dst, ev.Time, e.doc)
		dst = append(dst, '"')
	}
	dst = append(dst, "}}\n"...)
	switch o.writeOp {
	case "update":
		dst = append(dst, `{"doc":`...)
		dst = append(dst, e.doc...)
		dst = append(dst, "}\n"...)
	case "upsert":
		dst = append(dst, `{"doc":`...)
		dst = append(dst, e.doc...)
		dst = append(dst, ",\"doc_as_upsert\":true}\n"...)
	default:
		dst = append(dst, e.doc...)
		dst = append(dst, '\n')
	}
	return dst, nil
}

// appendContentID writes a UUID-shaped id derived from the record's time
// and document, so the same record always gets the same _id and a resent
// chunk does not index it twice (Fluent Bit hashes the record too).
func appendContentID(dst []byte, t record.Time, doc []byte) []byte {
	h := sha256.New()
	var ts [8]byte
	for i := range ts {
		ts[i] = byte(uint64(t) >> (8 * i))
	}
	h.Write(ts[:])
	h.Write(doc)
	var sum [32]byte
	h.Sum(sum[:0])
	var hx [32]byte
	hex.Encode(hx[:], sum[:16])
	dst = append(dst, hx[0:8]...)
	dst = append(dst, '-')
	dst = append(dst, hx[8:12]...)
	dst = append(dst, '-')
	dst = append(dst, hx[12:16]...)
	dst = append(dst, '-')
	dst = append(dst, hx[16:20]...)
	dst = append(dst, '-')
	return append(dst, hx[20:32]...)
}

// appendIndex writes the index of a record: Index, or with Logstash_Format
// the prefix (Logstash_Prefix_Key's value when the record has one), the
// separator and the date.
func (o *Output) appendIndex(dst []byte, ev *record.Event, now time.Time) []byte {
	if !o.logstash {
		return append(dst, o.index...)
	}
	prefixed := false
	if o.prefixKey != nil {
		if v, ok := o.prefixKey.Get(ev.Body); ok {
			dst, prefixed = accessor.AppendText(dst, v)
		}
	}
	if !prefixed {
		dst = append(dst, o.prefix...)
	}
	dst = append(dst, o.prefixSep...)
	t := ev.Time.Std().UTC()
	if o.currentTime {
		t = now.UTC()
	}
	return appendStrftime(dst, o.dateFormat, t)
}

// appendDocument writes the document JSON: Time_Key first (unless the
// record has that key), Tag_Key with Include_Tag_Key, then the record's
// fields, with dots in keys replaced under Replace_Dots.
func (o *Output) appendDocument(dst []byte, tag string, ev *record.Event) ([]byte, error) {
	n, rest, err := msgp.ReadMapHeaderBytes(ev.Body)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '{')
	first := true
	sep := func() {
		if !first {
			dst = append(dst, ',')
		}
		first = false
	}
	if _, has := record.Lookup(ev.Body, o.timeKey); !has {
		sep()
		dst = record.AppendJSONString(dst, []byte(o.timeKey))
		dst = append(dst, ':', '"')
		t := ev.Time.Std().UTC()
		dst = appendStrftime(dst, o.timeFormat, t)
		if o.timeNanos {
			dst = append(dst, '.')
			dst = appendPadded(dst, t.Nanosecond(), 9)
		} else {
			dst = append(dst, '.')
			dst = appendPadded(dst, t.Nanosecond()/1e6, 3)
		}
		dst = append(dst, 'Z', '"')
	}
	if o.includeTag {
		sep()
		dst = record.AppendJSONString(dst, []byte(o.tagKey))
		dst = append(dst, ':')
		dst = record.AppendJSONString(dst, []byte(tag))
	}
	for i := uint32(0); i < n; i++ {
		sep()
		if dst, rest, err = o.appendField(dst, rest, 0); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendField writes one "key":value of a map at rest.
func (o *Output) appendField(dst, rest []byte, depth int) ([]byte, []byte, error) {
	kstart := rest
	k, after, err := msgp.ReadMapKeyZC(rest)
	if err != nil {
		// A key that is not a string: record.AppendJSON writes it as its
		// JSON text.
		var v []byte
		if dst, v, err = appendJSONKey(dst, kstart); err != nil {
			return dst, nil, err
		}
		after = v
	} else if o.replaceDots {
		dst = appendReplacedKey(dst, k)
	} else {
		dst = record.AppendJSONString(dst, k)
	}
	dst = append(dst, ':')
	if o.replaceDots && msgp.NextType(after) == msgp.MapType && depth < 64 {
		n, r, err := msgp.ReadMapHeaderBytes(after)
		if err != nil {
			return dst, nil, err
		}
		dst = append(dst, '{')
		for i := uint32(0); i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, r, err = o.appendField(dst, r, depth+1); err != nil {
				return dst, nil, err
			}
		}
		return append(dst, '}'), r, nil
	}
	return record.AppendJSON(dst, after)
}

func appendJSONKey(dst, k []byte) ([]byte, []byte, error) {
	js, rest, err := record.AppendJSON(nil, k)
	if err != nil {
		return dst, nil, err
	}
	return record.AppendJSONString(dst, js), rest, nil
}

func appendReplacedKey(dst, k []byte) []byte {
	start := len(dst)
	dst = record.AppendJSONString(dst, k)
	for i := start; i < len(dst); i++ {
		if dst[i] == '.' {
			dst[i] = '_'
		}
	}
	return dst
}

func appendPadded(dst []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}
