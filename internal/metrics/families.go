package metrics

// Family is one metric family of a registry, in the shape of the Prometheus
// text format: a name, a type ("counter" or "gauge"), a HELP text and one
// sample per series. The monitoring server renders families as text; the
// fluentbit_metrics input emits each sample as a record.
type Family struct {
	Name, Type, Help string
	Samples          []Sample
}

// Sample is one series of a family. Labels alternates label names and
// values, e.g. {"name", "tail.0"}; Value is exact (a whole number).
type Sample struct {
	Labels []string
	Value  uint64
}

// Fluent Bit's HELP texts, copied from where Fluent Bit creates the metrics
// with cmetrics (src/flb_input.c, src/flb_filter.c, src/flb_output.c), so
// a scrape of Sluice reads like a scrape of Fluent Bit.
const (
	helpInBytes        = "Number of input bytes."
	helpInRecords      = "Number of input records."
	helpFilterRecords  = "Total number of new records processed."
	helpFilterAdd      = "Total number of new added records."
	helpFilterDrop     = "Total number of dropped records."
	helpOutRecords     = "Number of processed output records."
	helpOutBytes       = "Number of processed output bytes."
	helpOutErrors      = "Number of output errors."
	helpOutRetries     = "Number of output retries."
	helpOutRetriesFail = "Number of abandoned batches because the maximum number of re-tries was reached."
	helpOutDropped     = "Number of dropped records."
	helpOutRetried     = "Number of retried records."
)

// Families returns every per-instance family of the registry: first
// FluentBitFamilies, then SluiceFamilies.
func (r *Registry) Families() []Family {
	return append(r.FluentBitFamilies(), r.SluiceFamilies()...)
}

// FluentBitFamilies returns the per-instance families Fluent Bit has too
// (fluentbit_input_*, fluentbit_filter_*, fluentbit_output_*), in the
// order cmetrics renders them, each with a sample per instance labelled
// name="<instance>". A family with no instance is left out, as cmetrics
// leaves it out. Process-wide families (uptime, build information) belong
// to whoever knows the host and version: the monitoring server.
func (r *Registry) FluentBitFamilies() []Family {
	var fs []Family
	type in = *Input
	fs = perInstance(fs, r.Inputs(), inputName,
		family[in]{"fluentbit_input_bytes_total", "counter", helpInBytes, func(i in) uint64 { return i.Bytes.Load() }},
		family[in]{"fluentbit_input_records_total", "counter", helpInRecords, func(i in) uint64 { return i.Records.Load() }})
	type fl = *Filter
	fs = perInstance(fs, r.Filters(), filterName,
		family[fl]{"fluentbit_filter_records_total", "counter", helpFilterRecords, func(f fl) uint64 { return f.Records.Load() }},
		family[fl]{"fluentbit_filter_add_records_total", "counter", helpFilterAdd, func(f fl) uint64 { return f.AddRecords.Load() }},
		family[fl]{"fluentbit_filter_drop_records_total", "counter", helpFilterDrop, func(f fl) uint64 { return f.DropRecords.Load() }})
	type out = *Output
	fs = perInstance(fs, r.Outputs(), outputName,
		family[out]{"fluentbit_output_proc_records_total", "counter", helpOutRecords, func(o out) uint64 { return o.ProcRecords.Load() }},
		family[out]{"fluentbit_output_proc_bytes_total", "counter", helpOutBytes, func(o out) uint64 { return o.ProcBytes.Load() }},
		family[out]{"fluentbit_output_errors_total", "counter", helpOutErrors, func(o out) uint64 { return o.Errors.Load() }},
		family[out]{"fluentbit_output_retries_total", "counter", helpOutRetries, func(o out) uint64 { return o.Retries.Load() }},
		family[out]{"fluentbit_output_retries_failed_total", "counter", helpOutRetriesFail, func(o out) uint64 { return o.RetriesFailed.Load() }},
		family[out]{"fluentbit_output_dropped_records_total", "counter", helpOutDropped, func(o out) uint64 { return o.DroppedRecords.Load() }},
		family[out]{"fluentbit_output_retried_records_total", "counter", helpOutRetried, func(o out) uint64 { return o.RetriedRecords.Load() }})
	return fs
}

// SluiceFamilies returns the per-instance families Fluent Bit has no name
// for: sluice_input_*, sluice_filter_errors_total, the
// sluice_{input,filter,output}_dropped_records_total families (by reason),
// sluice_output_access_denied_total, the filesystem buffer's
// sluice_storage_* and sluice_output_rejected_records_total.
func (r *Registry) SluiceFamilies() []Family {
	var fs []Family
	ins, outs := r.Inputs(), r.Outputs()
	type in = *Input
	fs = perInstance(fs, ins, inputName,
		// BufferedBytes is signed only so that a racing decrement cannot
		// wrap around; it settles at zero or above.
		family[in]{"sluice_input_buffered_bytes", "gauge",
			"Bytes of the input's records not yet delivered to every output they were routed to (what Mem_Buf_Limit bounds).",
			func(i in) uint64 { return uint64(max(i.BufferedBytes.Load(), 0)) }},
		family[in]{"sluice_input_mem_buf_limit_bytes", "gauge",
			"The input's Mem_Buf_Limit in bytes; 0 means no limit.",
			func(i in) uint64 { return uint64(max(i.MemBufLimit, 0)) }},
		family[in]{"sluice_input_paused_total", "counter",
			"Times the input was paused because its buffered bytes reached Mem_Buf_Limit.",
			func(i in) uint64 { return i.Paused.Load() }},
		family[in]{"sluice_input_unrouted_records_total", "counter",
			"Records discarded because no output matched their tag.",
			func(i in) uint64 { return i.Unrouted.Load() }})
	fs = byReason(fs, "sluice_input_dropped_records_total",
		"Records the input gave up on before emitting them, by reason (oversize, malformed, ...).",
		ins, func(i in) (string, *Drops) { return i.Name, &i.Dropped })
	filters := r.Filters()
	fs = perInstance(fs, filters, filterName,
		family[*Filter]{"sluice_filter_errors_total", "counter",
			"Batches the filter failed on; they were passed on unchanged.",
			func(f *Filter) uint64 { return f.Errors.Load() }})
	fs = byReason(fs, "sluice_filter_dropped_records_total",
		"Records the filter lost through a fault, by reason (not those it removes by design: fluentbit_filter_drop_records_total).",
		filters, func(f *Filter) (string, *Drops) { return f.Name, &f.Dropped })

	// With outputs, the family is declared even before any drop, so
	// dashboards and alerts can rely on its name; it has a sample per output
	// and reason once that output dropped for that reason.
	if len(outs) > 0 {
		f := Family{Name: "sluice_output_dropped_records_total", Type: "counter",
			Help: "Records the output gave up on, by reason (retry_limit, permanent_error, rejected, oversize, shutdown, ...)."}
		for _, o := range outs {
			byReason := o.DroppedByReason()
			for _, reason := range SortedReasons(byReason) {
				f.Samples = append(f.Samples, Sample{Labels: []string{"name", o.Name, "reason", reason}, Value: byReason[reason]})
			}
		}
		fs = append(fs, f)
	}
	fs = perInstance(fs, outs, outputName, family[*Output]{"sluice_output_access_denied_total", "counter",
		"Flush attempts that failed with an AccessDenied: the output's credentials lack a permission (the log names it); the records are retried.",
		func(o *Output) uint64 { return o.AccessDenied.Load() }})
	fs = r.storageFamilies(fs)

	// One sample per output, 0 until it dead-letters a record, so the
	// series exists for dashboards and alerts from the start.
	if len(outs) > 0 {
		rejected := r.Rejected()
		f := Family{Name: "sluice_output_rejected_records_total", Type: "counter",
			Help: "Records the output gave up on that were written to the dead-letter store (storage.keep.rejected)."}
		for _, o := range outs {
			f.Samples = append(f.Samples, Sample{Labels: []string{"name", o.Name}, Value: rejected[o.Name]})
		}
		fs = append(fs, f)
	}
	return fs
}

// storageFamilies appends the sluice_storage_* families of the filesystem
// buffer (registered per input when [SERVICE] storage.metrics is on).
func (r *Registry) storageFamilies(fs []Family) []Family {
	type st = *Storage
	gauge := func(name, help string, v func(st) int64) family[st] {
		return family[st]{name, "gauge", help, func(s st) uint64 { return uint64(max(v(s), 0)) }}
	}
	counter := func(name, help string, v func(st) uint64) family[st] {
		return family[st]{name, "counter", help, v}
	}
	return perInstance(fs, r.Storage(), func(s st) string { return s.Name },
		gauge("sluice_storage_chunks", "Chunks in the input's filesystem buffer not yet delivered to every output they were routed to.",
			func(s st) int64 { return s.Chunks.Load() }),
		gauge("sluice_storage_chunks_up", "Of those chunks, the ones also held in memory (bounded by storage.max_chunks_up).",
			func(s st) int64 { return s.ChunksUp.Load() }),
		gauge("sluice_storage_chunks_down", "Of those chunks, the ones only on disk, waiting for room in memory.",
			func(s st) int64 { return s.Chunks.Load() - s.ChunksUp.Load() }),
		gauge("sluice_storage_buffered_bytes", "Bytes of records in the input's filesystem buffer not yet delivered everywhere.",
			func(s st) int64 { return s.Bytes.Load() }),
		gauge("sluice_storage_segments", "Segment files of the input's filesystem buffer.",
			func(s st) int64 { return s.Segments.Load() }),
		gauge("sluice_storage_disk_bytes", "Size of the input's segment files.",
			func(s st) int64 { return s.DiskBytes.Load() }),
		counter("sluice_storage_stored_records_total", "Records written to the filesystem buffer, i.e. acknowledged to the input.",
			func(s st) uint64 { return s.StoredRecords.Load() }),
		counter("sluice_storage_written_bytes_total", "Bytes written to segment files, frame headers included.",
			func(s st) uint64 { return s.WrittenBytes.Load() }),
		counter("sluice_storage_fsyncs_total", "fsyncs of segment files.",
			func(s st) uint64 { return s.Syncs.Load() }),
		counter("sluice_storage_write_errors_total", "Failed writes or fsyncs of segment files (a full or failing disk); the input pauses and retries.",
			func(s st) uint64 { return s.WriteErrors.Load() }),
		counter("sluice_storage_corrupted_frames_total", "Frames skipped when reading the buffer back (bad CRC-32C, undecodable, truncated).",
			func(s st) uint64 { return s.CorruptFrames.Load() }),
		counter("sluice_storage_corrupted_chunks_total", "Chunks skipped whole because they could not be read back.",
			func(s st) uint64 { return s.CorruptChunks.Load() }),
		counter("sluice_storage_replayed_chunks_total", "Chunks a previous run left on disk, replayed at start.",
			func(s st) uint64 { return s.ReplayedChunks.Load() }),
		counter("sluice_storage_evicted_records_total", "Records dropped from the buffer because an output reached its storage.total_limit_size.",
			func(s st) uint64 { return s.EvictedRecords.Load() }))
}

// byReason appends a family with a sample per instance and drop reason,
// declared (with no sample) as soon as there is an instance, so dashboards
// and alerts can rely on its name.
func byReason[T any](fs []Family, name, help string, items []T, drops func(T) (string, *Drops)) []Family {
	if len(items) == 0 {
		return fs
	}
	f := Family{Name: name, Type: "counter", Help: help}
	for _, it := range items {
		inst, d := drops(it)
		counts := d.ByReason()
		for _, reason := range SortedReasons(counts) {
			f.Samples = append(f.Samples, Sample{Labels: []string{"name", inst, "reason", reason}, Value: counts[reason]})
		}
	}
	return append(fs, f)
}

// family is one per-instance metric family: a sample per instance.
type family[T any] struct {
	name, typ, help string
	value           func(T) uint64
}

// perInstance appends each family with a sample per item, labelled
// name="<instance>"; with no items it appends nothing.
func perInstance[T any](fs []Family, items []T, nameOf func(T) string, families ...family[T]) []Family {
	if len(items) == 0 {
		return fs
	}
	for _, f := range families {
		out := Family{Name: f.name, Type: f.typ, Help: f.help, Samples: make([]Sample, 0, len(items))}
		for _, it := range items {
			out.Samples = append(out.Samples, Sample{Labels: []string{"name", nameOf(it)}, Value: f.value(it)})
		}
		fs = append(fs, out)
	}
	return fs
}

func inputName(i *Input) string   { return i.Name }
func filterName(f *Filter) string { return f.Name }
func outputName(o *Output) string { return o.Name }
