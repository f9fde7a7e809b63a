package modify

import "github.com/sluice-logs/sluice/internal/plugin"

// rules are the rule parameters, with their word counts.
var rules = []struct {
	name  string
	words int
	doc   string
}{
	{"Set", 2, "KEY VALUE: add KEY or overwrite its value"},
	{"Add", 2, "KEY VALUE: add KEY when it is absent"},
	{"Remove", 1, "KEY: remove KEY"},
	{"Remove_wildcard", 1, "PATTERN: remove the keys matching PATTERN (trailing * matches any suffix)"},
	{"Remove_regex", 1, "REGEX: remove the keys matching REGEX"},
	{"Rename", 2, "KEY NEW: rename KEY to NEW when NEW is absent"},
	{"Hard_rename", 2, "KEY NEW: rename KEY to NEW, replacing NEW"},
	{"Copy", 2, "KEY NEW: copy KEY's value to NEW when NEW is absent"},
	{"Hard_copy", 2, "KEY NEW: copy KEY's value to NEW, replacing NEW"},
	{"Move_to_start", 1, "PATTERN: move the keys matching PATTERN to the front"},
	{"Move_to_end", 1, "PATTERN: move the keys matching PATTERN to the back"},
}

// conditions are the Condition forms, with their argument counts.
var conditions = map[string]int{
	"key_exists": 1, "key_does_not_exist": 1, "a_key_matches": 1, "no_key_matches": 1,
	"key_value_equals": 2, "key_value_does_not_equal": 2, "key_value_matches": 2, "key_value_does_not_match": 2,
	"matching_keys_have_matching_values": 2, "matching_keys_do_not_have_matching_values": 2,
}

// Spec declares the modify filter (Fluent Bit's filter_modify).
func Spec() plugin.Spec {
	params := []plugin.Param{
		// The condition's name, then its arguments, which the
		// constructor splits by the form's argument count.
		{Name: "Condition", Type: plugin.TypeWords, Words: 2, Multiple: true,
			Doc: "a condition every record must meet for the rules to apply, e.g. Key_value_equals level error"},
	}
	for _, r := range rules {
		params = append(params, plugin.Param{Name: r.name, Type: plugin.TypeWords, Words: r.words, Multiple: true, Doc: r.doc})
	}
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "modify",
		Summary: "set, add, remove, rename and copy record fields, optionally under conditions",
		Params:  params,
		Examples: []string{
			`[FILTER]
    Name    modify
    Match   app.*
    Set     cluster prod-eu
    Add     team payments
    Rename  msg message
    Remove  password`,
			`[FILTER]
    Name      modify
    Match     *
    Condition Key_value_equals level debug
    Condition Key_exists $kubernetes['namespace_name']
    Hard_copy level severity
    Remove_wildcard debug_*`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
