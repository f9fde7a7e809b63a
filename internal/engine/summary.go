package engine

import (
	"fmt"
	"strings"
)

// Summary describes the pipeline in a few lines for the start-up log: each
// input with its tag, each filter and output with what it matches, and
// where each input's records go.
func (p *Pipeline) Summary() []string {
	var lines []string
	for _, r := range p.inputs {
		if r.input == nil {
			continue // emitters are listed with their filter
		}
		rt := p.resolve(r.tag, nil)
		var outs []string
		for _, o := range rt.outputs {
			outs = append(outs, o.id)
		}
		dest := strings.Join(outs, ", ")
		switch {
		case r.dynamicTags:
			dest = "by the tags its sources send"
		case dest == "":
			dest = "no output (records are discarded)"
		}
		lines = append(lines, fmt.Sprintf("input  %s (tag %s) -> %s", r.id, r.tag, dest))
	}
	for _, f := range p.filters {
		lines = append(lines, fmt.Sprintf("filter %s [%s]", f.id, f.match))
	}
	for _, o := range p.outputs {
		lines = append(lines, fmt.Sprintf("output %s [%s]", o.id, o.match))
	}
	return lines
}
