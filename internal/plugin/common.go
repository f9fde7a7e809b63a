package plugin

// The common parameters every plugin of a kind accepts; the engine reads
// them, plugins do not. Names and defaults follow Fluent Bit, except
// Retry_Limit, whose default is to retry forever (Fluent Bit's is 1, which
// loses data on the first long outage).
var (
	nameParam   = Param{Name: "Name", Required: true, Doc: "the plugin this section configures"}
	commonInput = []Param{
		nameParam,
		{Name: "Tag", Doc: "tag of the records this input produces; defaults to the instance name"},
		{Name: "Alias", Doc: "instance name used in metrics and logs instead of <plugin>.<n>"},
		{Name: "Log_Level", Doc: "log level of this instance", Options: logLevels},
		{Name: "Mem_Buf_Limit", Type: TypeSize, Doc: "pause the input while its buffered records exceed this size (0: no limit)"},
		{Name: "storage.type", Default: "memory", Options: []string{"memory", "filesystem", "memrb"}, Doc: "where the input's chunks are buffered"},
		{Name: "storage.pause_on_chunks_overlimit", Type: TypeBool, Default: "off", Doc: "pause the input when storage.max_chunks_up is reached"},
		{Name: "Threaded", Type: TypeBool, Default: "off", Doc: "accepted for compatibility; every Sluice input runs in its own goroutine"},
	}
	commonFilter = []Param{
		nameParam,
		{Name: "Match", Doc: "tag pattern (with * wildcards) of the records this filter processes"},
		{Name: "Match_Regex", Doc: "regular expression on the tag, instead of Match"},
		{Name: "Alias", Doc: "instance name used in metrics and logs instead of <plugin>.<n>"},
		{Name: "Log_Level", Doc: "log level of this instance", Options: logLevels},
	}
	commonOutput = []Param{
		nameParam,
		{Name: "Match", Doc: "tag pattern (with * wildcards) of the records this output receives"},
		{Name: "Match_Regex", Doc: "regular expression on the tag, instead of Match"},
		{Name: "Alias", Doc: "instance name used in metrics and logs instead of <plugin>.<n>"},
		{Name: "Log_Level", Doc: "log level of this instance", Options: logLevels},
		{Name: "Retry_Limit", Default: "no_limits", Doc: "retries per chunk before it is dropped: a number, no_retries, or no_limits/False for unlimited",
			Check: func(raw string) error { _, err := ParseRetryLimit(raw); return err }},
		{Name: "Workers", Type: TypeInt, Default: "1", Min: 1, Max: 256, Doc: "number of goroutines flushing this output in parallel"},
		{Name: "storage.total_limit_size", Type: TypeSize, Doc: "cap on this output's buffered chunks; the oldest are dropped beyond it"},
		{Name: "team", Doc: "label of the team whose destination this is; `sluice iam readers` emits one read-only policy per team"},
	}
	logLevels = []string{"off", "error", "warn", "warning", "info", "debug", "trace"}

	// emitterParams are accepted by filters whose Spec sets Emits; the
	// engine reads them to build the filter's emitter (Fluent Bit's
	// rewrite_tag names and defaults).
	emitterParams = []Param{
		{Name: "Emitter_Name", Doc: "instance name of the input that carries the records this filter emits; default emitter_for_<filter instance>"},
		{Name: "Emitter_Mem_Buf_Limit", Type: TypeSize, Default: "10M", Doc: "Mem_Buf_Limit of that emitter: the filter's input pauses while the emitter holds this much"},
		{Name: "Emitter_Storage.type", Default: "memory", Options: []string{"memory", "filesystem"}, Doc: "storage.type of the emitter"},
	}
)

// EmitterParams returns the engine-level parameters of a filter whose Spec
// sets Emits, which Decode adds to its declaration.
func EmitterParams() []Param { return emitterParams }

// CommonParams returns the engine-level parameters accepted by every plugin
// of kind k.
func CommonParams(k Kind) []Param {
	switch k {
	case KindInput:
		return commonInput
	case KindFilter:
		return commonFilter
	case KindOutput:
		return commonOutput
	}
	return nil
}
