package plugin

import (
	"errors"
	"fmt"
	"time"
)

// ErrorClass says what the engine should do with a failed flush.
type ErrorClass uint8

// The error classes.
const (
	// ClassRetryable: retry the whole chunk with backoff (any error not
	// otherwise classified).
	ClassRetryable ErrorClass = iota
	// ClassPermanent: retrying cannot help; the records are dropped,
	// counted and logged (or dead-lettered once storage supports it).
	ClassPermanent
	// ClassThrottled: the destination asked us to slow down; retry after
	// at least the given wait.
	ClassThrottled
	// ClassPartial: some records were delivered; retry only the failed ones.
	ClassPartial
)

type classified struct {
	err    error
	class  ErrorClass
	wait   time.Duration
	failed []int
	drops  []Drop
	reason string // of a Permanent error; "" is ReasonPermanent
}

func (c *classified) Error() string { return c.err.Error() }
func (c *classified) Unwrap() error { return c.err }

// Permanent marks err as one that retrying cannot fix, such as a record the
// destination rejects as invalid.
func Permanent(err error) error { return &classified{err: err, class: ClassPermanent} }

// Throttled marks err as the destination asking to slow down; the engine
// waits at least wait (when positive) before the next attempt.
func Throttled(err error, wait time.Duration) error {
	return &classified{err: err, class: ClassThrottled, wait: wait}
}

// Partial reports that the records at the given 0-based indexes of the
// chunk failed and the others were delivered; only the failed ones are
// retried. err describes the failures (e.g. the first error code).
func Partial(err error, failed []int) error {
	return &classified{err: err, class: ClassPartial, failed: failed}
}

// PartialRejected is Partial for a destination that reports a result per
// record (an Elasticsearch bulk response): the records at failed are
// retried, the records at rejected are refused for good and are dropped
// with reason ReasonRejected (counted, logged with err, dead-lettered), and
// the others were delivered. Either list may be empty. It is
// PartialDropped with one Drop.
func PartialRejected(err error, failed, rejected []int) error {
	var drops []Drop
	if len(rejected) > 0 {
		drops = []Drop{{Reason: ReasonRejected, Indexes: rejected, Err: err}}
	}
	return &classified{err: err, class: ClassPartial, failed: failed, drops: drops}
}

// Rejected returns every index a PartialRejected or PartialDropped error
// gives up on, whatever the reason.
func Rejected(err error) []int {
	var all []int
	for _, d := range Drops(err) {
		all = append(all, d.Indexes...)
	}
	return all
}

// Classify returns the class of err, the wait a throttle asked for and the
// failed indexes of a partial failure.
func Classify(err error) (class ErrorClass, wait time.Duration, failed []int) {
	var c *classified
	if errors.As(err, &c) {
		return c.class, c.wait, c.failed
	}
	return ClassRetryable, 0, nil
}

// String names the class for logs and metrics labels.
func (c ErrorClass) String() string {
	switch c {
	case ClassRetryable:
		return "retryable"
	case ClassPermanent:
		return "permanent"
	case ClassThrottled:
		return "throttled"
	case ClassPartial:
		return "partial"
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// denied marks an error as the destination refusing the output's
// credentials (see AccessDenied).
type denied struct{ err error }

func (d *denied) Error() string { return d.err.Error() }
func (d *denied) Unwrap() error { return d.err }

// AccessDenied marks err as the destination refusing the output's
// credentials: an AWS AccessDenied (a policy lacks an action) or invalid
// credentials, an HTTP 401 or 403. The mark keeps err's class (such an
// error is retried: the records wait until access is granted); the engine
// counts it in sluice_output_access_denied_total and shows its message in
// the health report, so the router's own permission problem is plain.
func AccessDenied(err error) error { return &denied{err: err} }

// IsAccessDenied reports whether err, or an error it wraps, was marked by
// AccessDenied.
func IsAccessDenied(err error) bool {
	var d *denied
	return errors.As(err, &d)
}
