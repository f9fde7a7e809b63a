package redact

import (
	"github.com/sluice-logs/sluice/internal/plugin"
)

// defaultRules are the detectors on unless Rules says otherwise: the
// secrets. E-mail and IP addresses are often wanted in logs, so they are
// opt-in.
const defaultRules = "aws_access_key_id,aws_secret_access_key,private_key,jwt,bearer_token,password,url_password,credit_card,key_names"

// defaultSensitiveKeys are the key names whose values key_names masks whole.
const defaultSensitiveKeys = "password,passwd,pwd,secret,client_secret,api_key,apikey,access_token,refresh_token,auth_token,authorization,private_key,aws_secret_access_key"

// Spec declares the redact filter.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "redact",
		Summary: "mask secrets (AWS keys, private keys, tokens, passwords, card numbers) and optionally e-mail and IP addresses in records",
		Params: []plugin.Param{
			{Name: "Rules", Type: plugin.TypeCommaList, Default: defaultRules,
				Doc:   "detectors to apply: " + detectorNames() + ", or all",
				Check: checkRules},
			{Name: "Regex", Type: plugin.TypeWords, Words: 2, Multiple: true,
				Doc: "a custom detector: NAME REGEX (Go RE2 syntax, linear time: a security filter never gives up on a record); the whole match is masked, or only its first group when it has one"},
			{Name: "Key", Multiple: true,
				Doc: "a top-level key (log or $log) to scan; repeat for several; default: every string in the record"},
			{Name: "Sensitive_Keys", Type: plugin.TypeCommaList, Default: defaultSensitiveKeys,
				Doc: "key names (case-insensitive) whose string values key_names masks whole"},
			{Name: "Replacement", Default: "[REDACTED:{rule}]",
				Doc: "text that replaces each finding; {rule} is the detector's name"},
		},
		Examples: []string{
			`[FILTER]
    Name   redact
    Match  app.*`,
			`[FILTER]
    Name         redact
    Match        *
    Key          log
    Rules        all
    Regex        employee_id  EMP-[0-9]{6}
    Replacement  ****`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
