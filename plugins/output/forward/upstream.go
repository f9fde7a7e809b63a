package forward

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// upstreamNode is one [NODE] section of an Upstream file: its name and its
// keys (lower-cased) with their values.
type upstreamNode struct {
	name string
	line int
	keys map[string]string
}

// parseUpstream reads Fluent Bit's upstream file format: one [UPSTREAM]
// section with a name, then [NODE] sections, each with name, host, port
// and optionally tls.*, shared_key, self_hostname, username and password.
// Comments start with #. file names the file in errors.
func parseUpstream(file string, src []byte) (name string, nodes []upstreamNode, err error) {
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return "", nil, fmt.Errorf("%s:%d: section header %q lacks its ]", file, n, line)
			}
			switch section = strings.ToUpper(strings.TrimSpace(line[1 : len(line)-1])); section {
			case "UPSTREAM":
			case "NODE":
				nodes = append(nodes, upstreamNode{line: n, keys: map[string]string{}})
			default:
				return "", nil, fmt.Errorf("%s:%d: unknown section %q; an upstream file has [UPSTREAM] and [NODE] sections", file, n, line)
			}
			continue
		}
		key, value, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(key, '\t'); i >= 0 {
			key, value = line[:i], line[i+1:]
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		switch section {
		case "":
			return "", nil, fmt.Errorf("%s:%d: %q is outside any section; start the file with [UPSTREAM]", file, n, line)
		case "UPSTREAM":
			if key != "name" {
				return "", nil, fmt.Errorf("%s:%d: unknown key %q in [UPSTREAM]; it takes only name", file, n, key)
			}
			name = value
		case "NODE":
			node := &nodes[len(nodes)-1]
			if key == "name" {
				node.name = value
			}
			node.keys[key] = value
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(nodes) == 0 {
		return "", nil, fmt.Errorf("%s: no [NODE] section; list at least one server", file)
	}
	return name, nodes, nil
}

// readUpstream reads and parses an Upstream file.
func readUpstream(path string) (string, []upstreamNode, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	return parseUpstream(path, src)
}
