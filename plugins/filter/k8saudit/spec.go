package k8saudit

import (
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the k8s_audit filter.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "k8s_audit",
		Summary: "detect attacks and risky changes in Kubernetes/EKS audit events and emit alert records on their own tag",
		Emits:   true,
		Params: []plugin.Param{
			{Name: "Rules_File", Doc: "YAML rules file (schema in the shipped default set); default: the rules shipped with Sluice"},
			{Name: "Disable_Rules", Type: plugin.TypeCommaList, Doc: "ids of rules to turn off"},
			{Name: "Alert_Tag", Default: "security.k8s_audit", Doc: "tag of the alert records, to route them to the security team's destination"},
			{Name: "Audit_Key", Doc: "key holding the audit event, as a map or a JSON string (log, message); default: the record is the event"},
			{Name: "Stages", Type: plugin.TypeCommaList, Default: "ResponseStarted,ResponseComplete,Panic",
				Doc: "audit stages evaluated; RequestReceived is left out so each request counts once"},
		},
		Examples: []string{
			`[FILTER]
    Name       k8s_audit
    Match      kube.audit.*
    Audit_Key  log
    Alert_Tag  security.alerts`,
			`[FILTER]
    Name           k8s_audit
    Match          eks.audit
    Disable_Rules  K8S-009
    Emitter_Name   audit_alerts`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
