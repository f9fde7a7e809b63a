package redact

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// detector finds one kind of secret in a string.
type detector struct {
	name string
	// trigger is a cheap test that must hold for re to have a chance;
	// nil means always.
	trigger func(s []byte) bool
	// expr is the expression, compiled into re when a filter selects the
	// detector: a process with no redact filter compiles none of them.
	expr string
	once sync.Once
	re   *regexp.Regexp
	// group is the submatch that is masked; 0 masks the whole match.
	group int
	// valid, when set, confirms a candidate (Luhn, address parsing).
	valid func(secret []byte) bool
}

// builtins are the detectors Rules can select, in the order they run. The
// order matters where matches overlap: a private key block is masked before
// the JWT and key detectors could see pieces of it.
var builtins = []*detector{
	{
		name:    "private_key",
		trigger: contains("PRIVATE KEY"),
		expr:    `-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`,
	},
	{
		// Access key IDs: AKIA (long-term) or ASIA (temporary, from STS),
		// ABIA (STS service bearer token) or ACCA (context-specific), then 16
		// upper-case letters and digits (IAM User Guide, "Unique
		// identifiers"). The other prefixes of that table (AIDA users, AROA
		// roles, ...) name principals, are 21 characters long and are not
		// secrets, so they are kept.
		name:    "aws_access_key_id",
		trigger: containsAny("AKIA", "ASIA", "ABIA", "ACCA"),
		expr:    `\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`,
	},
	{
		// A secret access key is 40 base64 characters: too common a shape
		// to mask on its own, so it is recognised by the name beside it.
		name:    "aws_secret_access_key",
		trigger: containsFold("secret"),
		expr:    `(?i)(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b`,
		group:   1,
	},
	{
		name:    "jwt",
		trigger: contains("eyJ"),
		expr:    `\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`,
	},
	{
		// "Bearer X" anywhere, and "Basic X" only after an Authorization
		// name: "basic authentication failed" is prose. A token must look
		// like one (a digit or a punctuation character of RFC 6750's
		// b64token), so "bearer authentication required" is left alone.
		name:    "bearer_token",
		trigger: func(s []byte) bool { return containsFold("bearer")(s) || containsFold("basic")(s) },
		expr:    `(?i)(?:\bbearer\s+|\bauthorization["']?\s*[:=]\s*["']?basic\s+)([A-Za-z0-9\-._~+/]{8,}=*)`,
		group:   1,
		valid:   looksLikeToken,
	},
	{
		name:    "password",
		trigger: func(s []byte) bool { return containsFold("pass")(s) || containsFold("pwd")(s) },
		expr:    `(?i)\b(?:password|passwd|pwd)["']?\s*[:=]\s*["']?([^\s"'&,;]+)`,
		group:   1,
	},
	{
		name:    "url_password",
		trigger: func(s []byte) bool { return bytes.Contains(s, []byte("://")) && bytes.IndexByte(s, '@') >= 0 },
		expr:    `\b[A-Za-z][A-Za-z0-9+.-]*://[^:/?#\s@]+:([^@/?#\s]+)@`,
		group:   1,
	},
	{
		name:    "credit_card",
		trigger: func(s []byte) bool { return hasDigitRun(s, 13) },
		expr:    `\b\d(?:[ -]?\d){12,18}\b`,
		valid:   isCardNumber,
	},
	{
		name:    "email",
		trigger: func(s []byte) bool { return bytes.IndexByte(s, '@') >= 0 },
		expr:    `\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`,
	},
	{
		name:    "ipv4",
		trigger: func(s []byte) bool { return bytes.Count(s, []byte(".")) >= 3 },
		expr:    `\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b`,
	},
	{
		name:    "ipv6",
		trigger: func(s []byte) bool { return bytes.Count(s, []byte(":")) >= 2 },
		expr:    `(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%[0-9a-z]+)?`,
		valid: func(s []byte) bool {
			a, err := netip.ParseAddr(string(s))
			return err == nil && a.Is6() && bytes.Count(s, []byte(":")) >= 2
		},
	},
}

// keyNamesRule is the detector that masks the values of sensitive keys; it
// works on key names, not on text, so it is not in builtins.
const keyNamesRule = "key_names"

// looksLikeToken reports whether s has a digit or one of the punctuation
// characters tokens are made of, which words of prose do not.
func looksLikeToken(s []byte) bool {
	for _, c := range s {
		if c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' {
			return true
		}
	}
	return false
}

func detectorNames() string {
	names := make([]string, 0, len(builtins)+1)
	for _, d := range builtins {
		names = append(names, d.name)
	}
	return strings.Join(append(names, keyNamesRule), ", ")
}

// checkRules validates the Rules parameter.
func checkRules(raw string) error {
	_, _, err := selectRules(strings.Split(raw, ","))
	return err
}

// compile compiles the detector's expression once.
func (d *detector) compile() *detector {
	d.once.Do(func() { d.re = regexp.MustCompile(d.expr) })
	return d
}

// selectRules returns the builtin detectors named by rules, in builtins
// order and compiled, and whether key_names is on.
func selectRules(rules []string) ([]*detector, bool, error) {
	var names []string
	for _, r := range rules {
		if r = strings.ToLower(strings.TrimSpace(r)); r != "" {
			names = append(names, r)
		}
	}
	if slices.Contains(names, "all") {
		out := make([]*detector, len(builtins))
		for i, d := range builtins {
			out[i] = d.compile()
		}
		return out, true, nil
	}
	var out []*detector
	keyNames := false
	for _, n := range names {
		if n == keyNamesRule {
			keyNames = true
			continue
		}
		if !slices.ContainsFunc(builtins, func(d *detector) bool { return d.name == n }) {
			return nil, false, fmt.Errorf("unknown rule %q; valid rules are %s, or all", n, detectorNames())
		}
	}
	for _, d := range builtins {
		if slices.Contains(names, d.name) {
			out = append(out, d.compile())
		}
	}
	return out, keyNames, nil
}

func contains(sub string) func([]byte) bool {
	b := []byte(sub)
	return func(s []byte) bool { return bytes.Contains(s, b) }
}

func containsAny(subs ...string) func([]byte) bool {
	return func(s []byte) bool {
		for _, sub := range subs {
			if bytes.Contains(s, []byte(sub)) {
				return true
			}
		}
		return false
	}
}

// containsFold reports a case-insensitive ASCII substring; sub must be
// lower case.
func containsFold(sub string) func([]byte) bool {
	first := sub[0]
	return func(s []byte) bool {
		for i := 0; i+len(sub) <= len(s); i++ {
			if s[i]|0x20 != first {
				continue
			}
			j := 1
			for j < len(sub) && s[i+j]|0x20 == sub[j] {
				j++
			}
			if j == len(sub) {
				return true
			}
		}
		return false
	}
}

// hasDigitRun reports whether s has at least n digits in a row, where a
// single space or dash may separate two digits (4111 1111 1111 1111): the
// shape of a card number, checked without a regular expression.
func hasDigitRun(s []byte, n int) bool {
	run := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			if run++; run >= n {
				return true
			}
		case (c == ' ' || c == '-') && run > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			// a separator inside the run
		default:
			run = 0
		}
	}
	return false
}

// isCardNumber accepts 13 to 19 digits (separators ignored) that pass the
// Luhn check and start with an issuer prefix of a card network, so that
// timestamps and IDs that happen to pass Luhn (one in ten) are not masked.
func isCardNumber(s []byte) bool {
	digits := make([]byte, 0, 19)
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	n := len(digits)
	if n < 13 || n > 19 || !luhn(digits) {
		return false
	}
	prefix := func(k int) int {
		v := 0
		for _, c := range digits[:k] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	switch p1, p2, p3, p4 := prefix(1), prefix(2), prefix(3), prefix(4); {
	case p1 == 4: // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011, p2 == 65, p3 >= 644 && p3 <= 649: // Discover
		return n >= 16
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38: // Diners Club
		return n >= 14
	case p2 == 62: // UnionPay
		return n >= 16
	}
	return false
}

// luhn reports whether the decimal digits pass the Luhn checksum.
func luhn(digits []byte) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
