package kubernetes

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the kubernetes filter: its parameters and defaults are
// Fluent Bit's (plugins/filter_kubernetes/kubernetes.c config_map).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "kubernetes",
		Summary: "enrich container logs with their pod's Kubernetes metadata (labels, annotations, node, image)",
		Params: []plugin.Param{
			{Name: "Kube_URL", Default: "https://kubernetes.default.svc:443", Doc: "API server URL (http:// or https://)"},
			{Name: "Kube_CA_File", Default: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", Doc: "PEM CA bundle that signs the API server's and kubelet's certificates"},
			{Name: "Kube_CA_Path", Doc: "directory of extra PEM CA certificates"},
			{Name: "Kube_Token_File", Default: "/var/run/secrets/kubernetes.io/serviceaccount/token", Doc: "bearer token file; re-read every Kube_Token_TTL and after a 401 (projected tokens rotate)"},
			{Name: "Kube_Token_TTL", Type: plugin.TypeDuration, Default: "10m", Doc: "how long a token read from Kube_Token_File is used before it is read again"},
			{Name: "Kube_Tag_Prefix", Default: "kube.var.log.containers.", Doc: "tag prefix of the tail input, removed before the tag is matched against the regex"},
			{Name: "Regex_Parser", Doc: "regex parser whose named groups pod_name, namespace_name, container_name and docker_id read the tag (after Kube_Tag_Prefix); unset, the built-in regex for /var/log/containers names"},
			{Name: "Merge_Log", Type: plugin.TypeBool, Default: "off", Doc: "parse a JSON object in the log field and merge its keys into the record"},
			{Name: "Merge_Log_Key", Doc: "with Merge_Log, put the merged keys under this key instead of the record's top level"},
			{Name: "Merge_Log_Trim", Type: plugin.TypeBool, Default: "on", Doc: "with Merge_Log, remove trailing newlines from the merged string values"},
			{Name: "Merge_Parser", Doc: "with Merge_Log, parse the log field with this parser instead of as JSON"},
			{Name: "Keep_Log", Type: plugin.TypeBool, Default: "on", Doc: "keep the log field after it was merged"},
			{Name: "Labels", Type: plugin.TypeBool, Default: "on", Doc: "include the pod's labels"},
			{Name: "Annotations", Type: plugin.TypeBool, Default: "on", Doc: "include the pod's annotations"},
			{Name: "Owner_References", Type: plugin.TypeBool, Default: "off", Doc: "include the pod's ownerReferences"},
			{Name: "Namespace_Labels", Type: plugin.TypeBool, Default: "off", Doc: "add the namespace's labels under kubernetes_namespace"},
			{Name: "Namespace_Annotations", Type: plugin.TypeBool, Default: "off", Doc: "add the namespace's annotations under kubernetes_namespace"},
			{Name: "Namespace_Metadata_Only", Type: plugin.TypeBool, Default: "off", Doc: "fetch only namespace metadata, no pod metadata"},
			{Name: "K8S-Logging.Parser", Type: plugin.TypeBool, Default: "off", Doc: "with Merge_Log, let pods choose the parser of their log field with the fluentbit.io/parser annotation"},
			{Name: "K8S-Logging.Exclude", Type: plugin.TypeBool, Default: "off", Doc: "let pods drop their own logs with the fluentbit.io/exclude annotation"},
			{Name: "Use_Kubelet", Type: plugin.TypeBool, Default: "off", Doc: "ask the node's kubelet (https://Kubelet_Host:Kubelet_Port/pods) instead of the API server"},
			{Name: "Kubelet_Host", Default: "127.0.0.1", Doc: "kubelet host for Use_Kubelet"},
			{Name: "Kubelet_Port", Type: plugin.TypeInt, Default: "10250", Min: 1, Max: 65535, Doc: "kubelet port for Use_Kubelet"},
			{Name: "Use_Tag_For_Meta", Type: plugin.TypeBool, Default: "off", Doc: "take metadata from the tag only and never call the API"},
			{Name: "Cache_Use_Docker_ID", Type: plugin.TypeBool, Default: "off", Doc: "fetch metadata again when the container ID in the tag changes"},
			{Name: "Buffer_Size", Type: plugin.TypeSize, Default: "32k", Doc: "largest API response accepted; a larger one is discarded (0: no limit)"},
			{Name: "Kube_Meta_Cache_TTL", Type: plugin.TypeDuration, Default: "0", Doc: "how long pod metadata is cached (0: until evicted at capacity)"},
			{Name: "Kube_Meta_Namespace_Cache_TTL", Type: plugin.TypeDuration, Default: "15m", Doc: "how long namespace metadata is cached (0: until evicted at capacity)"},
			{Name: "Kube_Meta_IO_Timeout", Type: plugin.TypeDuration, Default: "30s", Doc: "longest wait for one metadata request, and for a batch waiting on it; records pass without metadata after it (0: 30s)"},
			{Name: "Kube_Meta_Negative_Cache_TTL", Type: plugin.TypeDuration, Default: "60s", Doc: "how long a failed lookup is remembered before the API is asked again"},
			{Name: "tls.verify", Type: plugin.TypeBool, Default: "on", Doc: "verify the API server's certificate"},
			{Name: "tls.vhost", Doc: "host name to verify the certificate against (SNI) instead of the URL's"},
			{Name: "tls.debug", Type: plugin.TypeInt, Default: "0", Doc: "accepted for compatibility; TLS errors are logged with the request"},
			{Name: "tls.verify_hostname", Type: plugin.TypeBool, Default: "off", Doc: "accepted for compatibility; with tls.verify the host name is always verified"},
			{Name: "Use_Journal", Type: plugin.TypeBool, Default: "off", Doc: "journald records; not supported (a configuration error when on)"},
		},
		Examples: []string{
			`[FILTER]
    Name                kubernetes
    Match               kube.*
    Merge_Log           On
    Keep_Log            Off
    K8S-Logging.Exclude On`,
			`[FILTER]
    Name          kubernetes
    Match         kube.*
    Use_Kubelet   On
    Kubelet_Port  10250
    Buffer_Size   0`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
