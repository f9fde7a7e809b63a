package forward

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseUpstream(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		nodes   int
		wantErr string
	}{
		{"fluent bit's example", `[UPSTREAM]
    name       forward-balancing

[NODE]
    name       node-1
    host       127.0.0.1
    port       43000

[NODE]
    name       node-2
    host	127.0.0.1
    port       44000
    tls        on
    tls.verify off
    shared_key secret
`, 2, ""},
		{"no node", "[UPSTREAM]\n    name x\n", 0, "no [NODE] section"},
		{"key before a section", "name x\n", 0, "outside any section"},
		{"unknown section", "[UPSTREAM]\n[SERVER]\n", 0, `unknown section "[SERVER]"`},
		{"unknown upstream key", "[UPSTREAM]\n    host x\n", 0, `unknown key "host" in [UPSTREAM]`},
		{"unclosed header", "[UPSTREAM\n", 0, "lacks its ]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, nodes, err := parseUpstream("up.conf", []byte(tc.src))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(nodes) != tc.nodes {
				t.Fatalf("%d nodes, %v", len(nodes), err)
			}
			if nodes[1].keys["host"] != "127.0.0.1" || nodes[1].keys["shared_key"] != "secret" {
				t.Errorf("node 2 keys: %v", nodes[1].keys)
			}
		})
	}
}

func TestUpstreamNodeErrorsNameTheFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "up.conf")
	os.WriteFile(file, []byte("[UPSTREAM]\n  name u\n[NODE]\n  name n1\n  hots 127.0.0.1\n"), 0o600)
	o, err := newOutputErr(t, "Upstream", file)
	if err == nil || !strings.Contains(err.Error(), `unknown parameter "hots"`) || !strings.Contains(err.Error(), "up.conf") {
		t.Fatalf("output %v, err = %v", o, err)
	}
}

func FuzzParseUpstream(f *testing.F) {
	f.Add([]byte("[UPSTREAM]\n name u\n[NODE]\n name n\n host h\n port 1\n"))
	f.Add([]byte("[NODE]\n\tname\tx\n# comment\n[UPSTREAM]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// Errors say file:line (or the file); a parsed file has nodes, and
		// written out again in the format it parses to the same name and
		// node parameters.
		name, nodes, err := parseUpstream("fuzz.conf", src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.conf:") {
				t.Fatalf("error %q does not say where", err)
			}
			return
		}
		if len(nodes) == 0 {
			t.Fatal("no error and no node")
		}
		var b strings.Builder
		fmt.Fprintf(&b, "[UPSTREAM]\n    name %s\n", name)
		for _, n := range nodes {
			b.WriteString("[NODE]\n")
			for _, k := range slices.Sorted(maps.Keys(n.keys)) {
				fmt.Fprintf(&b, "    %s %s\n", k, n.keys[k])
			}
		}
		name2, nodes2, err := parseUpstream("again.conf", []byte(b.String()))
		if err != nil || name2 != name || len(nodes2) != len(nodes) {
			t.Fatalf("written again:\n%s\nparses as %q, %d nodes, %v; was %q, %d nodes", b.String(), name2, len(nodes2), err, name, len(nodes))
		}
		for i := range nodes {
			if !maps.Equal(nodes[i].keys, nodes2[i].keys) || nodes[i].name != nodes2[i].name {
				t.Fatalf("node %d written again: %v, was %v", i, nodes2[i].keys, nodes[i].keys)
			}
		}
	})
}
