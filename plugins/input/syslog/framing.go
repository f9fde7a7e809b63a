package syslog

import (
	"bytes"
	"fmt"
)

// framer splits a syslog byte stream into messages (RFC 6587): each frame
// is octet-counted ("LEN SP MSG") when it starts with a digit, and
// otherwise ends at LF.
type framer struct {
	max     int
	pending []byte
}

// maxCountDigits bounds the digits of an octet count (RFC 6587 MSG-LEN).
const maxCountDigits = 10

// feed adds data and calls fn for every complete message. An error means
// the stream cannot be framed; messages before it were handed to fn.
func (f *framer) feed(data []byte, fn func(msg []byte)) error {
	f.pending = append(f.pending, data...)
	buf := f.pending
	for len(buf) > 0 {
		if buf[0] == '\n' || buf[0] == '\r' || buf[0] == 0 {
			buf = buf[1:]
			continue
		}
		if buf[0] >= '0' && buf[0] <= '9' {
			// An octet count has at most maxCountDigits digits, wherever
			// the reads happen to cut the stream: the decision must not
			// depend on whether the space has arrived yet.
			sp := bytes.IndexByte(buf, ' ')
			if sp < 0 && len(buf) > maxCountDigits || sp > maxCountDigits {
				return fmt.Errorf("octet count %q is not a number of at most %d digits followed by a space", clip(buf), maxCountDigits)
			}
			if sp < 0 {
				break
			}
			n := 0
			for _, c := range buf[:sp] {
				if c < '0' || c > '9' {
					return fmt.Errorf("octet count %q is not a number followed by a space", clip(buf[:sp]))
				}
				if n <= f.max { // stop growing: it is too large already
					n = n*10 + int(c-'0')
				}
			}
			if n > f.max {
				return fmt.Errorf("a message of %d bytes is longer than Buffer_Max_Size (%d)", n, f.max)
			}
			if len(buf) < sp+1+n {
				break
			}
			fn(buf[sp+1 : sp+1+n])
			buf = buf[sp+1+n:]
			continue
		}
		// The limit applies to the message, however the reads cut it: a
		// long line that arrives in one read is refused too.
		nl := bytes.IndexByte(buf, '\n')
		if nl < 0 {
			if len(bytes.TrimSuffix(buf, []byte{'\r'})) > f.max {
				return fmt.Errorf("a message longer than Buffer_Max_Size (%d bytes) without a newline", f.max)
			}
			break
		}
		msg := bytes.TrimSuffix(buf[:nl], []byte{'\r'})
		if len(msg) > f.max {
			return fmt.Errorf("a message of %d bytes is longer than Buffer_Max_Size (%d)", len(msg), f.max)
		}
		fn(msg)
		buf = buf[nl+1:]
	}
	n := copy(f.pending, buf)
	f.pending = f.pending[:n]
	return nil
}

// end hands over a last newline-framed message without its LF.
func (f *framer) end(fn func(msg []byte)) {
	if m := bytes.TrimRight(f.pending, "\r\n\x00"); len(m) > 0 && !(m[0] >= '0' && m[0] <= '9') {
		fn(m)
	}
	f.pending = f.pending[:0]
}

func clip(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return string(b)
}
