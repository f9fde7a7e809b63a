package iam

import (
	"fmt"
	"strconv"
	"strings"
)

// operator is a parsed condition operator such as
// "ForAnyValue:StringLikeIfExists".
type operator struct {
	base     string // "StringLike"
	set      string // "", "ForAnyValue" or "ForAllValues"
	ifExists bool
	// supported is false for AWS operators this evaluator does not
	// implement (Date*, IpAddress, Binary*): such a condition never
	// matches, and Evaluate says so in the decision's notes.
	supported bool
}

// The operators AWS defines, and whether they are evaluated here.
var operators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true,
	"StringNotEqualsIgnoreCase": true, "StringLike": true, "StringNotLike": true,
	"ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true,
	"Bool": true, "Null": true,
	"NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true,
	"NumericLessThanEquals": true, "NumericGreaterThan": true, "NumericGreaterThanEquals": true,
	"DateEquals": false, "DateNotEquals": false, "DateLessThan": false, "DateLessThanEquals": false,
	"DateGreaterThan": false, "DateGreaterThanEquals": false,
	"IpAddress": false, "NotIpAddress": false, "BinaryEquals": false,
}

// parseOperator splits a condition operator into its qualifier, base and
// IfExists suffix. AWS spells operators case-sensitively.
func parseOperator(s string) (operator, error) {
	var op operator
	rest := s
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		op.set, rest = rest[:i], rest[i+1:]
		if op.set != "ForAnyValue" && op.set != "ForAllValues" {
			return op, fmt.Errorf("condition operator %q: unknown set qualifier %q (ForAnyValue or ForAllValues)", s, op.set)
		}
	}
	if b, ok := strings.CutSuffix(rest, "IfExists"); ok && rest != "Null" {
		op.ifExists, rest = true, b
	}
	supported, known := operators[rest]
	if !known {
		return op, fmt.Errorf("unknown condition operator %q", s)
	}
	op.base, op.supported = rest, supported
	return op, nil
}

// negated reports whether the operator matches when no value matches
// (StringNotEquals, ArnNotLike ...).
func (op operator) negated() bool {
	return strings.Contains(op.base, "Not") && op.base != "Null"
}

// conditionMatches evaluates a whole Condition block against a request
// context: every operator and every key must match (AND); any of a key's
// values may match (OR). ok is false when an unsupported operator decided
// the result.
func conditionMatches(c Condition, ctx map[string][]string) (match bool, unsupported string) {
	for name, keys := range c {
		op, err := parseOperator(name)
		if err != nil || !op.supported {
			return false, name
		}
		for key, want := range keys {
			have, present := ctx[strings.ToLower(key)]
			if !keyMatches(op, want, have, present) {
				return false, ""
			}
		}
	}
	return true, ""
}

// keyMatches evaluates one operator on one context key. The rules for a
// missing key follow AWS's condition documentation: IfExists and the
// negated operators match, ForAllValues matches (it is vacuously true),
// everything else fails.
func keyMatches(op operator, want Strings, have []string, present bool) bool {
	if op.base == "Null" {
		// "Null": "true" means the key must be absent.
		for _, w := range want {
			if strings.EqualFold(w, "true") == !present {
				return true
			}
		}
		return false
	}
	if !present || len(have) == 0 {
		return op.ifExists || op.set == "ForAllValues" || (op.set == "" && op.negated())
	}
	switch op.set {
	case "ForAllValues":
		for _, h := range have {
			if !valueMatches(op, want, h) {
				return false
			}
		}
		return true
	default: // ForAnyValue, and a single-valued key
		for _, h := range have {
			if valueMatches(op, want, h) {
				return true
			}
		}
		return false
	}
}

// valueMatches compares one context value with a key's policy values. For
// a negated operator it is true when none of the values matches.
func valueMatches(op operator, want Strings, have string) bool {
	positive := strings.Replace(op.base, "Not", "", 1)
	any := false
	for _, w := range want {
		if singleMatches(positive, w, have) {
			any = true
			break
		}
	}
	if op.negated() {
		return !any
	}
	return any
}

func singleMatches(base, want, have string) bool {
	switch base {
	case "StringEquals":
		return want == have
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(want, have)
	case "StringLike":
		return covers(want, have, false)
	case "ArnEquals", "ArnLike":
		// AWS documents both as matching per ARN segment with wildcards.
		return matchResource(want, have)
	case "Bool":
		return strings.EqualFold(want, have)
	case "NumericEquals", "NumericLessThan", "NumericLessThanEquals",
		"NumericGreaterThan", "NumericGreaterThanEquals":
		w, err1 := strconv.ParseFloat(want, 64)
		h, err2 := strconv.ParseFloat(have, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		switch base {
		case "NumericEquals":
			return h == w
		case "NumericLessThan":
			return h < w
		case "NumericLessThanEquals":
			return h <= w
		case "NumericGreaterThan":
			return h > w
		default:
			return h >= w
		}
	}
	return false
}
