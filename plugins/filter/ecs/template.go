package ecs

import (
	"fmt"
	"strings"
)

// The metadata keys templates may use: Fluent Bit's (filter_ecs/ecs.c).
var metadataKeys = []string{
	"ClusterName", "ContainerInstanceArn", "ContainerInstanceID", "ECSAgentVersion",
	"TaskARN", "TaskID", "TaskDefinitionFamily", "TaskDefinitionVersion",
	"ContainerID", "DockerContainerName", "ECSContainerName",
}

// template is a parsed Add value: literal text and $Key references.
type template struct {
	parts []templatePart
}

type templatePart struct {
	literal string
	key     string // metadata key when set
}

// parseTemplate parses s, where $Name refers to a metadata key; a name
// ends at the first character that is not a letter, digit or underscore.
// An unknown key is an error that lists the valid ones.
func parseTemplate(s string) (template, error) {
	var t template
	for s != "" {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			t.parts = append(t.parts, templatePart{literal: s})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, templatePart{literal: s[:i]})
		}
		s = s[i+1:]
		j := 0
		for j < len(s) && isKeyChar(s[j]) {
			j++
		}
		name := s[:j]
		s = s[j:]
		if name == "" {
			t.parts = append(t.parts, templatePart{literal: "$"})
			continue
		}
		if !known(name) {
			return template{}, fmt.Errorf("unknown metadata key $%s; valid keys are $%s", name, strings.Join(metadataKeys, ", $"))
		}
		t.parts = append(t.parts, templatePart{key: name})
	}
	return t, nil
}

func isKeyChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
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
// empty.
func (t template) render(meta map[string]string) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.key != "" {
			b.WriteString(meta[p.key])
		} else {
			b.WriteString(p.literal)
		}
	}
	return b.String()
}
