// Package k8saudit implements the k8s_audit filter: it recognises Kubernetes
// audit events (audit.k8s.io/v1 Event, as EKS writes them to the
// kube-apiserver-audit-* log streams of /aws/eks/CLUSTER/cluster and as a
// self-managed API server writes them to its audit log file), evaluates
// detection rules on them, and emits one alert record per hit under its own
// tag (Alert_Tag), so alerts can be routed to the security team's
// destination while the raw events flow on unchanged.
//
// Rules are data: a YAML file whose schema is documented at the top of the
// shipped default set (rules/default.yaml, embedded in the binary). The
// default set covers anonymous requests, exec/attach/port-forward into pods,
// privileged and host-namespace pods, secret reads by unexpected identities,
// bindings to cluster-admin, service-account token creation, changes in
// kube-system, deletion of events and of the logging pipeline, calls from
// outside trusted networks, and bursts of failed authentications (audit 401s
// and aws-iam-authenticator denials).
//
// Each request is judged once: the RequestReceived stage is skipped by
// default (Stages), and a rule alerts at most once per audit ID, since an
// exec is logged at ResponseStarted and again at ResponseComplete. Counting
// rules (threshold) use each event's stageTimestamp (else the record's
// time), so a replayed or delayed log alerts as the live one did.
//
// Alerts are emitted through the engine's emitter (plugin.Settings.Emitter);
// Emitter_Name and Emitter_Mem_Buf_Limit name and bound it, as for
// rewrite_tag.
package k8saudit
