package systemd

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the systemd input. Names and defaults are Fluent Bit's
// (plugins/in_systemd, docs pipeline/inputs/systemd); doc.go lists where
// Sluice differs.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:        plugin.KindInput,
		Name:        "systemd",
		Summary:     "read and follow the systemd journal's files (pure Go, no libsystemd)",
		DynamicTags: true, // a Tag with '*' takes each entry's _SYSTEMD_UNIT
		Params: []plugin.Param{
			{Name: "Path", Doc: "journal directory (its machine-ID subdirectories are read too); unset reads /run/log/journal and /var/log/journal, as sd_journal_open does"},
			{Name: "Max_Fields", Type: plugin.TypeInt, Default: "8000", Min: 1, Max: 1<<31 - 1,
				Doc: "most fields kept per record; the rest of an entry's fields are dropped"},
			{Name: "Max_Entries", Type: plugin.TypeInt, Default: "5000", Min: 1, Max: 1<<31 - 1,
				Doc: "most entries read per round; a backlog is read in rounds of this size"},
			{Name: "Systemd_Filter", Multiple: true,
				Doc: "FIELD=VALUE an entry must have, e.g. _SYSTEMD_UNIT=kubelet.service; the key may be repeated (see Systemd_Filter_Type)"},
			{Name: "Systemd_Filter_Type", Default: "Or", Options: []string{"And", "Or"},
				Doc: "Or: an entry matching any Systemd_Filter is read; And: an entry must match every field named, any of the values given for the same field"},
			{Name: "Read_From_Tail", Type: plugin.TypeBool, Default: "false",
				Doc: "with no cursor in the DB, start after the entries already in the journal instead of at its oldest"},
			{Name: "Lowercase", Type: plugin.TypeBool, Default: "false", Doc: "lowercase the field names (record keys)"},
			{Name: "Strip_Underscores", Type: plugin.TypeBool, Default: "false",
				Doc: "remove one leading underscore from field names: _PID becomes PID"},
			{Name: "DB", Doc: "file keeping the journal cursor of the last delivered entry, so a restart resumes after it; unique per input"},
			{Name: "DB.Sync", Default: "full", Options: []string{"extra", "full", "normal", "off"},
				Doc: "when the DB is fsynced: full and extra at every update, normal at most once a second, off never (the file is replaced atomically either way, so a crash of Sluice loses nothing; power loss may, below full)"},
		},
		Examples: []string{
			`[INPUT]
    Name                systemd
    Tag                 dataplane.systemd.*
    Systemd_Filter      _SYSTEMD_UNIT=containerd.service
    Systemd_Filter      _SYSTEMD_UNIT=kubelet.service
    DB                  /var/fluent-bit/state/systemd.db
    Path                /var/log/journal
    Read_From_Tail      On`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
