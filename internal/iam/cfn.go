package iam

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// TemplateOptions resolve a CloudFormation template's references.
type TemplateOptions struct {
	// Role is the logical ID of the AWS::IAM::Role whose policies to
	// return; when empty, the task role of the template's only ECS task
	// definition, else its only role.
	Role string
	// Params override parameter defaults, and may set the pseudo
	// parameters (AWS::Region, AWS::AccountId, AWS::Partition,
	// AWS::StackName).
	Params map[string]string
	// Region and Account are AWS::Region and AWS::AccountId unless Params
	// set them; empty means AnyRegion and AnyAccount.
	Region, Account string
}

// RolePolicies is what ResolveTemplate found: the role and its policy
// documents, and what could not be evaluated.
type RolePolicies struct {
	Role     string
	Policies []*Document
	Notes    []string
}

// template is a parsed template: resources by logical ID, in a
// yaml-independent tree of map[string]any, []any and string.
type template struct {
	name       string
	params     map[string]any
	mappings   map[string]any
	conditions map[string]any
	resources  map[string]map[string]any
	opts       TemplateOptions
	// managed maps the ARN a ManagedPolicy's Ref resolves to, to its
	// logical ID, so ManagedPolicyArns entries find their documents.
	managed map[string]string
	// evaluating guards against conditions that refer to themselves.
	evaluating map[string]bool
}

// noValue is what AWS::NoValue resolves to: the property is removed.
type noValue struct{}

// ResolveTemplate reads a CloudFormation template (YAML with or without
// short-form tags, or JSON), resolves the intrinsic functions of the
// policies attached to the chosen role and returns them. Policies come from
// the role's inline Policies, its ManagedPolicyArns that name an
// AWS::IAM::ManagedPolicy of the template, and AWS::IAM::Policy,
// AWS::IAM::RolePolicy and AWS::IAM::ManagedPolicy resources that list the
// role. AWS managed and external policy ARNs are reported in Notes.
func ResolveTemplate(name string, src []byte, opts TemplateOptions) (*RolePolicies, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	tree, err := fromYAML(&root)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	top, ok := tree.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template %s: not a mapping of sections (Parameters, Resources ...)", name)
	}
	t := &template{name: name, opts: opts, resources: map[string]map[string]any{}, managed: map[string]string{}, evaluating: map[string]bool{}}
	t.params, _ = top["Parameters"].(map[string]any)
	t.mappings, _ = top["Mappings"].(map[string]any)
	t.conditions, _ = top["Conditions"].(map[string]any)
	res, _ := top["Resources"].(map[string]any)
	if len(res) == 0 {
		return nil, fmt.Errorf("template %s: no Resources", name)
	}
	for id, r := range res {
		m, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("template %s: resource %s is not a mapping", name, id)
		}
		t.resources[id] = m
	}
	for _, id := range t.ids("AWS::IAM::ManagedPolicy") {
		arn, err := t.ref(id)
		if err != nil {
			return nil, err
		}
		t.managed[arn.(string)] = id
	}
	role, err := t.chooseRole()
	if err != nil {
		return nil, err
	}
	return t.rolePolicies(role)
}

// ids returns the logical IDs of the resources of type typ, sorted, that
// exist (whose Condition, if any, is true).
func (t *template) ids(typ string) []string {
	var out []string
	for id, r := range t.resources {
		if r["Type"] != typ {
			continue
		}
		if c, ok := r["Condition"].(string); ok {
			if v, err := t.condition(c); err == nil && !v {
				continue
			}
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (t *template) props(id string) map[string]any {
	p, _ := t.resources[id]["Properties"].(map[string]any)
	return p
}

// chooseRole picks the role to check: the --role, else the TaskRoleArn of
// the only ECS task definition, else the only role. Without any role, ""
// means every policy of the template.
func (t *template) chooseRole() (string, error) {
	roles := t.ids("AWS::IAM::Role")
	if r := t.opts.Role; r != "" {
		if t.resources[r] == nil || t.resources[r]["Type"] != "AWS::IAM::Role" {
			return "", fmt.Errorf("template %s: no AWS::IAM::Role with logical ID %q; its roles are %s", t.name, r, strings.Join(roles, ", "))
		}
		return r, nil
	}
	var taskRoles []string
	for _, td := range t.ids("AWS::ECS::TaskDefinition") {
		if id := t.roleOf(t.props(td)["TaskRoleArn"]); id != "" {
			taskRoles = append(taskRoles, id)
		}
	}
	if taskRoles = uniqueSorted(taskRoles); len(taskRoles) == 1 {
		return taskRoles[0], nil
	}
	switch len(roles) {
	case 0:
		return "", nil
	case 1:
		return roles[0], nil
	}
	return "", fmt.Errorf("template %s has several roles (%s); name the one Sluice runs with: --role LOGICAL_ID", t.name, strings.Join(roles, ", "))
}

// roleOf returns the logical ID of the role an unresolved TaskRoleArn
// refers to (!GetAtt Role.Arn or !Ref Role), or "".
func (t *template) roleOf(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	var id string
	switch {
	case m["Ref"] != nil:
		id, _ = m["Ref"].(string)
	case m["Fn::GetAtt"] != nil:
		switch g := m["Fn::GetAtt"].(type) {
		case []any:
			if len(g) > 0 {
				id, _ = g[0].(string)
			}
		case string:
			id, _, _ = strings.Cut(g, ".")
		}
	}
	if t.resources[id]["Type"] == "AWS::IAM::Role" {
		return id
	}
	return ""
}

// rolePolicies collects and resolves the documents attached to role.
func (t *template) rolePolicies(role string) (*RolePolicies, error) {
	out := &RolePolicies{Role: role}
	add := func(label string, doc any) error {
		v, err := t.resolve(doc)
		if err != nil {
			return fmt.Errorf("template %s: %s: %w", t.name, label, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("template %s: %s: %w", t.name, label, err)
		}
		d, err := ParsePolicy(label, b)
		if err != nil {
			return fmt.Errorf("template %s: %w", t.name, err)
		}
		out.Policies = append(out.Policies, d)
		return nil
	}
	if role == "" {
		out.Notes = append(out.Notes, "the template has no AWS::IAM::Role: evaluating all of its policies together")
		for _, typ := range []string{"AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::RolePolicy"} {
			for _, id := range t.ids(typ) {
				if err := add(id, t.props(id)["PolicyDocument"]); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	props := t.props(role)
	inline, err := t.resolveList(props["Policies"])
	if err != nil {
		return nil, fmt.Errorf("template %s: %s Policies: %w", t.name, role, err)
	}
	for i, p := range inline {
		m, _ := p.(map[string]any)
		name, _ := m["PolicyName"].(string)
		if name == "" {
			name = fmt.Sprint(i)
		}
		// The documents were resolved with the list; re-resolving a
		// resolved tree is a no-op.
		if err := add(role+"/"+name, m["PolicyDocument"]); err != nil {
			return nil, err
		}
	}
	arns, err := t.resolveList(props["ManagedPolicyArns"])
	if err != nil {
		return nil, fmt.Errorf("template %s: %s ManagedPolicyArns: %w", t.name, role, err)
	}
	attached := map[string]bool{}
	for _, a := range arns {
		arn, _ := a.(string)
		id, ok := t.managed[arn]
		switch {
		case ok:
			attached[id] = true
			if err := add(id, t.props(id)["PolicyDocument"]); err != nil {
				return nil, err
			}
		case strings.Contains(arn, ":iam::aws:policy/"):
			out.Notes = append(out.Notes, fmt.Sprintf("%s: AWS managed policy %s is not in the template and was not evaluated", role, arn))
		default:
			out.Notes = append(out.Notes, fmt.Sprintf("%s: managed policy %s is not defined in the template and was not evaluated", role, arn))
		}
	}
	roleName, err := t.ref(role)
	if err != nil {
		return nil, err
	}
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, id := range t.ids(typ) {
			if attached[id] {
				continue
			}
			roles, err := t.resolveList(t.props(id)["Roles"])
			if err != nil {
				return nil, fmt.Errorf("template %s: %s Roles: %w", t.name, id, err)
			}
			for _, r := range roles {
				if r == roleName {
					if err := add(id, t.props(id)["PolicyDocument"]); err != nil {
						return nil, err
					}
					break
				}
			}
		}
	}
	for _, id := range t.ids("AWS::IAM::RolePolicy") {
		if name, err := t.resolve(t.props(id)["RoleName"]); err == nil && name == roleName {
			if err := add(id, t.props(id)["PolicyDocument"]); err != nil {
				return nil, err
			}
		}
	}
	if len(out.Policies) == 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%s: no policy of the template is attached to the role", role))
	}
	return out, nil
}

// resolveList resolves v and returns it as a list (a missing property is
// an empty list).
func (t *template) resolveList(v any) ([]any, error) {
	if v == nil {
		return nil, nil
	}
	r, err := t.resolve(v)
	if err != nil {
		return nil, err
	}
	l, ok := r.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %v", r)
	}
	return l, nil
}

// fromYAML converts a YAML node into map[string]any / []any / string, with
// short-form tags (!Ref, !Sub, !GetAtt ...) turned into their long form
// ({"Ref": ...}, {"Fn::Sub": ...}), so JSON and YAML templates resolve alike.
func fromYAML(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, fmt.Errorf("empty document")
		}
		return fromYAML(n.Content[0])
	case yaml.AliasNode:
		return fromYAML(n.Alias)
	case yaml.ScalarNode:
		v = n.Value
		if n.Tag == "!!null" {
			v = nil
		}
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			x, err := fromYAML(c)
			if err != nil {
				return nil, err
			}
			l = append(l, x)
		}
		v = l
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			x, err := fromYAML(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = x
		}
		v = m
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return v, nil
	}
	fn := n.Tag[1:]
	switch fn {
	case "Ref", "Condition":
		return map[string]any{fn: v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
	}
	return map[string]any{"Fn::" + fn: v}, nil
}
