package ecs

import (
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/tinylib/msgp/msgp"
)

// The metadata keys templates may use: Fluent Bit's (filter_ecs/ecs.c).
var metadataKeys = []string{
	"ClusterName", "ContainerInstanceArn", "ContainerInstanceID", "ECSAgentVersion",
	"TaskARN", "TaskID", "TaskDefinitionFamily", "TaskDefinitionVersion",
	"ContainerID", "DockerContainerName", "ECSContainerName",
}

// template is a parsed Add value: a record accessor template
// (package accessor) over the metadata, as in Fluent Bit, where
// flb_ra_translate renders it against the metadata map.
type template struct {
	t *accessor.Template
}

// parseTemplate parses s. A variable that names no metadata key is an
// error listing the valid ones; as in the record accessor, a name runs
// until a byte other than a letter, digit, '_', '-' or '@', so write
// `$ClusterName.$TaskID`, not `$ClusterName-$TaskID`.
func parseTemplate(s string) (template, error) {
	t, err := accessor.ParseTemplate(s)
	if err != nil {
		return template{}, err
	}
	for _, p := range t.Paths() {
		if !known(p.TopKey()) {
			return template{}, fmt.Errorf("unknown metadata key $%s; valid keys are $%s", p.TopKey(), strings.Join(metadataKeys, ", $"))
		}
	}
	return template{t}, nil
}

func known(name string) bool {
	for _, k := range metadataKeys {
		if k == name {
			return true
		}
	}
	return false
}

// render fills the template from meta; a key the metadata lacks renders
// empty, and $TAG renders empty as in Fluent Bit (which renders without a
// tag). It runs once per container, not per record.
func (t template) render(meta map[string]string) string {
	m := msgp.AppendMapHeader(nil, uint32(len(meta)))
	for k, v := range meta {
		m = msgp.AppendString(m, k)
		m = msgp.AppendString(m, v)
	}
	out, _ := t.t.Render(nil, "", m)
	return string(out)
}
