package iam

import (
	"fmt"
	"io"
	"strings"
)

// Missing is a required call the policies do not allow.
type Missing struct {
	Requirement
	Decision Decision
	// NearMisses are statements that allow the action, but on other
	// resources: usually the mismatch to fix.
	NearMisses []string
}

// Excess is a grant broader than the requirements: an action no output
// calls, a wildcard action, or a resource wider than the calls need.
type Excess struct {
	Statement string // "policy#Sid"
	What      string
}

// Report is the result of Check.
type Report struct {
	Missing []Missing
	Excess  []Excess
	// Elsewhere are the requirements of roles the outputs assume
	// (role_arn): their calls are not made with the checked policies.
	Elsewhere []Requirement
	// Notes are things that could not be evaluated.
	Notes []string
}

// OK reports whether every required call is allowed.
func (r *Report) OK() bool { return len(r.Missing) == 0 }

// requestOf is the request AWS would evaluate for a requirement, with the
// global context keys a log router's calls always carry.
func requestOf(r Requirement) Request {
	ctx := map[string][]string{"aws:securetransport": {"true"}}
	if parts := strings.SplitN(r.Resource, ":", 6); len(parts) == 6 && parts[3] != "" && parts[3] != AnyRegion {
		ctx["aws:requestedregion"] = []string{parts[3]}
	}
	return Request{Action: r.Action, Resource: r.Resource, Context: ctx}
}

// Check evaluates policies against every requirement made with the
// process's own credentials and lists the missing permissions and the
// excess grants.
func Check(reqs []Requirement, policies []*Document) *Report {
	rep := &Report{}
	var own []Requirement
	for _, r := range reqs {
		if r.Principal != "" {
			rep.Elsewhere = append(rep.Elsewhere, r)
			continue
		}
		own = append(own, r)
	}
	seenNote := map[string]bool{}
	for _, r := range own {
		d := Evaluate(policies, requestOf(r))
		for _, n := range d.Notes {
			if !seenNote[n] {
				seenNote[n] = true
				rep.Notes = append(rep.Notes, n)
			}
		}
		if d.Outcome == Allowed {
			// A templated resource stands for many names: a Deny that
			// names some of them denies those calls.
			by := partialDenies(policies, requestOf(r))
			if len(by) == 0 {
				continue
			}
			d = Decision{Outcome: ExplicitDeny, By: by, Notes: []string{"denied for some of the names the template can render"}}
		}
		rep.Missing = append(rep.Missing, Missing{Requirement: r, Decision: d, NearMisses: nearMisses(policies, r)})
	}
	rep.Excess = excess(own, policies)
	return rep
}

// partialDenies lists the Deny statements that deny some of the names a
// templated request resource stands for; nil for a concrete resource.
func partialDenies(policies []*Document, req Request) []string {
	if !strings.ContainsAny(req.Resource, "*?") {
		return nil
	}
	var by []string
	for _, d := range policies {
		for i := range d.Statement {
			st := &d.Statement[i]
			if st.Effect != Deny || len(st.Resource) == 0 || !actionMatches(st, req.Action) {
				continue
			}
			if !anyMatch(st.Resource, func(p string) bool { return overlapsResource(p, req.Resource) }) {
				continue
			}
			if ok, _ := conditionMatches(st.Condition, req.Context); ok || len(st.Condition) == 0 {
				by = append(by, d.label(i))
			}
		}
	}
	return by
}

// nearMisses lists the Allow statements that name r's action, with the
// resources they allow it on.
func nearMisses(policies []*Document, r Requirement) []string {
	var out []string
	for _, d := range policies {
		for i := range d.Statement {
			st := &d.Statement[i]
			if st.Effect != Allow || !actionMatches(st, r.Action) {
				continue
			}
			if len(st.NotResource) > 0 {
				out = append(out, fmt.Sprintf("%s allows %s on everything but %s", d.label(i), r.Action, strings.Join(st.NotResource, ", ")))
			} else {
				out = append(out, fmt.Sprintf("%s allows %s only on %s", d.label(i), r.Action, strings.Join(st.Resource, ", ")))
			}
		}
	}
	return out
}

// excess finds the grants of Allow statements that go beyond reqs.
func excess(reqs []Requirement, policies []*Document) []Excess {
	var out []Excess
	for _, d := range policies {
		for i := range d.Statement {
			st := &d.Statement[i]
			if st.Effect != Allow {
				continue
			}
			label := d.label(i)
			if len(st.NotAction) > 0 {
				out = append(out, Excess{label, fmt.Sprintf("allows every action except %s (NotAction with Allow)", strings.Join(st.NotAction, ", "))})
			}
			for _, a := range st.Action {
				var needed []Requirement
				for _, r := range reqs {
					if matchAction(a, r.Action) {
						needed = append(needed, r)
					}
				}
				switch {
				case len(needed) == 0:
					out = append(out, Excess{label, fmt.Sprintf("allows %s, which no output of the configuration calls", a)})
					continue
				case strings.ContainsAny(a, "*?"):
					out = append(out, Excess{label, fmt.Sprintf("allows %s, a wildcard; the outputs need only %s", a, strings.Join(actionsOf(needed), ", "))})
				}
			}
			if len(st.NotResource) > 0 {
				out = append(out, Excess{label, fmt.Sprintf("allows its actions on every resource except %s (NotResource with Allow)", strings.Join(st.NotResource, ", "))})
				continue
			}
			out = append(out, broaderResources(label, st, reqs)...)
		}
	}
	return out
}

// broaderResources reports, per required action of st, the resources st
// allows it on beyond what the requirements need.
func broaderResources(label string, st *Statement, reqs []Requirement) []Excess {
	var out []Excess
	grantsNeeded := false
	for _, a := range actionsOf(reqs) {
		grantsNeeded = grantsNeeded || actionMatches(st, a)
	}
	if !grantsNeeded {
		return nil // its actions are all reported as not needed
	}
	for _, res := range st.Resource {
		var used bool
		for _, action := range actionsOf(reqs) {
			if !actionMatches(st, action) {
				continue
			}
			var grants []string
			coveredByNeed, usedHere := false, false
			for _, r := range reqs {
				if r.Action != action {
					continue
				}
				grants = append(grants, r.grant())
				if matchResource(res, r.Resource) {
					usedHere = true
				}
				if matchResource(r.grant(), res) {
					coveredByNeed = true
				}
			}
			if !usedHere {
				continue
			}
			used = true
			if !coveredByNeed {
				out = append(out, Excess{label, fmt.Sprintf("allows %s on %s; the outputs need it only on %s", action, res, strings.Join(uniqueSorted(grants), ", "))})
			}
		}
		if !used {
			out = append(out, Excess{label, fmt.Sprintf("allows its actions on %s, which no output of the configuration uses", res)})
		}
	}
	return out
}

func actionsOf(reqs []Requirement) []string {
	var as []string
	for _, r := range reqs {
		as = append(as, r.Action)
	}
	return uniqueSorted(as)
}

// Write prints the report for an operator: each missing permission with
// the section it serves and the statements that nearly allow it, each
// excess grant, the calls left to assumed roles, and a summary line.
func (r *Report) Write(w io.Writer) {
	for _, m := range r.Missing {
		fmt.Fprintf(w, "MISSING %s on %s\n  needed by %s (%s)\n  %s", m.Action, m.Resource, m.Section, m.Reason, m.Decision.Outcome)
		if len(m.Decision.By) > 0 {
			fmt.Fprintf(w, " by %s", strings.Join(m.Decision.By, ", "))
		} else {
			fmt.Fprint(w, ": no statement allows it")
		}
		fmt.Fprintln(w)
		for _, n := range m.NearMisses {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	for _, e := range r.Excess {
		fmt.Fprintf(w, "EXCESS  %s %s\n", e.Statement, e.What)
	}
	for _, e := range r.Elsewhere {
		fmt.Fprintf(w, "NOT CHECKED %s on %s for %s: made with the assumed role %s; check that role's policy\n", e.Action, e.Resource, e.Section, e.Principal)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "NOTE    %s\n", n)
	}
	if r.OK() {
		fmt.Fprintf(w, "OK: every call the configuration makes is allowed (%d excess grants)\n", len(r.Excess))
	} else {
		fmt.Fprintf(w, "FAIL: %d required permissions are missing\n", len(r.Missing))
	}
}
