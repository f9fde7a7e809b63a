package k8saudit

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/record"
	"gopkg.in/yaml.v3"
)

// defaultRules is the rule set shipped with Sluice (rules/default.yaml),
// used when Rules_File is not set.
//
//go:embed rules/default.yaml
var defaultRules []byte

// The documented schema of a rules file (see rules/default.yaml, whose
// header describes it for users).
type ruleFile struct {
	Rules []ruleSpec `yaml:"rules"`
}

type ruleSpec struct {
	ID          string         `yaml:"id"`
	Name        string         `yaml:"name"`
	Severity    string         `yaml:"severity"`
	Description string         `yaml:"description"`
	Source      string         `yaml:"source"`
	When        []condSpec     `yaml:"when"`
	Unless      []condSpec     `yaml:"unless"`
	Threshold   *thresholdSpec `yaml:"threshold"`
	Enabled     *bool          `yaml:"enabled"`
}

type condSpec struct {
	Field    string     `yaml:"field"`
	Equals   stringList `yaml:"equals"`
	Prefix   stringList `yaml:"prefix"`
	Suffix   stringList `yaml:"suffix"`
	Contains stringList `yaml:"contains"`
	Regex    string     `yaml:"regex"`
	Exists   *bool      `yaml:"exists"`
	CIDR     stringList `yaml:"cidr"`
	All      []condSpec `yaml:"all"`
	Any      []condSpec `yaml:"any"`
	Not      *condSpec  `yaml:"not"`
}

type thresholdSpec struct {
	Count   int      `yaml:"count"`
	Window  duration `yaml:"window"`
	GroupBy string   `yaml:"group_by"`
}

// stringList is a YAML scalar or a sequence of scalars, each kept as text
// ("true", "401"), since values are compared as text.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = stringList{n.Value}
		return nil
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a list of values", c.Line)
			}
			*l = append(*l, c.Value)
		}
		return nil
	}
	return fmt.Errorf("line %d: expected a value or a list of values", n.Line)
}

type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: window %q: %v (write e.g. 60s or 5m)", n.Line, n.Value, err)
	}
	*d = duration(v)
	return nil
}

// severities are the valid severity values, lowest first.
var severities = []string{"info", "low", "medium", "high", "critical"}

// rule is a compiled detection rule.
type rule struct {
	id, name, severity, description string
	anySource                       bool // applies to any record, not only audit events
	when, unless                    []cond
	threshold                       *threshold
}

// cond is a compiled condition on an event body.
type cond interface {
	match(ev []byte, sc *evalScratch) bool
}

// evalScratch is the reusable memory of condition evaluation, so a rule
// check allocates nothing.
type evalScratch struct {
	vals [][]byte
	text []byte
}

// loadRules parses and compiles a rules file; name is for messages.
func loadRules(data []byte, name string) ([]*rule, error) {
	var file ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("rules file %s: %v", name, err)
	}
	var rules []*rule
	seen := map[string]bool{}
	for i, rs := range file.Rules {
		where := fmt.Sprintf("rules file %s: rule %d (%s)", name, i+1, rs.ID)
		if rs.ID == "" {
			return nil, fmt.Errorf("%s: missing id", where)
		}
		if seen[rs.ID] {
			return nil, fmt.Errorf("%s: id used twice", where)
		}
		seen[rs.ID] = true
		if rs.Enabled != nil && !*rs.Enabled {
			continue
		}
		r, err := compileRule(rs)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		rules = append(rules, r)
	}
	if len(file.Rules) == 0 {
		return nil, fmt.Errorf("rules file %s: no rules; expected a top-level `rules:` list", name)
	}
	return rules, nil
}

func compileRule(rs ruleSpec) (*rule, error) {
	r := &rule{id: rs.ID, name: rs.Name, severity: strings.ToLower(rs.Severity), description: rs.Description}
	if r.name == "" {
		r.name = r.id
	}
	if r.severity == "" {
		r.severity = "medium"
	}
	if !slices.Contains(severities, r.severity) {
		return nil, fmt.Errorf("severity %q; valid values are %s", rs.Severity, strings.Join(severities, ", "))
	}
	switch rs.Source {
	case "", "audit":
	case "any":
		r.anySource = true
	default:
		return nil, fmt.Errorf("source %q; valid values are audit and any", rs.Source)
	}
	if len(rs.When) == 0 {
		return nil, fmt.Errorf("no `when` conditions: a rule must say what it matches")
	}
	var err error
	if r.when, err = compileConds(rs.When); err != nil {
		return nil, err
	}
	if r.unless, err = compileConds(rs.Unless); err != nil {
		return nil, err
	}
	if t := rs.Threshold; t != nil {
		if t.Count < 2 || t.Window <= 0 {
			return nil, fmt.Errorf("threshold needs count of 2 or more and a positive window")
		}
		r.threshold = &threshold{count: t.Count, window: time.Duration(t.Window), groups: map[string]*window{}}
		if t.GroupBy != "" {
			f, err := parseField(t.GroupBy)
			if err != nil {
				return nil, fmt.Errorf("threshold group_by: %v", err)
			}
			r.threshold.groupBy = &f
		}
	}
	return r, nil
}

func compileConds(specs []condSpec) ([]cond, error) {
	out := make([]cond, 0, len(specs))
	for _, cs := range specs {
		c, err := compileCond(cs)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func compileCond(cs condSpec) (cond, error) {
	groups := 0
	for _, set := range []bool{cs.All != nil, cs.Any != nil, cs.Not != nil} {
		if set {
			groups++
		}
	}
	if groups > 0 {
		if groups > 1 || cs.Field != "" {
			return nil, fmt.Errorf("a condition is either a field test or one of all/any/not")
		}
		switch {
		case cs.All != nil:
			cs, err := compileConds(cs.All)
			return allOf(cs), err
		case cs.Any != nil:
			cs, err := compileConds(cs.Any)
			return anyOf(cs), err
		default:
			c, err := compileCond(*cs.Not)
			return notCond{c}, err
		}
	}
	if cs.Field == "" {
		return nil, fmt.Errorf("condition without a field")
	}
	f, err := parseField(cs.Field)
	if err != nil {
		return nil, err
	}
	leaf := &leafCond{field: f}
	ops := 0
	if cs.Equals != nil {
		ops++
		leaf.test = func(v []byte) bool { return slices.Contains(cs.Equals, string(v)) }
	}
	if cs.Prefix != nil {
		ops++
		leaf.test = func(v []byte) bool {
			return slices.ContainsFunc(cs.Prefix, func(p string) bool { return bytes.HasPrefix(v, []byte(p)) })
		}
	}
	if cs.Suffix != nil {
		ops++
		leaf.test = func(v []byte) bool {
			return slices.ContainsFunc(cs.Suffix, func(p string) bool { return bytes.HasSuffix(v, []byte(p)) })
		}
	}
	if cs.Contains != nil {
		ops++
		leaf.test = func(v []byte) bool {
			return slices.ContainsFunc(cs.Contains, func(p string) bool { return bytes.Contains(v, []byte(p)) })
		}
	}
	if cs.Regex != "" {
		ops++
		re, err := regexp.Compile(cs.Regex)
		if err != nil {
			return nil, fmt.Errorf("field %s: regex: %v", cs.Field, err)
		}
		leaf.test = re.Match
	}
	if cs.CIDR != nil {
		ops++
		var prefixes []netip.Prefix
		for _, s := range cs.CIDR {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("field %s: cidr %q: %v", cs.Field, s, err)
			}
			prefixes = append(prefixes, p)
		}
		leaf.test = func(v []byte) bool {
			a, err := netip.ParseAddr(string(v))
			if err != nil {
				return false
			}
			a = a.Unmap()
			return slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(a) })
		}
	}
	if cs.Exists != nil {
		ops++
		leaf.exists, leaf.wantExists = true, *cs.Exists
	}
	if ops != 1 {
		return nil, fmt.Errorf("field %s: give exactly one of equals, prefix, suffix, contains, regex, cidr, exists", cs.Field)
	}
	return leaf, nil
}

// leafCond holds when some value the field names passes test (or, for
// exists, when the field is present and not null, or absent).
type leafCond struct {
	field      field
	test       func(text []byte) bool
	exists     bool
	wantExists bool
}

func (c *leafCond) match(ev []byte, sc *evalScratch) bool {
	if c.exists {
		v, ok := c.field.first(ev)
		return (ok && len(v) > 0 && v[0] != 0xc0) == c.wantExists
	}
	sc.vals = c.field.values(ev, sc.vals[:0])
	for _, v := range sc.vals {
		if s, ok := record.StringValue(v); ok {
			if c.test(s) {
				return true
			}
			continue
		}
		var ok bool
		if sc.text, ok = accessor.AppendText(sc.text[:0], v); ok && c.test(sc.text) {
			return true
		}
	}
	return false
}

type allOf []cond

func (a allOf) match(ev []byte, sc *evalScratch) bool {
	for _, c := range a {
		if !c.match(ev, sc) {
			return false
		}
	}
	return true
}

type anyOf []cond

func (a anyOf) match(ev []byte, sc *evalScratch) bool {
	for _, c := range a {
		if c.match(ev, sc) {
			return true
		}
	}
	return false
}

type notCond struct{ c cond }

func (n notCond) match(ev []byte, sc *evalScratch) bool { return !n.c.match(ev, sc) }

// matches reports whether the rule's conditions hold for the event.
func (r *rule) matches(ev []byte, sc *evalScratch) bool {
	if !allOf(r.when).match(ev, sc) {
		return false
	}
	return !anyOf(r.unless).match(ev, sc)
}
