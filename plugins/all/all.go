// Package all lists Sluice's built-in plugins. It is the one place that
// knows every plugin: the CLI builds its registry from Specs, and a test can
// build a registry of only the plugins it needs instead.
package all

import (
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/plugins/input/dummy"
	"github.com/sluice-logs/sluice/plugins/input/stdin"
	"github.com/sluice-logs/sluice/plugins/output/file"
	"github.com/sluice-logs/sluice/plugins/output/kinesisfirehose"
	"github.com/sluice-logs/sluice/plugins/output/kinesisstreams"
	"github.com/sluice-logs/sluice/plugins/output/null"
	"github.com/sluice-logs/sluice/plugins/output/s3"
	"github.com/sluice-logs/sluice/plugins/output/stdout"
)

// Specs returns the built-in plugins, inputs first, then outputs, each in
// alphabetical order. Every call returns new Specs the caller may keep.
func Specs() []plugin.Spec {
	return []plugin.Spec{
		// Inputs.
		dummy.Spec(),
		stdin.Spec(),

		// Outputs.
		file.Spec(),
		kinesisfirehose.Spec(),
		kinesisstreams.Spec(),
		null.Spec(),
		s3.Spec(),
		stdout.Spec(),
	}
}
