package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// env reads the env section: a mapping of names to values or, as in Fluent
// Bit 4.2, a list of {name, value} entries.
func (r *yamlReader) env(v *yaml.Node) {
	switch {
	case isNull(v):
	case v.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := deref(v.Content[i]), deref(v.Content[i+1])
			if value, ok := r.scalar(val, "env."+k.Value); ok {
				r.p.vars[k.Value] = value
			}
		}
	case v.Kind == yaml.SequenceNode:
		for i, item := range v.Content {
			r.envEntry(deref(item), fmt.Sprintf("env[%d]", i))
		}
	default:
		r.fail(v, "env must be a mapping of variable names to values", "for example: env: {REGION: us-east-1}")
	}
}

func (r *yamlReader) envEntry(item *yaml.Node, where string) {
	if item.Kind != yaml.MappingNode {
		r.fail(item, where+" must be a mapping with name and value", "for example: - name: REGION")
		return
	}
	var name, value string
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, val := deref(item.Content[i]), deref(item.Content[i+1])
		switch strings.ToLower(k.Value) {
		case "name":
			name, _ = r.scalar(val, where+".name")
		case "value":
			value, _ = r.scalar(val, where+".value")
		case "uri":
			r.fail(k, where+": uri (a variable read from a file) is not supported", "set value, or export the variable in the environment")
			return
		default:
			r.fail(k, fmt.Sprintf("%s: unknown key %q", where, k.Value), "an env entry has name and value")
			return
		}
	}
	if name == "" {
		r.fail(item, where+" has no name", "for example: - name: REGION")
		return
	}
	r.p.vars[name] = value
}

// sections reads a list of plugin or parser mappings, each one Section.
func (r *yamlReader) sections(v *yaml.Node, where string, kind Kind) {
	if isNull(v) {
		return
	}
	if v.Kind != yaml.SequenceNode {
		r.fail(v, where+" must be a list of mappings", "write each entry as \"- name: PLUGIN\" followed by its keys")
		return
	}
	for i, item := range v.Content {
		item = deref(item)
		at := fmt.Sprintf("%s[%d]", where, i)
		if item.Kind != yaml.MappingNode {
			r.fail(item, at+" must be a mapping of keys to values", "write it as \"- name: PLUGIN\" followed by its keys")
			continue
		}
		r.p.m.Add(Section{Kind: kind, Pos: r.pos(item), Params: r.params(item, at, kind)})
	}
}

// params turns a mapping into Params, in order. A multiline parser's rules
// become "rule" Params.
func (r *yamlReader) params(v *yaml.Node, where string, kind Kind) []Param {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		r.fail(v, where+" must be a mapping of keys to values", "for example: flush: 1")
		return nil
	}
	var out []Param
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := deref(v.Content[i]), deref(v.Content[i+1])
		if k.Kind != yaml.ScalarNode || isNull(k) || strings.TrimSpace(k.Value) == "" {
			r.fail(k, where+": a key must be a plain word", "for example: log_level: info")
			continue
		}
		key := yamlKey(strings.TrimSpace(k.Value))
		if kind == KindMultilineParser && strings.EqualFold(key, "rules") {
			out = append(out, r.rules(val, where+".rules")...)
			continue
		}
		out = append(out, r.values(key, val, where+"."+key)...)
	}
	return out
}

// values turns one key's value into Params: one for a scalar, one per item
// for a list (Fluent Bit sets a property once per item, as for modify's
// repeated Add).
func (r *yamlReader) values(key string, val *yaml.Node, where string) []Param {
	switch val.Kind {
	case yaml.ScalarNode:
		if s, ok := r.scalar(val, where); ok {
			return []Param{{Key: key, Value: s, Pos: r.pos(val)}}
		}
	case yaml.SequenceNode:
		var out []Param
		for i, item := range val.Content {
			item = deref(item)
			if s, ok := r.scalar(item, fmt.Sprintf("%s[%d]", where, i)); ok {
				out = append(out, Param{Key: key, Value: s, Pos: r.pos(item)})
			}
		}
		return out
	default:
		hint := "a value is a string, a number, a boolean or a list of them"
		if strings.EqualFold(key, "processors") {
			hint = "Sluice does not support processors; add a filter under pipeline.filters instead"
		}
		r.fail(val, where+" is a mapping, which Sluice cannot read as a parameter value", hint)
	}
	return nil
}

// scalar returns the text of a scalar value, trimmed as Fluent Bit trims
// every value (flb_cf_section_property_add).
func (r *yamlReader) scalar(n *yaml.Node, where string) (string, bool) {
	switch {
	case n.Kind != yaml.ScalarNode:
		r.fail(n, where+" must be a string, a number or a boolean", "a list or mapping is not valid here")
		return "", false
	case isNull(n):
		r.fail(n, where+" has no value", "write a value after the colon, or '' for an empty string")
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// rules encodes a multiline parser's rules, each a mapping of state, regex
// and next_state, as the classic format writes them:
//
//	rule "start_state" "/^\d+/" "cont"
//
// A double quote inside a field is escaped as \", which Fluent Bit's
// tokenizer (token_unescape in src/flb_slist.c) reads back.
func (r *yamlReader) rules(v *yaml.Node, where string) []Param {
	if v.Kind != yaml.SequenceNode {
		r.fail(v, where+" must be a list of rules, each with state, regex and next_state",
			"for example: - {state: start_state, regex: '/^\\d/', next_state: cont}")
		return nil
	}
	var out []Param
	for i, item := range v.Content {
		item = deref(item)
		at := fmt.Sprintf("%s[%d]", where, i)
		if item.Kind != yaml.MappingNode {
			r.fail(item, at+" must be a mapping with state, regex and next_state", "for example: - {state: cont, regex: '/^\\s/', next_state: cont}")
			continue
		}
		fields, ok := map[string]string{}, true
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, val := deref(item.Content[j]), deref(item.Content[j+1])
			name := strings.ToLower(yamlKey(k.Value))
			if name != "state" && name != "regex" && name != "next_state" {
				r.fail(k, fmt.Sprintf("%s: unknown key %q", at, k.Value), "a rule has state, regex and next_state")
				ok = false
				continue
			}
			s, good := r.scalar(val, at+"."+name)
			fields[name], ok = s, ok && good
		}
		for _, name := range []string{"state", "regex", "next_state"} {
			if _, has := fields[name]; !has && ok {
				r.fail(item, fmt.Sprintf("%s has no %s", at, name), "a rule has state, regex and next_state")
				ok = false
			}
		}
		if ok {
			value := quoteRule(fields["state"]) + " " + quoteRule(fields["regex"]) + " " + quoteRule(fields["next_state"])
			out = append(out, Param{Key: "rule", Value: value, Pos: r.pos(item)})
		}
	}
	return out
}

func quoteRule(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// yamlKey translates a camelCase key to snake_case as Fluent Bit does for
// YAML (flb_cf_key_translate in src/config_format/flb_config_format.c): a
// key that starts with a lower-case letter and has no underscore gets an
// underscore before each upper-case letter, so logLevel reads as log_level.
// Any other key is kept as written; lookups ignore case.
func yamlKey(key string) string {
	if key == "" || key[0] < 'a' || key[0] > 'z' || strings.Contains(key, "_") {
		return key
	}
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
