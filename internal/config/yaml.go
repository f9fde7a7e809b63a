package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlKeys lists the top-level keys of a YAML configuration Sluice reads.
var yamlKeys = []string{"env", "includes", "service", "pipeline", "parsers", "multiline_parsers"}

// ParseYAMLFile reads a Fluent Bit YAML configuration file and every file
// it includes. It does not load parsers_file; Load does.
func ParseYAMLFile(path string) (*Model, []Warning, error) {
	p := newParse()
	p.open(path, link{}, nil, func(src []byte) { p.readYAML(path, src, nil) })
	return p.finish()
}

// ParseYAML parses src, a Fluent Bit YAML configuration named name; includes
// are relative to name's directory.
//
// The top-level keys are env (variables for ${NAME}), includes (more YAML
// files), service, pipeline (inputs, filters and outputs: lists of
// mappings), parsers and multiline_parsers. A plugin's keys become Params in
// order; a list value becomes one Param per item, as Fluent Bit sets a
// property once per item; scalars keep their source text, so "on" stays
// "on". A multiline parser's rules become "rule" Params in the classic
// format's shape, "state" "regex" "next_state", so both formats produce the
// same model. The error, when not nil, is a *Error or an errors.Join of them.
func ParseYAML(name string, src []byte) (*Model, []Warning, error) {
	p := newParse()
	p.registerMain(name)
	p.within(func() { p.readYAML(name, src, nil) })
	return p.finish()
}

// yamlReader reads one YAML file.
type yamlReader struct {
	p    *parse
	file string
	dir  string
	o    origin
}

// readYAML parses one YAML file into p.m.
func (p *parse) readYAML(name string, src []byte, o origin) {
	r := &yamlReader{p: p, file: name, dir: filepath.Dir(name), o: o}
	root := r.decode(src)
	switch {
	case isNull(root):
		return
	case root.Kind != yaml.MappingNode:
		r.fail(root, "the top level of a YAML configuration must be a mapping", "valid top-level keys are "+strings.Join(yamlKeys, ", "))
		return
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		r.topLevel(deref(root.Content[i]), deref(root.Content[i+1]))
	}
}

func (r *yamlReader) topLevel(k, v *yaml.Node) {
	switch strings.ToLower(k.Value) {
	case "env":
		r.env(v)
	case "includes":
		r.includes(v)
	case "service":
		r.p.m.Add(Section{Kind: KindService, Pos: r.pos(k), Params: r.params(v, "service", KindService)})
	case "pipeline":
		r.pipeline(v)
	case "parsers":
		r.sections(v, "parsers", KindParser)
	case "multiline_parsers":
		r.sections(v, "multiline_parsers", KindMultilineParser)
	case "customs", "plugins", "upstream_servers", "stream_processor":
		r.fail(k, fmt.Sprintf("top-level key %q is a Fluent Bit feature Sluice does not support", k.Value),
			"valid top-level keys are "+strings.Join(yamlKeys, ", "))
	default:
		r.fail(k, fmt.Sprintf("unknown top-level key %q", k.Value), suggestHint(k.Value, yamlKeys, "valid top-level keys are "))
	}
}

// decode parses src into its root node; nil for an empty file.
func (r *yamlReader) decode(src []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			r.syntaxError(err, src)
		}
		return nil
	}
	switch err := dec.Decode(&extra); {
	case err == nil:
		r.fail(&extra, "a configuration file holds one YAML document; this is a second one",
			"remove the --- separator, or move the document to its own file and list it under includes")
		return nil
	case !errors.Is(err, io.EOF):
		r.syntaxError(err, src)
		return nil
	}
	if len(doc.Content) == 0 {
		return nil
	}
	return deref(doc.Content[0])
}

// syntaxError reports a yaml.v3 error ("yaml: line 3: ...") at its line.
func (r *yamlReader) syntaxError(err error, src []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Position{File: r.file}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if line, convErr := strconv.Atoi(num); convErr == nil {
				pos.Line, msg = problemLine(src, line, err), text
				if pos.Line != line {
					msg += fmt.Sprintf(" (in the block that starts on line %d)", line)
				}
			}
		}
	}
	var hint string
	switch lines := bytes.Split(src, []byte("\n")); {
	case pos.Line > 0 && pos.Line <= len(lines) && bytes.ContainsRune(leadingBlanks(lines[pos.Line-1]), '\t'):
		hint = "YAML indentation must use spaces, not tabs"
	case strings.Contains(msg, "end of stream"):
		hint = "a quote or bracket opened on this line is never closed"
	case pos.Line > 0:
		hint = "YAML nests by indentation: check the indentation and the \": \" after each key on this line and the lines above"
	}
	r.p.fail(r.o, &Error{Pos: pos, Msg: "invalid YAML: " + msg, Hint: hint})
}

func leadingBlanks(line []byte) []byte { return line[:len(line)-len(bytes.TrimLeft(line, " \t"))] }

// problemLine finds the line a YAML error is on. yaml.v3 reports the line
// where the enclosing block starts (libyaml's context mark), which for a
// mis-indented key can be far above the mistake. A streaming parser fails
// the same way on every prefix of the file that holds the mistake, so a
// bisection finds the shortest such prefix: it ends at the problem line.
func problemLine(src []byte, reported int, err error) int {
	lines := bytes.SplitAfter(src, []byte("\n"))
	sameError := func(n int) bool {
		e := firstYAMLError(bytes.Join(lines[:n], nil))
		return e != nil && e.Error() == err.Error()
	}
	// The mistake is at or after the reported line; the whole file fails.
	lo, hi := max(reported, 1)-1, len(lines)
	if lo >= hi {
		return reported
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; sameError(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// firstYAMLError returns the syntax error decode would meet in src, if any.
func firstYAMLError(src []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for range 2 {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
	return nil
}

// includes reads the files of the includes section: one path or a list;
// each may be a glob, relative to this file's directory.
func (r *yamlReader) includes(v *yaml.Node) {
	items := []*yaml.Node{v}
	switch {
	case isNull(v):
		return
	case v.Kind == yaml.SequenceNode:
		items = v.Content
	}
	for _, item := range items {
		item = deref(item)
		pattern, ok := r.scalar(item, "includes entry")
		if !ok {
			continue
		}
		site := link{at: r.pos(item), how: viaInclude}
		for _, path := range r.p.includePaths(pattern, r.dir, site, r.o) {
			r.p.open(path, site, r.o, func(src []byte) { r.p.readYAML(path, src, r.o.push(site)) })
		}
	}
}

func (r *yamlReader) pipeline(v *yaml.Node) {
	if isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		r.fail(v, "pipeline must be a mapping with inputs, filters and outputs", "for example: pipeline: {inputs: [{name: dummy}]}")
		return
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := deref(v.Content[i]), deref(v.Content[i+1])
		switch strings.ToLower(k.Value) {
		case "inputs":
			r.sections(val, "pipeline.inputs", KindInput)
		case "filters":
			r.sections(val, "pipeline.filters", KindFilter)
		case "outputs":
			r.sections(val, "pipeline.outputs", KindOutput)
		default:
			r.fail(k, fmt.Sprintf("unknown key %q in pipeline", k.Value),
				suggestHint(k.Value, []string{"inputs", "filters", "outputs"}, "valid keys of pipeline are "))
		}
	}
}

// suggestHint lists the valid words, suggesting the closest to word.
func suggestHint(word string, valid []string, prefix string) string {
	hint := prefix + strings.Join(valid, ", ")
	if s := Suggest(word, valid); s != "" {
		hint = fmt.Sprintf("did you mean %q? %s", s, hint)
	}
	return hint
}

// deref follows YAML aliases (*name) to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports an absent or null value: "key:", "key: ~", "key: null".
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func (r *yamlReader) fail(n *yaml.Node, msg, hint string) {
	r.p.fail(r.o, &Error{Pos: r.pos(n), Msg: msg, Hint: hint})
}

func (r *yamlReader) pos(n *yaml.Node) Position {
	return Position{File: r.file, Line: n.Line, Column: n.Column}
}
