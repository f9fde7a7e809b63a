package parser

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the parser filter with Fluent Bit's parameters and
// defaults (plugins/filter_parser/filter_parser.c).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "parser",
		Summary: "parse a field of each record with named parsers and replace the record with the result",
		Params: []plugin.Param{
			{Name: "Key_Name", Required: true, Doc: "the field whose text is parsed"},
			{Name: "Parser", Required: true, Multiple: true, Doc: "a parser name; repeat to try several in order, the first match wins"},
			{Name: "Reserve_Data", Type: plugin.TypeBool, Default: "off", Doc: "keep the record's other fields beside the parsed ones"},
			{Name: "Preserve_Key", Type: plugin.TypeBool, Default: "off", Doc: "keep the parsed field itself"},
			{Name: "Unescape_Key", Type: plugin.TypeBool, Default: "off", Doc: "resolve backslash escapes in the field's text before parsing"},
		},
		Examples: []string{
			`[FILTER]
    Name         parser
    Match        docker.*
    Key_Name     log
    Parser       docker
    Reserve_Data On`,
			`[FILTER]
    Name         parser
    Match        web.*
    Key_Name     log
    Parser       apache2
    Parser       nginx
    Preserve_Key On
    Reserve_Data On`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
