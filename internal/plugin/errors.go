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
	err      error
	class    ErrorClass
	wait     time.Duration
	failed   []int
	rejected []int
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
// like a permanent error (counted, logged with err, dead-lettered), and the
// others were delivered. Either list may be empty.
func PartialRejected(err error, failed, rejected []int) error {
	return &classified{err: err, class: ClassPartial, failed: failed, rejected: rejected}
}

// Rejected returns the indexes a PartialRejected error gives up on.
func Rejected(err error) []int {
	var c *classified
	if errors.As(err, &c) {
		return c.rejected
	}
	return nil
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
