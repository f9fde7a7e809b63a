package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sluice-logs/sluice/examples"
	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/engine"
	"github.com/sluice-logs/sluice/internal/logging"
	"github.com/sluice-logs/sluice/internal/metrics"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/plugins/all"
)

// loadModel builds the configuration model from -c and the quick flags.
// With neither and allowDefault set, it loads the embedded default example.
func loadModel(cl *commandLine, allowDefault bool, stderr io.Writer) (*config.Model, []config.Warning, error) {
	for _, so := range cl.externalPlugins {
		fmt.Fprintf(stderr, "notice: -e %s not loaded: Sluice does not load shared-object plugins; its plugins are built in "+
			"(aws-for-fluent-bit's cloudwatch, firehose and kinesis Go plugins are cloudwatch_logs, kinesis_firehose and kinesis_streams)\n", so)
	}
	var (
		model    *config.Model
		warnings []config.Warning
		err      error
	)
	switch {
	case cl.configFile != "":
		model, warnings, err = config.Load(cl.configFile)
	case cl.hasPipeline():
		model = &config.Model{}
	case allowDefault:
		fmt.Fprintf(stderr, "no configuration given (-c FILE or -i/-o flags): running the embedded example %s\n", examples.DefaultName)
		var src []byte
		if src, err = examples.Files.ReadFile(examples.DefaultName); err == nil {
			model, warnings, err = config.ParseClassic("embedded:"+examples.DefaultName, src)
		}
	default:
		return nil, nil, fmt.Errorf("no configuration given: pass -c FILE, or a pipeline with -i NAME -o NAME")
	}
	if err != nil {
		return nil, warnings, err
	}
	for _, s := range cl.quick.Inputs {
		model.Add(s)
	}
	for _, s := range cl.quick.Filters {
		model.Add(s)
	}
	for _, s := range cl.quick.Outputs {
		model.Add(s)
	}
	model.Service.Kind = config.KindService
	model.Service.Params = append(model.Service.Params, cl.service...)
	// -R FILE arrives after Load has read the parsers files of the config,
	// so its file is read here.
	var errs []error
	for _, prm := range cl.service {
		if prm.Key != "Parsers_File" {
			continue
		}
		w, err := config.LoadParsersFile(prm.Value, model)
		warnings = append(warnings, w...)
		if err != nil {
			errs = append(errs, fmt.Errorf("-R %s: %w", prm.Value, err))
		}
	}
	return model, warnings, errors.Join(errs...)
}

// registry returns the built-in plugins.
func registry() (*plugin.Registry, error) { return plugin.NewRegistry(all.Specs()...) }

// buildPipeline validates a model and instantiates its plugins.
func buildPipeline(model *config.Model, logs *logging.Factory, reg *metrics.Registry) (*engine.Pipeline, error) {
	plugins, err := registry()
	if err != nil {
		return nil, fmt.Errorf("plugin registry: %w", err)
	}
	return engine.New(model, engine.Options{Registry: plugins, Logs: logs, Metrics: reg})
}

// printConfigError prints each problem of a (joined) configuration error
// on its own line.
func printConfigError(w io.Writer, err error) {
	lines := strings.Split(err.Error(), "\n")
	if len(lines) == 1 {
		fmt.Fprintf(w, "error: %s\n", lines[0])
		return
	}
	fmt.Fprintf(w, "%d configuration errors:\n", len(lines))
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// logDestination opens Log_File when set, else returns stderr.
func logDestination(model *config.Model, stderr io.Writer) (io.Writer, func(), error) {
	path, ok := model.Service.Get("Log_File")
	if !ok || strings.TrimSpace(path) == "" {
		return stderr, func() {}, nil
	}
	f, err := os.OpenFile(strings.TrimSpace(path), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("[SERVICE] Log_File: %w; check the directory exists and is writable", err)
	}
	return f, func() { f.Close() }, nil
}
