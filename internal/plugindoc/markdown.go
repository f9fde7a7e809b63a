package plugindoc

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"unicode"
)

// RefreshCommand is the one command that regenerates the Markdown
// reference; the generated files and the drift test name it.
const RefreshCommand = "make docs"

// generatedNote heads every generated file, saying it is generated and how
// to refresh it.
const generatedNote = "<!-- Generated from the plugin declarations by `" + RefreshCommand +
	"` (go run ./cmd/sluice plugins --markdown-dir docs). Do not edit: change the Spec and regenerate. -->\n\n"

// Markdown renders the reference as files keyed by their slash-separated
// path under the docs directory: plugins/README.md (the index),
// plugins/<kind>/<name>.md per plugin, and service.md. The output depends
// only on the catalog, so regenerating it is byte-for-byte stable.
func Markdown(c *Catalog) map[string][]byte {
	files := map[string][]byte{
		"plugins/README.md": markdownIndex(c),
		"service.md":        markdownService(c),
	}
	for i := range c.Plugins {
		p := &c.Plugins[i]
		files[pluginPath(p)] = markdownPlugin(p)
	}
	return files
}

func pluginPath(p *Plugin) string { return path.Join("plugins", p.Kind, p.Name+".md") }

func markdownIndex(c *Catalog) []byte {
	var b bytes.Buffer
	b.WriteString(generatedNote)
	b.WriteString("# Plugin reference\n\n")
	b.WriteString("Every plugin built into Sluice, with the parameters it declares. The keys of the `[SERVICE]` section are in [service.md](../service.md).\n")
	b.WriteString("The binary prints the same reference: `sluice plugins`, `sluice plugins output cloudwatch_logs`, and `--json` for machines.\n")
	for _, k := range Kinds {
		fmt.Fprintf(&b, "\n## %s%ss\n\n", strings.ToUpper(k[:1]), k[1:])
		b.WriteString("| Plugin | Summary |\n|---|---|\n")
		for _, p := range c.OfKind(k) {
			fmt.Fprintf(&b, "| [%s](%s/%s.md) | %s |\n", code(p.Name), p.Kind, p.Name, cell(p.Summary))
		}
	}
	return b.Bytes()
}

func markdownPlugin(p *Plugin) []byte {
	var b bytes.Buffer
	b.WriteString(generatedNote)
	fmt.Fprintf(&b, "# %s %s\n\n", code(p.Name), p.Kind)
	fmt.Fprintf(&b, "%s.\n", sentence(p.Summary))
	if p.DynamicTags {
		switch p.Kind {
		case "input":
			b.WriteString("\nThe tags of its records are chosen by its sources, so `sluice validate` does not check the routes they take.\n")
		default:
			b.WriteString("\nIt re-tags records, so `sluice validate` does not check the routes they take.\n")
		}
	}
	if p.Emits {
		b.WriteString("\nIt emits records under new tags through an emitter of its own, configured by the `Emitter_*` parameters below.\n")
	}
	b.WriteString("\n## Parameters\n\n")
	paramTable(&b, p.Params)
	fmt.Fprintf(&b, "\n## Common %s parameters\n\n", p.Kind)
	fmt.Fprintf(&b, "Read by the engine, accepted by every %s", p.Kind)
	if p.Emits {
		b.WriteString(" (the `Emitter_*` ones by filters that emit)")
	}
	b.WriteString("; a parameter the plugin declares itself is in the table above instead.\n\n")
	paramTable(&b, p.Common)
	if len(p.Examples) > 0 {
		b.WriteString("\n## Examples\n")
		for _, ex := range p.Examples {
			fence := "```"
			for strings.Contains(ex, fence) {
				fence += "`"
			}
			fmt.Fprintf(&b, "\n%s\n%s\n%s\n", fence, strings.TrimRight(ex, "\n"), fence)
		}
	}
	b.WriteString("\n[All plugins](../README.md)\n")
	return b.Bytes()
}

func markdownService(c *Catalog) []byte {
	var b bytes.Buffer
	b.WriteString(generatedNote)
	b.WriteString("# `[SERVICE]` keys\n\n")
	b.WriteString("Global settings of a Sluice process, in the `[SERVICE]` section of a classic configuration or `service:` of a YAML one. ")
	b.WriteString("Names and defaults are Fluent Bit's unless the description says otherwise. `sluice plugins service` prints the same list.\n\n")
	paramTable(&b, c.Service)
	b.WriteString("\n[Plugin reference](plugins/README.md)\n")
	return b.Bytes()
}

func paramTable(b *bytes.Buffer, params []Param) {
	if len(params) == 0 {
		b.WriteString("None.\n")
		return
	}
	b.WriteString("| Name | Type | Default | Description |\n|---|---|---|---|\n")
	for _, p := range params {
		def := ""
		if p.Default != "" {
			def = code(p.Default)
		}
		desc := cell(p.Doc)
		if n := notes(p, code); len(n) > 0 {
			desc += " <br>" + sentence(strings.Join(n, "; ")) + "."
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", code(p.Name), p.Type, def, desc)
	}
}

// code renders s as inline code, with a longer backtick run when s holds
// backticks, line breaks as spaces and pipes escaped for a table cell.
func code(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + escapePipes(s) + fence
}

// escapePipes escapes every | of s for a table cell, doubling a backslash
// run before it when odd, so the text cannot end the cell early.
func escapePipes(s string) string {
	if !strings.Contains(s, "|") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '|' {
			writePipe(&b)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writePipe appends an escaped pipe to b; a pipe after an odd run of
// backslashes would otherwise be escaped by none (the run escapes itself).
func writePipe(b *strings.Builder) {
	run := len(b.String()) - len(strings.TrimRight(b.String(), `\`))
	if run%2 == 1 {
		b.WriteByte('\\')
	}
	b.WriteString(`\|`)
}

// cell makes a one-line description safe inside a Markdown table cell:
// whitespace collapses to single spaces and pipes are escaped; outside
// backtick code spans, < and > become entities (GitHub would take
// "<plugin>" for an HTML tag), and * and an _ not inside a word are
// escaped (they could start emphasis).
func cell(s string) string {
	rs := []rune(strings.Join(strings.Fields(s), " "))
	var b strings.Builder
	inCode := false
	for i, r := range rs {
		switch {
		case r == '`':
			inCode = !inCode
			b.WriteRune(r)
		case r == '|':
			writePipe(&b)
		case inCode:
			b.WriteRune(r)
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '*', r == '_' && !(i > 0 && isWordRune(rs[i-1]) && i+1 < len(rs) && isWordRune(rs[i+1])):
			b.WriteRune('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// sentence capitalises the first letter of s.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
