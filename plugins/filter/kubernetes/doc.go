// Package kubernetes implements the kubernetes filter: it adds the pod's
// metadata from the Kubernetes API to the records of container log files.
//
// The tag of a record read by the tail input from
// /var/log/containers/<pod>_<namespace>_<container>-<id>.log, once
// Kube_Tag_Prefix is removed, names the pod. The filter asks the API server
// (or, with Use_Kubelet, the node's kubelet) for that pod once, caches the
// answer, and appends to every record a "kubernetes" map shaped as Fluent
// Bit's: pod_name, namespace_name, pod_id, labels, annotations, host,
// pod_ip, container_name, docker_id, container_hash, container_image.
//
// # Fluent Bit parity
//
// Parameters, defaults and the output shape are those of Fluent Bit's
// filter_kubernetes (kubernetes.c, kube_meta.c, kube_property.c): Merge_Log
// with Merge_Log_Key, Merge_Log_Trim and Keep_Log; Labels, Annotations,
// Owner_References; Namespace_Labels and Namespace_Annotations (a
// "kubernetes_namespace" map); the fluentbit.io/exclude annotation with
// K8S-Logging.Exclude, in its _stdout/_stderr and -<container> forms;
// Use_Kubelet; Use_Tag_For_Meta; Cache_Use_Docker_ID; Buffer_Size;
// Kube_Meta_Cache_TTL; Kube_Token_TTL; Kube_Meta_IO_Timeout and
// Kube_Meta_Negative_Cache_TTL.
//
// Never blocking the pipeline for long is the design point:
//
//   - There is one request in flight per pod; batches of the same pod that
//     arrive meanwhile wait for that request, never start another.
//   - A batch waits at most Kube_Meta_IO_Timeout. When the API is slower, or
//     fails, the records pass without the kubernetes map (as in Fluent Bit),
//     are counted, and the failure is logged once per lookup; once one batch
//     gave up waiting, the following ones pass at once until the request
//     ends. A failure is remembered for Kube_Meta_Negative_Cache_TTL.
//   - The bearer token is read again every Kube_Token_TTL and after a 401,
//     since projected service account tokens rotate.
//
// Differences, on purpose or not yet done:
//
//   - Regex_Parser, Merge_Parser and the fluentbit.io/parser annotation (in
//     its _stdout/_stderr and -<container> forms) use the [PARSER]
//     definitions (package internal/parser). A parser that reads a time sets
//     the record's time; when it reads none the record keeps its own, where
//     Fluent Bit would stamp the current time.
//   - Use_Journal, Dummy_Meta, Kube_Token_Command, Kube_Meta_Preload_Cache_Dir,
//     DNS_Retries and the AWS pod association options are not implemented.
//   - Fluent Bit checks the API at start-up and waits for DNS; Sluice asks
//     when the first records of a pod arrive.
//
// On the per-record path the filter works on msgpack bytes: the record's
// entries are copied as they are and the pod's kubernetes map, encoded once
// per container, is appended; the API's JSON is decoded once per pod.
package kubernetes
