package iam

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// resolve evaluates the intrinsic functions in v. Properties that resolve
// to AWS::NoValue are dropped from mappings and lists.
func (t *template) resolve(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			r, err := t.resolve(e)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out = append(out, r)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					return t.function(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := t.resolve(e)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out[k] = r
			}
		}
		return out, nil
	}
	return v, nil
}

// function evaluates one intrinsic function.
func (t *template) function(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref takes a name, got %v", arg)
		}
		return t.ref(s)
	case "Fn::GetAtt":
		l, err := t.strings(arg)
		if err != nil || len(l) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt takes [LogicalID, Attribute], got %v", arg)
		}
		return t.getAtt(l[0], l[1])
	case "Fn::Sub":
		return t.sub(arg)
	case "Fn::Join":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, fmt.Errorf("Fn::Join takes [delimiter, [values]], got %v", arg)
		}
		delim, ok := l[0].(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Join: the delimiter must be a string")
		}
		parts, err := t.strings(l[1])
		if err != nil {
			return nil, fmt.Errorf("Fn::Join: %w", err)
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, fmt.Errorf("Fn::Select takes [index, [values]], got %v", arg)
		}
		idx, err := t.resolve(l[0])
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(fmt.Sprint(idx))
		if err != nil {
			return nil, fmt.Errorf("Fn::Select: index %v is not a number", idx)
		}
		list, err := t.resolve(l[1])
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok || i < 0 || i >= len(items) {
			return nil, fmt.Errorf("Fn::Select: index %d out of range of %v", i, list)
		}
		return items[i], nil
	case "Fn::Split":
		l, ok := arg.([]any)
		if !ok || len(l) != 2 {
			return nil, fmt.Errorf("Fn::Split takes [delimiter, string], got %v", arg)
		}
		delim, _ := l[0].(string)
		s, err := t.resolve(l[1])
		if err != nil {
			return nil, err
		}
		str, ok := s.(string)
		if !ok || delim == "" {
			return nil, fmt.Errorf("Fn::Split: want a delimiter and a string, got %v", arg)
		}
		var out []any
		for _, p := range strings.Split(str, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::If":
		l, ok := arg.([]any)
		if !ok || len(l) != 3 {
			return nil, fmt.Errorf("Fn::If takes [condition, then, else], got %v", arg)
		}
		c, _ := l[0].(string)
		yes, err := t.condition(c)
		if err != nil {
			return nil, err
		}
		if yes {
			return t.resolve(l[1])
		}
		return t.resolve(l[2])
	case "Fn::FindInMap":
		l, err := t.strings(arg)
		if err != nil || len(l) != 3 {
			return nil, fmt.Errorf("Fn::FindInMap takes [MapName, TopKey, SecondKey], got %v", arg)
		}
		top, _ := t.mappings[l[0]].(map[string]any)
		second, _ := top[l[1]].(map[string]any)
		v, ok := second[l[2]]
		if !ok {
			return nil, fmt.Errorf("Fn::FindInMap: no %s/%s/%s in Mappings", l[0], l[1], l[2])
		}
		return t.resolve(v)
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition":
		return t.conditionValue(name, arg)
	}
	return nil, fmt.Errorf("%s cannot be resolved without deploying the stack", name)
}

// strings resolves v into a list of strings.
func (t *template) strings(v any) ([]string, error) {
	r, err := t.resolve(v)
	if err != nil {
		return nil, err
	}
	l, ok := r.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %v", r)
	}
	out := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("expected a string, got %v", e)
		}
		out[i] = s
	}
	return out, nil
}

// pseudo returns a pseudo parameter's value.
func (t *template) pseudo(name string) (string, bool) {
	if !strings.HasPrefix(name, "AWS::") {
		return "", false
	}
	if v, ok := t.opts.Params[name]; ok {
		return v, true
	}
	switch name {
	case "AWS::Region":
		if t.opts.Region != "" {
			return t.opts.Region, true
		}
		return AnyRegion, true
	case "AWS::AccountId":
		if t.opts.Account != "" {
			return t.opts.Account, true
		}
		return AnyAccount, true
	case "AWS::Partition":
		r, _ := t.pseudo("AWS::Region")
		return Env{}.partition(r), true
	case "AWS::StackName":
		return "sluice-check", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::StackId":
		r, _ := t.pseudo("AWS::Region")
		a, _ := t.pseudo("AWS::AccountId")
		s, _ := t.pseudo("AWS::StackName")
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-0000-0000-000000000000", r, a, s), true
	}
	return "", false
}

// ref resolves Ref: a pseudo parameter, a parameter (override, then
// Default), or a resource (its name or ARN, as CloudFormation returns it
// for the IAM types; the logical ID for others).
func (t *template) ref(name string) (any, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if v, ok := t.pseudo(name); ok {
		return v, nil
	}
	if p, ok := t.params[name].(map[string]any); ok {
		if v, ok := t.opts.Params[name]; ok {
			if typ, _ := p["Type"].(string); strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
				return listOf(strings.Split(v, ",")), nil
			}
			return v, nil
		}
		d, ok := p["Default"]
		if !ok {
			return nil, fmt.Errorf("parameter %s has no Default; pass --param %s=VALUE", name, name)
		}
		if typ, _ := p["Type"].(string); typ == "CommaDelimitedList" {
			if s, ok := d.(string); ok {
				return listOf(strings.Split(s, ",")), nil
			}
		}
		return d, nil
	}
	r, ok := t.resources[name]
	if !ok {
		return nil, fmt.Errorf("Ref %s: no such parameter or resource", name)
	}
	if t.evaluating["resource:"+name] {
		return nil, fmt.Errorf("resource %s refers to itself", name)
	}
	t.evaluating["resource:"+name] = true
	defer delete(t.evaluating, "resource:"+name)
	props, _ := r["Properties"].(map[string]any)
	switch r["Type"] {
	case "AWS::IAM::ManagedPolicy":
		policyName, err := t.nameProp(props, "ManagedPolicyName", name)
		if err != nil {
			return nil, err
		}
		path, err := t.pathProp(props)
		if err != nil {
			return nil, err
		}
		p, _ := t.pseudo("AWS::Partition")
		a, _ := t.pseudo("AWS::AccountId")
		return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", p, a, path, policyName), nil
	case "AWS::IAM::Role":
		return t.nameProp(props, "RoleName", name)
	}
	return name, nil
}

func listOf(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// nameProp resolves a resource's name property, or stands in the logical
// ID (CloudFormation would generate a name from it).
func (t *template) nameProp(props map[string]any, key, id string) (string, error) {
	v, ok := props[key]
	if !ok {
		return id, nil
	}
	r, err := t.resolve(v)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", id, key, err)
	}
	s, _ := r.(string)
	return s, nil
}

func (t *template) pathProp(props map[string]any) (string, error) {
	v, ok := props["Path"]
	if !ok {
		return "/", nil
	}
	r, err := t.resolve(v)
	if err != nil {
		return "", err
	}
	s, _ := r.(string)
	if s == "" {
		s = "/"
	}
	return s, nil
}

// getAtt resolves Fn::GetAtt for the attributes a policy may use: a role's
// Arn and RoleId, a log group's Arn, a delivery stream's or stream's Arn, a
// bucket's Arn.
func (t *template) getAtt(id, attr string) (any, error) {
	r, ok := t.resources[id]
	if !ok {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: no such resource", id, attr)
	}
	if t.evaluating["resource:"+id] {
		return nil, fmt.Errorf("resource %s refers to itself", id)
	}
	t.evaluating["resource:"+id] = true
	defer delete(t.evaluating, "resource:"+id)
	props, _ := r["Properties"].(map[string]any)
	p, _ := t.pseudo("AWS::Partition")
	region, _ := t.pseudo("AWS::Region")
	account, _ := t.pseudo("AWS::AccountId")
	name := func(key string) (string, error) { return t.nameProp(props, key, id) }
	if attr == "Arn" {
		switch r["Type"] {
		case "AWS::IAM::Role":
			n, err := name("RoleName")
			if err != nil {
				return nil, err
			}
			path, err := t.pathProp(props)
			if err != nil {
				return nil, err
			}
			return fmt.Sprintf("arn:%s:iam::%s:role%s%s", p, account, path, n), nil
		case "AWS::Logs::LogGroup":
			// CloudFormation's LogGroup Arn ends with ":*".
			n, err := name("LogGroupName")
			if err != nil {
				return nil, err
			}
			return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:*", p, region, account, n), nil
		case "AWS::KinesisFirehose::DeliveryStream":
			n, err := name("DeliveryStreamName")
			if err != nil {
				return nil, err
			}
			return fmt.Sprintf("arn:%s:firehose:%s:%s:deliverystream/%s", p, region, account, n), nil
		case "AWS::Kinesis::Stream":
			n, err := name("Name")
			if err != nil {
				return nil, err
			}
			return fmt.Sprintf("arn:%s:kinesis:%s:%s:stream/%s", p, region, account, n), nil
		case "AWS::S3::Bucket":
			n, err := name("BucketName")
			if err != nil {
				return nil, err
			}
			return fmt.Sprintf("arn:%s:s3:::%s", p, n), nil
		}
	}
	return nil, fmt.Errorf("Fn::GetAtt %s.%s (%v) cannot be resolved without deploying the stack", id, attr, r["Type"])
}

// subVar matches ${Name}, ${Res.Attr} and the literal ${!Text}.
var subVar = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([^}]*)\}`) })

// sub resolves Fn::Sub in its two forms: a string, or [string, {vars}].
func (t *template) sub(arg any) (any, error) {
	var src string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		src = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("Fn::Sub takes a string or [string, {variables}]")
		}
		src, _ = a[0].(string)
		m, _ := a[1].(map[string]any)
		for k, v := range m {
			r, err := t.resolve(v)
			if err != nil {
				return nil, fmt.Errorf("Fn::Sub variable %s: %w", k, err)
			}
			vars[k] = r
		}
	default:
		return nil, fmt.Errorf("Fn::Sub takes a string or [string, {variables}], got %v", arg)
	}
	var firstErr error
	out := subVar().ReplaceAllStringFunc(src, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		var v any
		var err error
		if x, ok := vars[name]; ok {
			v = x
		} else if res, attr, dotted := strings.Cut(name, "."); dotted && !strings.HasPrefix(name, "AWS::") {
			v, err = t.getAtt(res, attr)
		} else {
			v, err = t.ref(name)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("Fn::Sub %q: %w", src, err)
			}
			return m
		}
		s, ok := v.(string)
		if !ok && firstErr == nil {
			firstErr = fmt.Errorf("Fn::Sub %q: ${%s} is not a string", src, name)
		}
		return s
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// condition evaluates a named condition of the Conditions section.
func (t *template) condition(name string) (bool, error) {
	c, ok := t.conditions[name]
	if !ok {
		return false, fmt.Errorf("no condition %q in Conditions", name)
	}
	if t.evaluating[name] {
		return false, fmt.Errorf("condition %q refers to itself", name)
	}
	t.evaluating[name] = true
	defer delete(t.evaluating, name)
	v, err := t.resolve(c)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("condition %s is not a condition function", name)
	}
	return b, nil
}

// conditionValue evaluates Fn::Equals, Fn::Not, Fn::And, Fn::Or and
// {"Condition": name}.
func (t *template) conditionValue(name string, arg any) (any, error) {
	if name == "Condition" {
		s, _ := arg.(string)
		return t.condition(s)
	}
	l, ok := arg.([]any)
	if !ok {
		return nil, fmt.Errorf("%s takes a list", name)
	}
	vals := make([]any, len(l))
	for i, e := range l {
		if s, ok := e.(string); ok && name != "Fn::Equals" {
			// Fn::And/Or/Not accept condition names.
			b, err := t.condition(s)
			if err != nil {
				return nil, err
			}
			vals[i] = b
			continue
		}
		r, err := t.resolve(e)
		if err != nil {
			return nil, err
		}
		vals[i] = r
	}
	switch name {
	case "Fn::Equals":
		if len(vals) != 2 {
			return nil, fmt.Errorf("Fn::Equals takes two values")
		}
		return fmt.Sprint(vals[0]) == fmt.Sprint(vals[1]), nil
	case "Fn::Not":
		if len(vals) != 1 {
			return nil, fmt.Errorf("Fn::Not takes one condition")
		}
		b, ok := vals[0].(bool)
		return !b, boolErr(ok, name)
	case "Fn::And":
		all := true
		for _, v := range vals {
			b, ok := v.(bool)
			if !ok {
				return nil, boolErr(false, name)
			}
			all = all && b
		}
		return all, nil
	default: // Fn::Or
		any := false
		for _, v := range vals {
			b, ok := v.(bool)
			if !ok {
				return nil, boolErr(false, name)
			}
			any = any || b
		}
		return any, nil
	}
}

func boolErr(ok bool, name string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("%s takes conditions", name)
}
