package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sluice-logs/sluice/internal/engine"
	"github.com/sluice-logs/sluice/internal/plugindoc"
	"github.com/sluice-logs/sluice/plugins/all"
)

const pluginsUsage = `Usage: sluice plugins [--json] [KIND [NAME]]
       sluice plugins --markdown-dir DIR

Lists the built-in plugins with their summaries. With KIND (input, filter,
output), only the plugins of that kind; with KIND NAME, every parameter of
the plugin (type, default, whether required or repeatable, valid values),
the common parameters of its kind, and its examples. KIND service lists the
[SERVICE] keys. --json prints the same as JSON.

--markdown-dir DIR writes the Markdown reference (DIR/plugins/README.md,
DIR/plugins/KIND/NAME.md, DIR/service.md) and removes stale files under
DIR/plugins; ` + "`make docs`" + ` runs it on docs/.
`

// pluginsCommand prints the plugin reference generated from the plugin
// declarations (see package plugindoc).
func pluginsCommand(args []string, stdout, stderr io.Writer) int {
	var asJSON bool
	var markdownDir string
	var pos []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "-h" || arg == "--help":
			fmt.Fprint(stdout, pluginsUsage)
			return exitOK
		case arg == "--json":
			asJSON = true
		case arg == "--markdown-dir":
			if i+1 >= len(args) {
				fmt.Fprintln(stderr, "error: --markdown-dir needs a directory")
				return exitConfig
			}
			i++
			markdownDir = args[i]
		case strings.HasPrefix(arg, "--markdown-dir="):
			markdownDir = strings.TrimPrefix(arg, "--markdown-dir=")
		case strings.HasPrefix(arg, "-"):
			fmt.Fprintf(stderr, "error: unknown flag %q\n%s", arg, pluginsUsage)
			return exitConfig
		default:
			pos = append(pos, arg)
		}
	}
	specs := all.Specs()
	cat := plugindoc.New(specs, engine.ServiceSpec())
	if markdownDir != "" {
		if len(pos) > 0 || asJSON {
			fmt.Fprintln(stderr, "error: --markdown-dir takes no KIND, NAME or --json")
			return exitConfig
		}
		if err := plugindoc.CheckAll(specs, engine.ServiceSpec()); err != nil {
			fmt.Fprintf(stderr, "error: the plugin declarations cannot be documented:\n%v\n", err)
			return exitRuntime
		}
		files := plugindoc.Markdown(cat)
		if err := plugindoc.WriteDir(markdownDir, files); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitRuntime
		}
		fmt.Fprintf(stdout, "wrote %d files under %s\n", len(files), markdownDir)
		return exitOK
	}
	if len(pos) > 2 {
		fmt.Fprintf(stderr, "error: sluice plugins takes at most KIND and NAME\n%s", pluginsUsage)
		return exitConfig
	}
	var kind, name string
	if len(pos) > 0 {
		kind = strings.TrimSuffix(strings.ToLower(pos[0]), "s")
		if kind != "service" && !contains(plugindoc.Kinds, kind) {
			fmt.Fprintf(stderr, "error: unknown kind %q; use input, filter, output or service%s\n", pos[0], kindHint(cat, pos[0]))
			return exitConfig
		}
	}
	if len(pos) == 2 {
		name = pos[1]
		if kind == "service" {
			fmt.Fprintln(stderr, "error: sluice plugins service takes no NAME")
			return exitConfig
		}
	}
	var view any
	var text func(io.Writer) error
	switch {
	case kind == "service":
		view, text = cat.Service, func(w io.Writer) error { return plugindoc.WriteService(w, cat) }
	case name != "":
		p, ok := cat.Lookup(kind, name)
		if !ok {
			fmt.Fprintf(stderr, "error: unknown %s plugin %q; `sluice plugins %s` lists them\n", kind, name, kind)
			return exitConfig
		}
		view, text = p, func(w io.Writer) error { return plugindoc.WritePlugin(w, p) }
	case kind != "":
		view, text = cat.OfKind(kind), func(w io.Writer) error { return plugindoc.WriteList(w, cat, kind) }
	default:
		view, text = cat, func(w io.Writer) error { return plugindoc.WriteList(w, cat, "") }
	}
	var err error
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(view)
	} else {
		err = text(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitRuntime
	}
	return exitOK
}

// kindHint suggests the KIND NAME form when a plugin name was given alone.
func kindHint(cat *plugindoc.Catalog, name string) string {
	var forms []string
	for _, k := range plugindoc.Kinds {
		if _, ok := cat.Lookup(k, name); ok {
			forms = append(forms, fmt.Sprintf("`sluice plugins %s %s`", k, name))
		}
	}
	if len(forms) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(forms, " or ") + "?"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
