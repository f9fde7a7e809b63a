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
	"github.com/sluice-logs/sluice/plugins/filter/recordmodifier"
	"github.com/sluice-logs/sluice/plugins/filter/redact"
	"github.com/sluice-logs/sluice/plugins/filter/rewritetag"
	"github.com/sluice-logs/sluice/plugins/filter/throttle"
	"github.com/sluice-logs/sluice/plugins/input/cpu"
	"github.com/sluice-logs/sluice/plugins/input/dummy"
	"github.com/sluice-logs/sluice/plugins/input/exec"
	"github.com/sluice-logs/sluice/plugins/input/fluentbitmetrics"
	forwardin "github.com/sluice-logs/sluice/plugins/input/forward"
	httpin "github.com/sluice-logs/sluice/plugins/input/http"
	kafkain "github.com/sluice-logs/sluice/plugins/input/kafka"
	"github.com/sluice-logs/sluice/plugins/input/mem"
	"github.com/sluice-logs/sluice/plugins/input/nodeexportermetrics"
	"github.com/sluice-logs/sluice/plugins/input/stdin"
	"github.com/sluice-logs/sluice/plugins/input/syslog"
	"github.com/sluice-logs/sluice/plugins/input/systemd"
	"github.com/sluice-logs/sluice/plugins/input/tail"
	"github.com/sluice-logs/sluice/plugins/input/tcp"
	"github.com/sluice-logs/sluice/plugins/input/udp"
	"github.com/sluice-logs/sluice/plugins/output/cloudwatch"
	"github.com/sluice-logs/sluice/plugins/output/cloudwatchlogs"
	"github.com/sluice-logs/sluice/plugins/output/datadog"
	"github.com/sluice-logs/sluice/plugins/output/es"
	"github.com/sluice-logs/sluice/plugins/output/file"
	"github.com/sluice-logs/sluice/plugins/output/firehose"
	forwardout "github.com/sluice-logs/sluice/plugins/output/forward"
	httpout "github.com/sluice-logs/sluice/plugins/output/http"
	kafkaout "github.com/sluice-logs/sluice/plugins/output/kafka"
	"github.com/sluice-logs/sluice/plugins/output/kinesis"
	"github.com/sluice-logs/sluice/plugins/output/kinesisfirehose"
	"github.com/sluice-logs/sluice/plugins/output/kinesisstreams"
	"github.com/sluice-logs/sluice/plugins/output/loki"
	"github.com/sluice-logs/sluice/plugins/output/null"
	"github.com/sluice-logs/sluice/plugins/output/opensearch"
	"github.com/sluice-logs/sluice/plugins/output/prometheusexporter"
	"github.com/sluice-logs/sluice/plugins/output/prometheusremotewrite"
	"github.com/sluice-logs/sluice/plugins/output/s3"
	"github.com/sluice-logs/sluice/plugins/output/splunk"
	"github.com/sluice-logs/sluice/plugins/output/stdout"
)

// Specs returns the built-in plugins, inputs first, then filters, then
// outputs, each in alphabetical order of their folders. Every call returns
// new Specs the caller may keep.
func Specs() []plugin.Spec {
	return []plugin.Spec{
		// Inputs.
		cpu.Spec(),
		dummy.Spec(),
		exec.Spec(),
		fluentbitmetrics.Spec(),
		forwardin.Spec(),
		httpin.Spec(),
		kafkain.Spec(),
		mem.Spec(),
		nodeexportermetrics.Spec(),
		stdin.Spec(),
		syslog.Spec(),
		systemd.Spec(),
		tail.Spec(),
		tcp.Spec(),
		udp.Spec(),

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
		recordmodifier.Spec(),
		redact.Spec(),
		rewritetag.Spec(),
		throttle.Spec(),

		// Outputs.
		cloudwatch.Spec(),
		cloudwatchlogs.Spec(),
		datadog.Spec(),
		es.Spec(),
		file.Spec(),
		firehose.Spec(),
		forwardout.Spec(),
		httpout.Spec(),
		kafkaout.Spec(),
		kinesis.Spec(),
		kinesisfirehose.Spec(),
		kinesisstreams.Spec(),
		loki.Spec(),
		null.Spec(),
		opensearch.Spec(),
		prometheusexporter.Spec(),
		prometheusremotewrite.Spec(),
		s3.Spec(),
		splunk.Spec(),
		stdout.Spec(),
	}
}
