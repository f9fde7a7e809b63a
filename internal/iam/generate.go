package iam

import (
	"sort"
	"strings"
	"unicode"
)

// Policy is a generated policy document and, per statement Sid, the config
// section the statement serves (rendered as a comment where the format
// allows one).
type Policy struct {
	// Principal is "" for the policy of the process's own credentials (the
	// task role), or the role_arn whose policy this is.
	Principal string
	Doc       *Document
	Serves    map[string]string
}

// Generate returns the least-privilege policies of reqs: one for the
// process's credentials, then one per role_arn that outputs assume. Each
// statement serves one section and grants exactly the actions the section
// needs on exactly the resources it needs them on; actions that share
// their resources share a statement.
func Generate(reqs []Requirement) []Policy {
	var principals []string
	byPrincipal := map[string][]Requirement{}
	for _, r := range reqs {
		if _, ok := byPrincipal[r.Principal]; !ok {
			principals = append(principals, r.Principal)
		}
		byPrincipal[r.Principal] = append(byPrincipal[r.Principal], r)
	}
	sort.SliceStable(principals, func(i, j int) bool { return principals[i] == "" && principals[j] != "" })
	var out []Policy
	for _, p := range principals {
		out = append(out, generateOne(p, byPrincipal[p]))
	}
	return out
}

func generateOne(principal string, reqs []Requirement) Policy {
	name := "sluice"
	if principal != "" {
		name = principal
	}
	pol := Policy{Principal: principal, Doc: &Document{Name: name, Version: PolicyVersion}, Serves: map[string]string{}}
	var sections []Section
	bySection := map[string][]Requirement{}
	for _, r := range reqs {
		if _, ok := bySection[r.Section.ID]; !ok {
			sections = append(sections, r.Section)
		}
		bySection[r.Section.ID] = append(bySection[r.Section.ID], r)
	}
	used := map[string]bool{}
	for _, s := range sections {
		// action -> resources it needs, then group actions with equal sets.
		resources := map[string][]string{}
		var actions []string
		for _, r := range bySection[s.ID] {
			if _, ok := resources[r.Action]; !ok {
				actions = append(actions, r.Action)
			}
			resources[r.Action] = append(resources[r.Action], r.grant())
		}
		var keys []string
		groups := map[string][]string{}
		for _, a := range actions {
			rs := uniqueSorted(resources[a])
			k := strings.Join(rs, "\x00")
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], a)
		}
		for i, k := range keys {
			sid := sidOf(s.ID)
			if i > 0 {
				sid += string(rune('A' + i))
			}
			for used[sid] {
				sid += "X"
			}
			used[sid] = true
			pol.Doc.Statement = append(pol.Doc.Statement, Statement{
				Sid: sid, Effect: Allow, Action: Strings(uniqueSorted(groups[k])), Resource: Strings(strings.Split(k, "\x00")),
			})
			pol.Serves[sid] = s.String()
		}
	}
	return pol
}

// sidOf turns a section ID into a statement Sid, which IAM restricts to
// ASCII letters and digits: "cloudwatch_logs.0" -> "CloudwatchLogs0".
func sidOf(id string) string {
	var b strings.Builder
	upper := true
	for _, r := range id {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if upper {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	if b.Len() == 0 {
		return "Sluice"
	}
	return b.String()
}
