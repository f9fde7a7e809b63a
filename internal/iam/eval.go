package iam

import "strings"

// Request is one API call to authorise: its IAM action, the ARN of the
// resource it acts on ("*" for actions without a resource type), and the
// request context keys (lower-case names) its conditions may test.
type Request struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// Outcome is the result of evaluating a request.
type Outcome uint8

// The three outcomes of AWS's evaluation logic.
const (
	ImplicitDeny Outcome = iota
	Allowed
	ExplicitDeny
)

func (o Outcome) String() string {
	switch o {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitly denied"
	}
	return "implicitly denied"
}

// Decision is Evaluate's answer: the outcome and the statements that
// decided it ("policy.json#Sid"); Notes say what could not be evaluated.
type Decision struct {
	Outcome Outcome
	By      []string
	Notes   []string
}

// Evaluate applies AWS's evaluation logic for the identity-based policies
// of one principal in its own account: if any statement denies the request,
// it is explicitly denied; otherwise, if any statement allows it, it is
// allowed; otherwise it is implicitly denied. Statement order does not
// matter, and there is no first-match rule.
func Evaluate(policies []*Document, req Request) Decision {
	var allow, deny []string
	var notes []string
	for _, d := range policies {
		for i := range d.Statement {
			applies, note := statementApplies(&d.Statement[i], req)
			if note != "" {
				notes = append(notes, d.label(i)+": "+note)
			}
			if !applies {
				continue
			}
			if d.Statement[i].Effect == Deny {
				deny = append(deny, d.label(i))
			} else {
				allow = append(allow, d.label(i))
			}
		}
	}
	switch {
	case len(deny) > 0:
		return Decision{Outcome: ExplicitDeny, By: deny, Notes: notes}
	case len(allow) > 0:
		return Decision{Outcome: Allowed, By: allow, Notes: notes}
	}
	return Decision{Outcome: ImplicitDeny, Notes: notes}
}

// statementApplies reports whether a statement matches the request: its
// action (or not one of its NotActions), its resource (or not one of its
// NotResources), and its conditions.
func statementApplies(st *Statement, req Request) (bool, string) {
	if !actionMatches(st, req.Action) || !resourceMatches(st, req.Resource) {
		return false, ""
	}
	if len(st.Condition) == 0 {
		return true, ""
	}
	ok, unsupported := conditionMatches(st.Condition, req.Context)
	if unsupported != "" {
		return false, "condition operator " + unsupported + " is not evaluated by Sluice; the statement was treated as not applying"
	}
	return ok, ""
}

func actionMatches(st *Statement, action string) bool {
	if len(st.NotAction) > 0 {
		return !anyMatch(st.NotAction, func(p string) bool { return matchAction(p, action) })
	}
	return anyMatch(st.Action, func(p string) bool { return matchAction(p, action) })
}

func resourceMatches(st *Statement, resource string) bool {
	if len(st.NotResource) > 0 {
		return !anyMatch(st.NotResource, func(p string) bool { return matchResource(p, resource) })
	}
	return anyMatch(st.Resource, func(p string) bool { return matchResource(p, resource) })
}

func anyMatch(patterns Strings, f func(string) bool) bool {
	for _, p := range patterns {
		if f(strings.TrimSpace(p)) {
			return true
		}
	}
	return false
}
