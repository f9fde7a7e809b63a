package plugin

import (
	"errors"
	"log/slog"
)

// The reasons a record is given up on. They are the values of the reason
// label of sluice_{input,filter,output}_dropped_records_total and of the
// dead-letter store's "reason" field, so they never change once released:
// dashboards and alerts select on them. ARCHITECTURE.md ("Drop reasons")
// lists them with who reports each.
const (
	// ReasonPermanent: the output failed with an error retrying cannot fix
	// (plugin.Permanent), e.g. a tag that is not a valid file name.
	ReasonPermanent = "permanent_error"
	// ReasonRetryLimit: Retry_Limit attempts failed.
	ReasonRetryLimit = "retry_limit"
	// ReasonShutdown: not delivered within the grace period at shutdown
	// (memory inputs; filesystem chunks stay on disk).
	ReasonShutdown = "shutdown"
	// ReasonStorageLimit: evicted from the filesystem buffer by the
	// output's storage.total_limit_size (or s3's store_dir_limit_size).
	ReasonStorageLimit = "storage_limit"
	// ReasonRejected: the destination refused the records for good (an
	// HTTP 4xx, an Elasticsearch document error, an event CloudWatch Logs
	// or Splunk rejected).
	ReasonRejected = "rejected"
	// ReasonOversize: larger than the destination (or the input's buffer)
	// accepts, e.g. Kinesis's 1 MiB record or a line beyond Buffer_Max_Size.
	ReasonOversize = "oversize"
	// ReasonMissingKey: the record lacks the key the output sends
	// (log_key) or needs.
	ReasonMissingKey = "missing_key"
	// ReasonEmpty: nothing is left to send (an empty message, nothing after
	// log_key/data_keys), which the destination would refuse.
	ReasonEmpty = "empty"
	// ReasonMalformed: the record does not decode (a corrupt chunk).
	ReasonMalformed = "malformed"
	// ReasonUnsupported: the record is not of the shape the plugin handles
	// (prometheus_exporter given a record that is not a metric).
	ReasonUnsupported = "unsupported"
	// ReasonPluginError: a plugin lost records through a fault of its own
	// (a filter that could not rebuild a record it held).
	ReasonPluginError = "plugin_error"
)

// Reasons lists every drop reason, for documentation and tests.
var Reasons = []string{ReasonPermanent, ReasonRetryLimit, ReasonShutdown, ReasonStorageLimit, ReasonRejected,
	ReasonOversize, ReasonMissingKey, ReasonEmpty, ReasonMalformed, ReasonUnsupported, ReasonPluginError}

// Drop is a group of records of a chunk that an output gives up on for one
// reason (see PartialDropped).
type Drop struct {
	// Reason is one of the Reason constants.
	Reason string
	// Indexes are the records' 0-based indexes in the chunk.
	Indexes []int
	// Err says why, for the log and the dead-letter store; it should name
	// the limit or the key and what to do.
	Err error
}

// PartialDropped reports a flush in which the records at failed are to be
// retried, the records of each Drop are given up on (counted by reason,
// logged, dead-lettered with storage.keep.rejected), and every other
// record was delivered. It is how an output that works on a chunk reports
// what it could not send (a record over a size limit, one without its
// log_key) instead of dropping it silently: the engine counts the drop, the
// plugin cannot forget to. err describes the retryable failures; it may be
// nil when failed is empty.
func PartialDropped(err error, failed []int, drops ...Drop) error {
	if err == nil {
		errs := make([]error, 0, len(drops))
		for _, d := range drops {
			errs = append(errs, d.Err)
		}
		err = errors.Join(errs...)
		if err == nil {
			err = errors.New("records dropped")
		}
	}
	return &classified{err: err, class: ClassPartial, failed: failed, drops: drops}
}

// Drops returns the groups of records a PartialDropped or PartialRejected
// error gives up on.
func Drops(err error) []Drop {
	var c *classified
	if errors.As(err, &c) {
		return c.drops
	}
	return nil
}

// PermanentReason is Permanent with the reason the engine counts the
// chunk's records under, instead of ReasonPermanent.
func PermanentReason(reason string, err error) error {
	return &classified{err: err, class: ClassPermanent, reason: reason}
}

// DropReason returns the reason a Permanent error's records are counted
// under: the one given to PermanentReason, or ReasonPermanent.
func DropReason(err error) string {
	var c *classified
	if errors.As(err, &c) && c.reason != "" {
		return c.reason
	}
	return ReasonPermanent
}

// DropRecorder counts and logs records a plugin gives up on outside a
// Flush result: what an input skips (a line longer than its buffer), what
// a filter loses, what an output with its own buffer gives up on after
// Flush returned (s3's uploader). Outputs that can report the records in
// their Flush result use PartialDropped instead. The engine counts the
// records in the instance's sluice_*_dropped_records_total{reason} and logs
// them at error level, once per cause a minute with the count of repeats,
// so a plugin calls Drop for every drop and never logs it itself. Drop is
// safe for concurrent use.
type DropRecorder interface {
	// Drop records that records records of tag were given up on for
	// reason (a Reason constant); err says why and what to do.
	Drop(tag, reason string, records int, err error)
}

// DropsOrLog returns s.Drops, or, for a plugin built outside the engine (a
// unit test), a recorder that only logs to s.Logger.
func (s Settings) DropsOrLog() DropRecorder {
	if s.Drops != nil {
		return s.Drops
	}
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return logDrops{logger}
}

type logDrops struct{ logger *slog.Logger }

func (l logDrops) Drop(tag, reason string, records int, err error) {
	l.logger.Error("dropping records", "tag", tag, "records", records, "reason", reason, "error", err)
}

// DropRest is the Drop of the records from index from to the end of a
// chunk of records records: what follows a record that does not decode,
// since the bytes after it cannot be framed.
func DropRest(reason string, from, records int, err error) Drop {
	idx := make([]int, 0, max(records-from, 0))
	for i := from; i < records; i++ {
		idx = append(idx, i)
	}
	return Drop{Reason: reason, Indexes: idx, Err: err}
}
