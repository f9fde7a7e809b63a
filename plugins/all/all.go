// Package all lists Sluice's built-in plugins. It is the one place that
// knows every plugin: the CLI builds its registry from Specs, and a test can
// build a registry of only the plugins it needs instead.
package all

import (
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/plugins/filter/anomaly"
	"github.com/sluice-logs/sluice/plugins/filter/aws"
	"github.com/sluice-logs/sluice/plugins/filter/ecs"
	"github.com/sluice-logs/sluice/plugins/filter/grep"
	"github.com/sluice-logs/sluice/plugins/filter/k8saudit"
	"github.com/sluice-logs/sluice/plugins/filter/kubernetes"
	"github.com/sluice-logs/sluice/plugins/filter/lua"
	"github.com/sluice-logs/sluice/plugins/filter/modify"
	"github.com/sluice-logs/sluice/plugins/filter/multiline"
	"github.com/sluice-logs/sluice/plugins/filter/nest"
	filterparser "github.com/sluice-logs/sluice/plugins/filter/parser"
	"github.com/sluice-logs/sluice/plugins/filter/record_modifier"
	"github.com/sluice-logs/sluice/plugins/filter/redact"
	"github.com/sluice-logs/sluice/plugins/filter/rewrite_tag"
	"github.com/sluice-logs/sluice/plugins/filter/throttle"
	"github.com/sluice-logs/sluice/plugins/input/dummy"
	forwardin "github.com/sluice-logs/sluice/plugins/input/forward"
	"github.com/sluice-logs/sluice/plugins/input/stdin"
	"github.com/sluice-logs/sluice/plugins/input/tail"
	"github.com/sluice-logs/sluice/plugins/input/tcp"
	"github.com/sluice-logs/sluice/plugins/output/cloudwatchlogs"
	"github.com/sluice-logs/sluice/plugins/output/file"
	forwardout "github.com/sluice-logs/sluice/plugins/output/forward"
	"github.com/sluice-logs/sluice/plugins/output/kinesisfirehose"
	"github.com/sluice-logs/sluice/plugins/output/kinesisstreams"
	"github.com/sluice-logs/sluice/plugins/output/null"
	"github.com/sluice-logs/sluice/plugins/output/s3"
	"github.com/sluice-logs/sluice/plugins/output/stdout"
)

// Specs returns the built-in plugins, inputs first, then filters, then
// outputs, each in alphabetical order of their folders. Every call returns
// new Specs the caller may keep.
func Specs() []plugin.Spec {
	return []plugin.Spec{
		// Inputs.
		dummy.Spec(),
		forwardin.Spec(),
		stdin.Spec(),
		tail.Spec(),
		tcp.Spec(),

		// Filters.
		anomaly.Spec(),
		aws.Spec(),
		ecs.Spec(),
		grep.Spec(),
		k8saudit.Spec(),
		kubernetes.Spec(),
		lua.Spec(),
		modify.Spec(),
		multiline.Spec(),
		nest.Spec(),
		filterparser.Spec(),
		record_modifier.Spec(),
		redact.Spec(),
		rewrite_tag.Spec(),
		throttle.Spec(),

		// Outputs.
		cloudwatchlogs.Spec(),
		file.Spec(),
		forwardout.Spec(),
		kinesisfirehose.Spec(),
		kinesisstreams.Spec(),
		null.Spec(),
		s3.Spec(),
		stdout.Spec(),
	}
}
