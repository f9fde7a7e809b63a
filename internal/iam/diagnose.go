package iam

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
)

// bareLogGroup matches a log group ARN with nothing after the name (log
// group names cannot contain ':').
var bareLogGroup = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^arn:[^:]+:logs:[^:]*:[^:]*:log-group:[^:]+$`) })

// FixStatement returns the policy statement that would allow action on
// resource, for the AccessDenied message of the output section it serves
// (sectionID, "cloudwatch_logs.0"). A CloudWatch Logs group-level ARN as
// AWS quotes it (log-group:NAME:log-stream: with an empty stream) becomes
// the documented log-group:NAME:* form, as does a bare log-group:NAME;
// an unknown resource becomes "*"
// with the action alone. The result is one line of JSON (it goes into a
// log line), ready to paste into the Statement list of the credentials'
// policy.
func FixStatement(action, resource, sectionID string) string {
	if resource == "" {
		resource = "*"
	}
	if strings.HasPrefix(resource, "arn:") && strings.HasSuffix(resource, ":log-stream:") {
		resource = strings.TrimSuffix(resource, "log-stream:") + "*"
	} else if bareLogGroup().MatchString(resource) {
		// An output's own idea of a group ARN, without the suffix IAM
		// evaluates group calls with: it would match none of them.
		resource += ":*"
	}
	st := Statement{Sid: sidOf(sectionID), Effect: Allow, Action: Strings{action}, Resource: Strings{resource}}
	b, _ := json.Marshal(st)
	return string(b)
}
