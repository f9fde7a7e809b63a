package k8saudit

import (
	"github.com/sluice-logs/sluice/internal/record"
)

// alertFields are the parts of the source event an alert carries: who did
// what, where, from where, and how it ended. Absent fields are left out.
var alertFields = []struct {
	key   string
	field field
}{
	{"user", mustField("user.username")},
	{"groups", mustField("user.groups")},
	{"impersonated_user", mustField("impersonatedUser.username")},
	{"source_ips", mustField("sourceIPs")},
	{"user_agent", mustField("userAgent")},
	{"verb", mustField("verb")},
	{"resource", mustField("objectRef.resource")},
	{"subresource", mustField("objectRef.subresource")},
	{"namespace", mustField("objectRef.namespace")},
	{"name", mustField("objectRef.name")},
	{"request_uri", mustField("requestURI")},
	{"response_code", mustField("responseStatus.code")},
	{"decision", mustField("annotations['authorization.k8s.io/decision']")},
	{"audit_id", mustField("auditID")},
	{"event_time", mustField("stageTimestamp")},
}

// appendAlert appends the alert record of rule r for the event body.
func appendAlert(b *record.Builder, r *rule, tag string, at record.Time, body []byte, count int) {
	var present [32][]byte // more than len(alertFields)
	n := 7                 // alert, rule_id, rule, severity, description, source_tag, count
	for i, af := range alertFields {
		if v, ok := af.field.first(body); ok && v[0] != 0xc0 {
			present[i] = v
			n++
		}
	}
	b.BeginEvent(at, nil)
	b.AppendMapHeader(n)
	b.AppendString("alert")
	b.AppendString("k8s_audit")
	b.AppendString("rule_id")
	b.AppendString(r.id)
	b.AppendString("rule")
	b.AppendString(r.name)
	b.AppendString("severity")
	b.AppendString(r.severity)
	b.AppendString("description")
	b.AppendString(r.description)
	b.AppendString("source_tag")
	b.AppendString(tag)
	b.AppendString("count")
	b.AppendInt(int64(count))
	for i, af := range alertFields {
		if present[i] != nil {
			b.AppendString(af.key)
			b.AppendRawValue(present[i])
		}
	}
}
