package iam

import (
	"encoding/json"
	"strings"
)

// FixStatement returns the policy statement that would allow action on
// resource, for the AccessDenied message of the output section it serves
// (sectionID, "cloudwatch_logs.0"). A CloudWatch Logs group-level ARN as
// AWS quotes it (log-group:NAME:log-stream: with an empty stream) becomes
// the documented log-group:NAME:* form; an unknown resource becomes "*"
// with the action alone. The result is one line of JSON (it goes into a
// log line), ready to paste into the Statement list of the credentials'
// policy.
func FixStatement(action, resource, sectionID string) string {
	if resource == "" {
		resource = "*"
	}
	if strings.HasPrefix(resource, "arn:") && strings.HasSuffix(resource, ":log-stream:") {
		resource = strings.TrimSuffix(resource, "log-stream:") + "*"
	}
	st := Statement{Sid: sidOf(sectionID), Effect: Allow, Action: Strings{action}, Resource: Strings{resource}}
	b, _ := json.Marshal(st)
	return string(b)
}
