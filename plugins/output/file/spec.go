package file

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the file output: its parameters are Fluent Bit's
// (plugins/out_file/file.c config_map).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "file",
		Summary: "append records to files, one per tag or one named file",
		Params: []plugin.Param{
			{Name: "Path", Doc: "directory of the files; the working directory when unset"},
			{Name: "File", Doc: "name of the file, inside Path; the record tag when unset"},
			{Name: "Format", Default: "out_file", Options: []string{"out_file", "plain", "csv", "ltsv", "template", "msgpack"},
				Doc: "out_file writes `tag: [time, {json}]`; plain the JSON record; csv the values; ltsv label:value pairs; template the Template; msgpack the raw events"},
			{Name: "Delimiter", Doc: `field separator of csv (default ,) and ltsv (default tab): \t or tab, space, or comma`},
			{Name: "Label_Delimiter", Doc: `separator of label and value in ltsv (default :): \t or tab, space, or comma`},
			{Name: "Template", Default: "{time} {message}", Doc: "line written per record by Format template: {time} is the time in seconds, {key} a field of the record"},
			{Name: "Csv_Column_Names", Type: plugin.TypeBool, Default: "off", Doc: "start a new csv file with a line of column names: timestamp and the keys of the first record"},
			{Name: "Mkdir", Type: plugin.TypeBool, Default: "off", Doc: "create the directory of the file (mode 0755) when it does not exist"},
		},
		Examples: []string{
			`[OUTPUT]
    Name   file
    Match  app.*
    Path   /var/log/sluice
    Mkdir  on`,
			`[OUTPUT]
    Name      file
    Match     access
    Path      /var/log/sluice
    File      access.log
    Format    template
    Template  {time} {remote} {method} {path} {code}`,
			`[OUTPUT]
    Name              file
    Match             metrics.*
    File              metrics.csv
    Format            csv
    Delimiter         tab
    Csv_Column_Names  on`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
