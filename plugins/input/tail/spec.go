package tail

import (
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the tail input. Names and defaults are Fluent Bit's
// (plugins/in_tail/tail.c config_map); doc.go lists where Sluice differs.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:        plugin.KindInput,
		Name:        "tail",
		Summary:     "follow text files as they grow, across rotation, truncation and restarts",
		DynamicTags: true, // a Tag with '*' becomes one tag per file
		Params: []plugin.Param{
			{Name: "Path", Type: plugin.TypeCommaList, Required: true, Multiple: true,
				Doc: "files to follow: glob patterns (*, ?, [...]) separated by commas; the key may be repeated"},
			{Name: "Exclude_Path", Type: plugin.TypeCommaList,
				Doc: "glob patterns of files not to follow, separated by commas, matched against the full path and the file name, e.g. *.gz,*.zip"},
			{Name: "Path_Key", Doc: "when set, add the file's path to each record under this key"},
			{Name: "Offset_Key", Doc: "when set, add the byte offset of each line's start to its record under this key"},
			{Name: "Key", Default: "log", Doc: "key of the line's text in each record"},
			{Name: "Tag_Regex", Doc: "regex with named groups matched against the file's path; Tag's <name> placeholders take the groups' values, e.g. Tag kube.<namespace_name>.<pod_name>"},
			{Name: "Exit_On_Eof", Type: plugin.TypeBool, Default: "false",
				Doc: "stop Sluice once every file found at start-up was read to its end: what was read is delivered, then the process exits"},
			{Name: "Refresh_Interval", Type: plugin.TypeDuration, Default: "60",
				Doc: "how often Path is expanded again to find new files (file events find them sooner where inotify works)"},
			{Name: "Read_from_Head", Type: plugin.TypeBool, Default: "false",
				Doc: "read files found at start-up with no offset in the DB from their beginning instead of their end; files that appear later are always read from the beginning"},
			{Name: "Rotate_Wait", Type: plugin.TypeDuration, Default: "5",
				Doc: "how long a rotated or deleted file is still read after it left its path, for lines written late"},
			{Name: "Ignore_Older", Type: plugin.TypeDuration,
				Doc: "skip files not modified for this long (e.g. 1h, 7d); unset reads every file"},
			{Name: "Skip_Long_Lines", Type: plugin.TypeBool, Default: "off",
				Doc: "skip lines longer than Buffer_Max_Size and go on; off stops following the file, as Fluent Bit does"},
			{Name: "Skip_Empty_Lines", Type: plugin.TypeBool, Default: "off", Doc: "drop empty lines instead of emitting empty records"},
			{Name: "Buffer_Chunk_Size", Type: plugin.TypeSize, Default: "32k", Min: 1 << 10, Max: 1 << 30,
				Doc: "largest read per file, if above 256k (Fluent Bit: the first one); Sluice reads from 32k up as a file's rate needs"},
			{Name: "Buffer_Max_Size", Type: plugin.TypeSize, Default: "32k", Min: 1 << 10, Max: 1 << 30,
				Doc: "longest line read; see Skip_Long_Lines for what happens to a longer one"},
			{Name: "DB", Doc: "file keeping each followed file's offset, so a restart resumes where delivery stopped; unique per input"},
			{Name: "DB.sync", Default: "normal", Options: []string{"extra", "full", "normal", "off"},
				Doc: "when the DB is fsynced: full and extra after every offset update, normal once a second and on compaction, off never (a crash of Sluice loses nothing in any mode; power loss may, below full)"},
			{Name: "DB.locking", Type: plugin.TypeBool, Default: "false",
				Doc: "hold an exclusive lock on the DB so that a second Sluice using it fails at start-up"},
			{Name: "DB.journal_mode", Default: "WAL", Doc: "accepted for Fluent Bit configurations; the DB is an append-only log, so there is no journal to choose"},
			{Name: "Docker_Mode", Type: plugin.TypeBool, Default: "off",
				Doc: "decode Docker json-file lines and join the lines Docker split at 16 KiB (same as multiline.parser docker)"},
			{Name: "Docker_Mode_Flush", Type: plugin.TypeDuration, Default: "4",
				Doc: "how long Docker_Mode waits for the rest of a split line before emitting what it has"},
			{Name: "multiline.parser", Type: plugin.TypeCommaList,
				Doc: "multiline parsers applied in order: docker and cri decode container log lines and join their partial lines; go, java, python and [MULTILINE_PARSER] names join stack traces"},
			{Name: "Parser", Doc: "name of a [PARSER] that turns each line's text (after multiline joining) into the record; lines it does not match are kept as {Key: line}"},
			{Name: "Inotify_Watcher", Type: plugin.TypeBool, Default: "true",
				Doc: "use file events (inotify) to notice writes and new files at once; off relies on polling alone"},
		},
		Examples: []string{
			`[INPUT]
    Name              tail
    Path              /var/log/containers/*.log
    Exclude_Path      *_kube-system_*.log
    Tag               kube.*
    multiline.parser  cri
    DB                /var/fluent-bit/state/flb_container.db
    Mem_Buf_Limit     50MB
    Skip_Long_Lines   On
    Refresh_Interval  10`,
			`[INPUT]
    Name            tail
    Path            /var/log/app/*.log, /var/log/app/*.txt
    Tag             app
    Path_Key        file
    Read_from_Head  on
    Rotate_Wait     30`,
		},
		NewInput: func(s plugin.Settings) (plugin.Input, error) { return New(s) },
	}
}
