package kubernetes

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// The parts of the Kubernetes API objects the filter reads (core/v1 Pod,
// PodList and Namespace). They are decoded once per pod, when its metadata
// is fetched; labels, annotations and owner references stay raw JSON so that
// they reach the record in the API's own key order.
type (
	objectMeta struct {
		Name            string          `json:"name"`
		Namespace       string          `json:"namespace"`
		UID             string          `json:"uid"`
		Labels          json.RawMessage `json:"labels"`
		Annotations     json.RawMessage `json:"annotations"`
		OwnerReferences json.RawMessage `json:"ownerReferences"`
	}
	containerStatus struct {
		Name        string `json:"name"`
		ContainerID string `json:"containerID"`
		ImageID     string `json:"imageID"`
		Image       string `json:"image"`
	}
	pod struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			NodeName string `json:"nodeName"`
		} `json:"spec"`
		Status struct {
			PodIP                 string            `json:"podIP"`
			ContainerStatuses     []containerStatus `json:"containerStatuses"`
			InitContainerStatuses []containerStatus `json:"initContainerStatuses"`
		} `json:"status"`
		// annotations is Metadata.Annotations decoded, for the
		// fluentbit.io/ properties.
		annotations map[string]string
	}
	podList struct {
		Items []pod `json:"items"`
	}
	namespaceObject struct {
		Metadata objectMeta `json:"metadata"`
	}
)

// decodePod decodes a Pod object.
func decodePod(data []byte) (*pod, error) {
	var p pod
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	p.decodeAnnotations()
	return &p, nil
}

func (p *pod) decodeAnnotations() {
	if present(p.Metadata.Annotations) {
		// Annotation values are strings by the API's schema; a response
		// that breaks it just has no fluentbit.io/ properties.
		_ = json.Unmarshal(p.Metadata.Annotations, &p.annotations)
	}
}

// present reports whether a raw JSON field was set to something other than
// null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// tristate is an annotation property that may be unset.
type tristate uint8

const (
	unset tristate = iota
	yes
	no
)

// props are the logging properties a pod asks for through fluentbit.io/
// annotations, resolved for one container.
type props struct {
	stdoutParser, stderrParser   string
	stdoutExclude, stderrExclude tristate
}

// excludes reports whether a record of stream (stdout, stderr, or another
// value or none) is to be dropped. A record of no known stream is dropped
// only when both streams are, as in Fluent Bit.
func (p *props) excludes(stream []byte) bool {
	switch string(stream) {
	case "stdout":
		return p.stdoutExclude == yes
	case "stderr":
		return p.stderrExclude == yes
	}
	return p.stdoutExclude == yes && p.stderrExclude == yes
}

func (p *props) anyExclude() bool { return p.stdoutExclude == yes || p.stderrExclude == yes }

// annotationWarning is a problem with a fluentbit.io/ annotation, logged once
// per container when its metadata is built.
type annotationWarning struct{ key, msg string }

// resolveProps reads the fluentbit.io/ annotations that apply to container,
// in Fluent Bit's forms (kube_property.c): <prop>, <prop>_<stream>,
// <prop>-<container> and <prop>_<stream>-<container>, where prop is parser
// or exclude. A container-specific annotation wins over a general one.
func resolveProps(annotations map[string]string, container string, allowParser, allowExclude bool) (props, []annotationWarning) {
	var p props
	var warns []annotationWarning
	// Two passes so that container-specific values win regardless of the
	// map's iteration order.
	for pass := 0; pass < 2; pass++ {
		for key, val := range annotations {
			name, ok := strings.CutPrefix(key, "fluentbit.io/")
			if !ok || name == "" {
				continue
			}
			var prop string
			switch {
			case strings.HasPrefix(name, "parser"):
				prop, name = "parser", name[len("parser"):]
			case strings.HasPrefix(name, "exclude"):
				prop, name = "exclude", name[len("exclude"):]
			default:
				if pass == 0 {
					warns = append(warns, annotationWarning{key, "unknown annotation"})
				}
				continue
			}
			stream := ""
			if rest, ok := strings.CutPrefix(name, "_"); ok {
				switch {
				case strings.HasPrefix(rest, "stdout"):
					stream, name = "stdout", rest[len("stdout"):]
				case strings.HasPrefix(rest, "stderr"):
					stream, name = "stderr", rest[len("stderr"):]
				default:
					if pass == 0 {
						warns = append(warns, annotationWarning{key, "invalid stream; use _stdout or _stderr"})
					}
					continue
				}
			}
			target := ""
			if rest, ok := strings.CutPrefix(name, "-"); ok {
				if rest == "" {
					if pass == 0 {
						warns = append(warns, annotationWarning{key, "invalid container name"})
					}
					continue
				}
				target, name = rest, ""
			}
			if name != "" {
				if pass == 0 {
					warns = append(warns, annotationWarning{key, "invalid annotation"})
				}
				continue
			}
			if (target != "") != (pass == 1) || (target != "" && target != container) {
				continue
			}
			switch prop {
			case "parser":
				if !allowParser {
					warns = append(warns, annotationWarning{key, "not allowed; set K8S-Logging.Parser On"})
					continue
				}
				if stream != "stderr" {
					p.stdoutParser = val
				}
				if stream != "stdout" {
					p.stderrParser = val
				}
			case "exclude":
				if !allowExclude {
					warns = append(warns, annotationWarning{key, "not allowed; set K8S-Logging.Exclude On"})
					continue
				}
				v := no
				if b := strings.ToLower(strings.TrimSpace(val)); b == "true" || b == "on" || b == "yes" {
					v = yes
				}
				if stream != "stderr" {
					p.stdoutExclude = v
				}
				if stream != "stdout" {
					p.stderrExclude = v
				}
			}
		}
	}
	return p, warns
}

// metaOptions are the parameters that shape the kubernetes map.
type metaOptions struct {
	labels, annotations, ownerReferences bool
}

// appendPodMeta appends the value of a record's "kubernetes" key for one
// container of p, with Fluent Bit's keys in Fluent Bit's order
// (kube_meta.c merge_pod_meta): pod_name, namespace_name, pod_id, labels,
// annotations, ownerReferences, host, pod_ip, container_name, docker_id,
// container_hash, container_image. A key is left out when the API did not
// say it. The container ID from the tag wins over the one in the pod status.
func appendPodMeta(dst []byte, p *pod, ti *tagInfo, o metaOptions) []byte {
	dockerID, hash, image := ti.dockerID, "", ""
	if st := p.findStatus(ti.container); st != nil {
		if dockerID == "" {
			dockerID = containerHash(st.ContainerID)
		}
		hash, image = containerHash(st.ImageID), st.Image
	}
	m := p.Metadata
	fields := []struct {
		key  string
		on   bool
		str  string
		json json.RawMessage
	}{
		{key: "pod_name", on: ti.pod != "", str: ti.pod},
		{key: "namespace_name", on: ti.namespace != "", str: ti.namespace},
		{key: "pod_id", on: m.UID != "", str: m.UID},
		{key: "labels", on: o.labels && present(m.Labels), json: m.Labels},
		{key: "annotations", on: o.annotations && present(m.Annotations), json: m.Annotations},
		{key: "ownerReferences", on: o.ownerReferences && present(m.OwnerReferences), json: m.OwnerReferences},
		{key: "host", on: p.Spec.NodeName != "", str: p.Spec.NodeName},
		{key: "pod_ip", on: p.Status.PodIP != "", str: p.Status.PodIP},
		{key: "container_name", on: ti.container != "", str: ti.container},
		{key: "docker_id", on: dockerID != "", str: dockerID},
		{key: "container_hash", on: hash != "", str: hash},
		{key: "container_image", on: image != "", str: image},
	}
	n := 0
	for _, f := range fields {
		if f.on {
			n++
		}
	}
	dst = msgp.AppendMapHeader(dst, uint32(n))
	for _, f := range fields {
		if !f.on {
			continue
		}
		dst = msgp.AppendString(dst, f.key)
		if f.json == nil {
			dst = msgp.AppendString(dst, f.str)
			continue
		}
		out, err := record.AppendJSONAsMsgpack(dst, f.json)
		if err != nil { // cannot happen: encoding/json validated it
			out = msgp.AppendNil(dst)
		}
		dst = out
	}
	return dst
}

// appendTagMeta appends the kubernetes map of Use_Tag_For_Meta: only what
// the tag says (kube_meta.c merge_meta_from_tag).
func appendTagMeta(dst []byte, ti *tagInfo) []byte {
	return appendPodMeta(dst, &pod{}, ti, metaOptions{})
}

// appendNamespaceMeta appends the value of a record's kubernetes_namespace
// key: the namespace name, then its labels and annotations when asked for
// (kube_meta.c merge_namespace_meta).
func appendNamespaceMeta(dst []byte, ns *namespaceObject, name string, labels, annotations bool) []byte {
	labels = labels && present(ns.Metadata.Labels)
	annotations = annotations && present(ns.Metadata.Annotations)
	n := 1
	if labels {
		n++
	}
	if annotations {
		n++
	}
	dst = msgp.AppendMapHeader(dst, uint32(n))
	dst = msgp.AppendString(dst, "name")
	dst = msgp.AppendString(dst, name)
	for _, f := range []struct {
		on   bool
		key  string
		json json.RawMessage
	}{{labels, "labels", ns.Metadata.Labels}, {annotations, "annotations", ns.Metadata.Annotations}} {
		if !f.on {
			continue
		}
		dst = msgp.AppendString(dst, f.key)
		out, err := record.AppendJSONAsMsgpack(dst, f.json)
		if err != nil {
			out = msgp.AppendNil(dst)
		}
		dst = out
	}
	return dst
}

// findStatus returns the status of the named container, looking at the
// regular containers first and then the init containers.
func (p *pod) findStatus(container string) *containerStatus {
	for _, list := range [][]containerStatus{p.Status.ContainerStatuses, p.Status.InitContainerStatuses} {
		for i := range list {
			if list[i].Name == container {
				return &list[i]
			}
		}
	}
	return nil
}

// containerHash strips the runtime scheme from a container or image ID, as
// Fluent Bit's extract_hash does: "docker://abc" is "abc",
// "docker-pullable://nginx@sha256:…" is "nginx@sha256:…", and an ID with
// no "://" ("sha256:…") is kept whole.
func containerHash(id string) string {
	colon := strings.IndexByte(id, ':')
	if colon < 0 || len(id) <= 1 {
		return ""
	}
	rest := id[colon+1:]
	trimmed := strings.TrimLeft(rest, "/")
	if len(trimmed) == len(rest) {
		return id
	}
	return trimmed
}
