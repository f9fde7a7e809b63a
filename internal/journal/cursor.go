package journal

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Cursor names one entry the way sd_journal_get_cursor does:
// "s=SEQNUM_ID;i=SEQNUM;b=BOOT_ID;m=MONOTONIC;t=REALTIME;x=XOR_HASH", all
// hexadecimal, so a cursor stored by Sluice reads like journalctl's.
type Cursor struct {
	SeqnumID  [16]byte
	Seqnum    uint64
	BootID    [16]byte
	Monotonic uint64
	Realtime  uint64
	XorHash   uint64
}

// CursorOf is the cursor of e, read from a file with seqnum ID seqnumID.
func CursorOf(seqnumID [16]byte, e *Entry) Cursor {
	return Cursor{SeqnumID: seqnumID, Seqnum: e.Seqnum, BootID: e.BootID, Monotonic: e.Monotonic,
		Realtime: e.Realtime, XorHash: e.XorHash}
}

// String formats c as journalctl prints __CURSOR.
func (c Cursor) String() string {
	return fmt.Sprintf("s=%s;i=%x;b=%s;m=%x;t=%x;x=%x", hex.EncodeToString(c.SeqnumID[:]), c.Seqnum,
		hex.EncodeToString(c.BootID[:]), c.Monotonic, c.Realtime, c.XorHash)
}

// ParseCursor reads a cursor written by String or by journalctl. The
// seqnum ID, seqnum and realtime parts are required; they are what
// positions a reader.
func ParseCursor(s string) (Cursor, error) {
	var c Cursor
	var have [3]bool
	for _, part := range strings.Split(strings.TrimSpace(s), ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return c, fmt.Errorf("cursor %q: part %q is not key=value", s, part)
		}
		var err error
		switch k {
		case "s":
			err = parseID(v, &c.SeqnumID)
			have[0] = true
		case "b":
			err = parseID(v, &c.BootID)
		case "i":
			c.Seqnum, err = strconv.ParseUint(v, 16, 64)
			have[1] = true
		case "m":
			c.Monotonic, err = strconv.ParseUint(v, 16, 64)
		case "t":
			c.Realtime, err = strconv.ParseUint(v, 16, 64)
			have[2] = true
		case "x":
			c.XorHash, err = strconv.ParseUint(v, 16, 64)
		}
		if err != nil {
			return c, fmt.Errorf("cursor %q: %s: %v", s, k, err)
		}
	}
	if !have[0] || !have[1] || !have[2] {
		return c, fmt.Errorf("cursor %q: needs s=, i= and t=", s)
	}
	return c, nil
}

func parseID(v string, id *[16]byte) error {
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != 16 {
		return fmt.Errorf("%q is not 32 hex digits", v)
	}
	copy(id[:], b)
	return nil
}
