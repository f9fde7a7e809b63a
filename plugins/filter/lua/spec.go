package lua

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the lua filter (Fluent Bit's filter_lua).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "lua",
		Summary: "call a Lua function on every record to keep, drop, rewrite or split it",
		Params: []plugin.Param{
			{Name: "script", Doc: "path of the Lua script that defines the function"},
			{Name: "code", Doc: "inline Lua source, instead of script"},
			{Name: "call", Required: true, Doc: "name of the Lua function called for each record"},
			{Name: "protected_mode", Type: plugin.TypeBool, Default: "on", Doc: "keep a record unchanged when the function fails, instead of failing the batch"},
			{Name: "time_as_table", Type: plugin.TypeBool, Default: "off", Doc: "pass and return the timestamp as {sec, nsec} instead of float seconds"},
			{Name: "type_int_key", Type: plugin.TypeWords, Doc: "space-separated keys whose returned values are converted to integers"},
			{Name: "type_array_key", Type: plugin.TypeWords, Doc: "space-separated keys whose returned tables are always arrays, even empty"},
		},
		Examples: []string{
			`[FILTER]
    Name   lua
    Match  app.*
    call   add_env
    code   function add_env(tag, ts, record) record["env"] = "prod"; return 2, ts, record end`,
			`[FILTER]
    Name         lua
    Match        *
    call         split
    time_as_table on
    type_int_key status
    code         function split(tag, ts, r) if r.drop then return -1, ts, r end return 1, ts, {r, {copy = true, status = "200"}} end`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
