package main

import (
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
)

// commandLine is what the run and validate commands read from their
// arguments: a config file and/or Fluent Bit's quick pipeline flags.
type commandLine struct {
	configFile string
	// quick holds the sections built from -i/-F/-o, with -p, -t and -m
	// applied to the section declared last, as Fluent Bit does.
	quick   config.Model
	service []config.Param
	help    bool
	version bool
	dryRun  bool
	// externalPlugins are the -e files: Fluent Bit loads plugins from
	// shared objects (aws-for-fluent-bit's firehose.so, cloudwatch.so,
	// kinesis.so); Sluice's plugins are built in, so they are noted and
	// not loaded.
	externalPlugins []string
}

// flagArgs are the flags that take a value.
var flagArgs = map[string]string{
	"-c": "config", "--config": "config",
	"-i": "input", "--input": "input",
	"-F": "filter", "--filter": "filter",
	"-o": "output", "--output": "output",
	"-p": "prop", "--prop": "prop",
	"-t": "tag", "--tag": "tag",
	"-m": "match", "--match": "match",
	"-f": "flush", "--flush": "flush",
	"-R": "parser", "--parser": "parser",
	"-l": "log_file", "--log_file": "log_file",
	"-L": "listen", "--http_listen": "listen",
	"-P": "port", "--http_port": "port",
	"-g": "grace", "--grace": "grace",
	"-e": "plugin", "--plugin": "plugin",
}

// parseCommandLine reads Fluent Bit-style flags. Order matters: -p, -t and
// -m apply to the plugin named just before them.
func parseCommandLine(args []string) (*commandLine, error) {
	cl := &commandLine{}
	var last *config.Section
	var lastKind config.Kind
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(arg, "=")
		if !strings.HasPrefix(arg, "--") {
			name, hasValue = arg, false
		}
		switch name {
		case "-h", "--help":
			cl.help = true
			continue
		case "-V", "--version":
			cl.version = true
			continue
		case "-D", "--dry-run":
			cl.dryRun = true
			continue
		case "-Y", "--enable-hot-reload":
			cl.service = append(cl.service, config.Param{Key: "Hot_Reload", Value: "on"})
			continue
		case "-H", "--http":
			cl.service = append(cl.service, config.Param{Key: "HTTP_Server", Value: "on"})
			continue
		case "-v", "--verbose":
			cl.service = append(cl.service, config.Param{Key: "Log_Level", Value: "debug"})
			continue
		case "-q", "--quiet":
			cl.service = append(cl.service, config.Param{Key: "Log_Level", Value: "error"})
			continue
		}
		what, ok := flagArgs[name]
		if !ok {
			return nil, fmt.Errorf("unknown flag %q; run with --help for the list", arg)
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag %s needs a value", name)
			}
			i++
			value = args[i]
		}
		switch what {
		case "config":
			cl.configFile = value
		case "input", "filter", "output":
			kind := config.Kind(what)
			cl.quick.Add(config.Section{Kind: kind, Params: []config.Param{{Key: "Name", Value: value}}})
			last, lastKind = lastSection(&cl.quick, kind), kind
		case "prop":
			if last == nil {
				return nil, fmt.Errorf("-p %s: declare a plugin with -i, -F or -o first", value)
			}
			k, v, ok := strings.Cut(value, "=")
			if !ok {
				return nil, fmt.Errorf("-p %s: write a property as key=value", value)
			}
			last.Params = append(last.Params, config.Param{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
		case "tag":
			if last == nil || lastKind != config.KindInput {
				return nil, fmt.Errorf("-t %s: declare an input with -i first", value)
			}
			last.Params = append(last.Params, config.Param{Key: "Tag", Value: value})
		case "match":
			if last == nil || lastKind == config.KindInput {
				return nil, fmt.Errorf("-m %s: declare a filter (-F) or an output (-o) first", value)
			}
			last.Params = append(last.Params, config.Param{Key: "Match", Value: value})
		case "flush":
			cl.service = append(cl.service, config.Param{Key: "Flush", Value: value})
		case "parser":
			cl.service = append(cl.service, config.Param{Key: "Parsers_File", Value: value})
		case "log_file":
			cl.service = append(cl.service, config.Param{Key: "Log_File", Value: value})
		case "listen":
			cl.service = append(cl.service, config.Param{Key: "HTTP_Listen", Value: value})
		case "port":
			cl.service = append(cl.service, config.Param{Key: "HTTP_Port", Value: value})
		case "grace":
			cl.service = append(cl.service, config.Param{Key: "Grace", Value: value})
		case "plugin":
			cl.externalPlugins = append(cl.externalPlugins, value)
		}
	}
	return cl, nil
}

func lastSection(m *config.Model, kind config.Kind) *config.Section {
	switch kind {
	case config.KindInput:
		return &m.Inputs[len(m.Inputs)-1]
	case config.KindFilter:
		return &m.Filters[len(m.Filters)-1]
	default:
		return &m.Outputs[len(m.Outputs)-1]
	}
}

// hasPipeline reports whether quick flags declared any plugin.
func (cl *commandLine) hasPipeline() bool {
	return len(cl.quick.Inputs)+len(cl.quick.Filters)+len(cl.quick.Outputs) > 0
}
