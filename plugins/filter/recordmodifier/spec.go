package recordmodifier

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the record_modifier filter.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "record_modifier",
		Summary: "append fixed fields to records, remove fields or keep only some, add a UUID",
		Params: []plugin.Param{
			{Name: "Record", Type: plugin.TypeWords, Words: 2, Multiple: true, Doc: "a key and a value to append to every record; repeat for more"},
			{Name: "Remove_key", Multiple: true, Doc: "a key to remove from every record; repeat for more"},
			{Name: "Allowlist_key", Multiple: true, Doc: "a key to keep; every other key is removed (repeat for more)"},
			{Name: "Whitelist_key", Multiple: true, Doc: "the older name of Allowlist_key"},
			{Name: "Uuid_key", Doc: "key under which to append a random UUID (version 4) to every record"},
		},
		Examples: []string{
			`[FILTER]
    Name    record_modifier
    Match   *
    Record  ecs_cluster my-cluster
    Record  ecs_task_definition webapp:3`,
			`[FILTER]
    Name           record_modifier
    Match          app.*
    Allowlist_key  log
    Allowlist_key  level
    Uuid_key       event_id`,
			`[FILTER]
    Name        record_modifier
    Match       *
    Remove_key  password
    Remove_key  token`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
