package kubernetes

import (
	"regexp"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/parser"
	"github.com/sluice-logs/sluice/internal/record"
)

// tagRegex extracts the pod from the file name kubelet gives a container's
// log, /var/log/containers/<pod>_<namespace>_<container>-<64 hex id>.log,
// as the tail input turns it into a tag (slashes become dots) once
// Kube_Tag_Prefix is removed. It is Fluent Bit's KUBE_TAG_TO_REGEX
// (plugins/filter_kubernetes/kube_regex.h); the pod name follows the DNS
// subdomain rules of Kubernetes object names. Compiled on first use.
var tagRegex = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?P<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)_(?P<namespace_name>[^_]+)_(?P<container_name>.+)-(?P<docker_id>[a-z0-9]{64})\.log$`)
})

// tagInfo is what a tag says about the container that wrote the records.
type tagInfo struct {
	pod, namespace, container, dockerID string
	// podKey identifies the cached pod metadata: namespace/pod, plus the
	// container ID with Cache_Use_Docker_ID.
	podKey string
	// containerKey identifies the built metadata of this container.
	containerKey string
	// tagMeta is the kubernetes map of Use_Tag_For_Meta.
	tagMeta *containerMeta
}

// parseTag applies re to tag without prefix. It reports false when the tag
// does not start with the prefix or does not match, or when it names no pod
// and namespace.
func parseTag(re *regexp.Regexp, prefix, tag string, useDockerID bool) (tagInfo, bool) {
	rest, ok := strings.CutPrefix(tag, prefix)
	if !ok || rest == "" {
		return tagInfo{}, false
	}
	m := re.FindStringSubmatchIndex(rest)
	if m == nil {
		return tagInfo{}, false
	}
	var ti tagInfo
	for i, name := range re.SubexpNames() {
		if name != "" && m[2*i] >= 0 {
			ti.set(name, rest[m[2*i]:m[2*i+1]])
		}
	}
	return ti.finish(useDockerID)
}

// parseTagWith is parseTag with the regex parser named by Regex_Parser: its
// named groups pod_name, namespace_name, container_name and docker_id give
// the pod, as in Fluent Bit's flb_kube_regex_init.
func parseTagWith(p *parser.Parser, prefix, tag string, useDockerID bool) (tagInfo, bool) {
	rest, ok := strings.CutPrefix(tag, prefix)
	if !ok || rest == "" {
		return tagInfo{}, false
	}
	m, _, err := p.Parse(nil, []byte(rest))
	if err != nil {
		return tagInfo{}, false
	}
	var ti tagInfo
	record.MapEntries(m, func(k, v []byte) bool {
		if s, ok := record.StringValue(v); ok {
			ti.set(string(k), string(s))
		}
		return true
	})
	return ti.finish(useDockerID)
}

// set records a named capture of the tag; the first value of a name wins.
func (ti *tagInfo) set(name, v string) {
	switch {
	case name == "pod_name" && ti.pod == "":
		ti.pod = v
	case name == "namespace_name" && ti.namespace == "":
		ti.namespace = v
	case name == "container_name" && ti.container == "":
		ti.container = v
	case name == "docker_id" && ti.dockerID == "":
		ti.dockerID = v
	}
}

// finish checks that the tag named a pod and builds the cache keys.
func (ti tagInfo) finish(useDockerID bool) (tagInfo, bool) {
	if ti.pod == "" || ti.namespace == "" {
		return tagInfo{}, false
	}
	ti.podKey = ti.namespace + "/" + ti.pod
	if useDockerID && ti.dockerID != "" {
		ti.podKey += "/" + ti.dockerID
	}
	ti.containerKey = ti.container + "/" + ti.dockerID
	return ti, true
}
