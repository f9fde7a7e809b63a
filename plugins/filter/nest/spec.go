package nest

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the nest filter (Fluent Bit's filter_nest).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "nest",
		Summary: "nest top-level fields under a map, or lift a map's fields to the top level",
		Params: []plugin.Param{
			{Name: "Operation", Required: true, Options: []string{"nest", "lift"}, Doc: "nest: move fields into a map; lift: move a map's fields up"},
			{Name: "Wildcard", Multiple: true, Doc: "nest: fields to move, by name or prefix* (repeatable)"},
			{Name: "Nest_under", Doc: "nest: the map field the matching fields move into"},
			{Name: "Nested_under", Doc: "lift: the map field whose fields move to the top level"},
			{Name: "Add_prefix", Doc: "prefix added to the keys of the moved fields"},
			{Name: "Remove_prefix", Doc: "prefix removed from the keys of the moved fields that start with it"},
		},
		Examples: []string{
			`[FILTER]
    Name       nest
    Match      app.*
    Operation  nest
    Wildcard   Mem.*
    Nest_under memory
    Remove_prefix Mem.`,
			`[FILTER]
    Name         nest
    Match        kube.*
    Operation    lift
    Nested_under kubernetes
    Add_prefix   k8s_`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
