package plugindoc

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteList prints the plugins of kind (every kind when kind is ""), one
// line each with its summary, for `sluice plugins [KIND]`.
func WriteList(w io.Writer, c *Catalog, kind string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range Kinds {
		if kind != "" && k != kind {
			continue
		}
		fmt.Fprintf(tw, "%s plugins:\n", strings.ToUpper(k[:1])+k[1:])
		for _, p := range c.OfKind(k) {
			fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.Summary)
		}
		fmt.Fprintln(tw)
	}
	if kind == "" {
		fmt.Fprintln(tw, "[SERVICE] keys: sluice plugins service")
	}
	fmt.Fprintln(tw, "Parameters and examples of a plugin: sluice plugins KIND NAME")
	return tw.Flush()
}

// WritePlugin prints one plugin's summary, parameters, the common
// parameters of its kind and its examples, for `sluice plugins KIND NAME`.
func WritePlugin(w io.Writer, p *Plugin) error {
	fmt.Fprintf(w, "%s %s: %s\n\n", p.Kind, p.Name, p.Summary)
	if err := writeParams(w, "Parameters", p.Params); err != nil {
		return err
	}
	if err := writeParams(w, "Common "+p.Kind+" parameters", p.Common); err != nil {
		return err
	}
	if len(p.Examples) > 0 {
		fmt.Fprintln(w, "Examples:")
		for i, ex := range p.Examples {
			if i > 0 {
				fmt.Fprintln(w)
			}
			for _, line := range strings.Split(strings.TrimRight(ex, "\n"), "\n") {
				fmt.Fprintf(w, "  %s\n", line)
			}
		}
	}
	return nil
}

// WriteService prints the [SERVICE] keys, for `sluice plugins service`.
func WriteService(w io.Writer, c *Catalog) error {
	return writeParams(w, "[SERVICE] keys", c.Service)
}

func writeParams(w io.Writer, title string, params []Param) error {
	if len(params) == 0 {
		fmt.Fprintf(w, "%s: none\n\n", title)
		return nil
	}
	fmt.Fprintf(w, "%s:\n", title)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tTYPE\tDEFAULT\tDESCRIPTION")
	for _, p := range params {
		desc := p.Doc
		if n := notes(p, plainValue); len(n) > 0 {
			desc += " (" + strings.Join(n, "; ") + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, p.Type, p.Default, desc)
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

// notes lists what a parameter's declaration says beyond its Doc, with
// each value rendered by quote.
func notes(p Param, quote func(string) string) []string {
	var out []string
	if p.Required {
		out = append(out, "required")
	}
	if p.Multiple {
		out = append(out, "may be repeated")
	}
	if len(p.Options) > 0 {
		opts := make([]string, len(p.Options))
		for i, o := range p.Options {
			opts[i] = quote(o)
		}
		out = append(out, "one of "+strings.Join(opts, ", "))
	}
	if p.Words > 1 { // one word is the whole value: nothing to say
		out = append(out, fmt.Sprintf("%d space-separated values, the last keeping the rest of the line", p.Words))
	}
	if p.Min != nil && p.Max != nil {
		out = append(out, fmt.Sprintf("from %d to %d", *p.Min, *p.Max))
	}
	return out
}

func plainValue(s string) string { return s }
