package journal

import (
	"strings"
	"testing"
)

func TestParseCursor(t *testing.T) {
	// A cursor as journalctl prints __CURSOR.
	const jc = "s=850dc0ae153d476bbf264da17f7236fa;i=2;b=0123456789abcdef0123456789abcdef;m=3e9;t=60a24181e4001;x=5845baf88bf27602"
	for _, tc := range []struct {
		in, err string
	}{
		{jc, ""},
		{jc + "\n", ""},
		{"s=850dc0ae153d476bbf264da17f7236fa;i=2", "needs s=, i= and t="},
		{"s=85;i=2;t=1", "32 hex digits"},
		{"garbage", "not key=value"},
		{"s=850dc0ae153d476bbf264da17f7236fa;i=zz;t=1", "i:"},
	} {
		c, err := ParseCursor(tc.in)
		if tc.err == "" {
			if err != nil || c.String() != jc {
				t.Errorf("%q: %v, round trip %q", tc.in, err, c.String())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		}
	}
}
