// Package cloudwatchlogs implements the cloudwatch_logs output: it sends
// records to Amazon CloudWatch Logs with PutLogEvents.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of Fluent Bit's cloudwatch_logs
// (plugins/out_cloudwatch_logs): log_group_name, log_group_template,
// log_stream_name or log_stream_prefix (prefix + tag), log_stream_template,
// log_key, log_format, metric_namespace, metric_dimensions,
// auto_create_group, log_group_class, log_retention_days, and the common
// AWS parameters of package awsconf (region, endpoint, sts_endpoint,
// role_arn, external_id, profile, extra_user_agent, auto_retry_requests).
// Workers is the engine's common output parameter.
//
//   - Each record becomes one event: its body as JSON, or with log_key the
//     value of that key (a string as it is, other values as JSON). The
//     event time is the record time in milliseconds.
//   - Templates use the record accessor syntax of package accessor
//     ($kubernetes['namespace_name'], $TAG, $TAG[n]); when a variable has
//     no value the record goes to log_group_name, or log_stream_name /
//     log_stream_prefix+tag, and an error is logged with the count, as
//     Fluent Bit does.
//   - Log streams are created when PutLogEvents answers
//     ResourceNotFoundException; log groups too when auto_create_group is
//     on (with log_group_class), and log_retention_days is set once, right
//     after this output created the group. A missing group without
//     auto_create_group is a retryable error saying what to do.
//   - new_log_group_tags (key=value,...) tags the groups this output
//     creates, as the parameter of AWS's Go "cloudwatch" plugin did; Fluent
//     Bit's C plugin lacks it. add_entity (Application Signals entities) is
//     declared so a config using it gets a clear error: it is not
//     implemented yet.
//   - log_format json/emf sends the x-amzn-logs-format: json/emf header,
//     so CloudWatch extracts the metrics of Embedded Metric Format
//     records. With metric_namespace, records without an "_aws" member get
//     one declaring their numeric fields as metrics (metric_dimensions:
//     "a,b;c" is the dimension sets [a b] and [c]). Fluent Bit does that
//     only for the records of its cpu and mem inputs; Sluice does it for
//     every record of the output, so set metric_namespace only on an
//     output that carries metrics (each metric costs money in CloudWatch).
//
// # Batching
//
// The records of a chunk are grouped by log stream; each stream's events
// are sorted by timestamp (stably) and cut into the fewest calls that obey
// every PutLogEvents limit: at most 10,000 events, at most 1,048,576 bytes
// counting 26 bytes per event on top of its UTF-8 message, and a span
// below 24 hours (splitBatches). Calls to one stream are made in order and
// never concurrently (a per-stream lock across Workers); up to 8 streams
// of a chunk are sent in parallel.
//
// What a single event cannot be, it is made: a message over 262,118 bytes
// (256 KiB less the 26-byte overhead) is truncated to that size at a UTF-8
// boundary and a warning counts it per chunk, as Fluent Bit truncates (it
// cuts the JSON-escaped text, Sluice the message itself). Empty messages,
// which CloudWatch Logs rejects, are skipped with a counted warning (Fluent
// Bit skips them silently); so are records without the log_key. Invalid
// UTF-8 is replaced with U+FFFD before sizes are counted.
//
// # Errors and retries
//
// The output never sleeps or retries on its own; it classifies errors with
// awsconf.Classify and the engine retries with backoff. ThrottlingException,
// ServiceUnavailableException, 5xx and network errors are retried
// (throttling as plugin.Throttled); AccessDeniedException is retried too,
// with a message naming the IAM action, the resource ARN and the section,
// so records stay buffered until access is granted; validation errors are
// permanent. When a chunk needs several calls and some of them failed,
// Flush returns plugin.Partial with the indexes of the records not
// delivered, so the retry sends only those: a stream stops at its first
// failed call, keeping its order.
//
// rejectedLogEventsInfo (events over 14 days old, older than the group's
// retention, or over 2 hours ahead) is logged with counts; those events
// are not retried, since CloudWatch would reject them again. The legacy
// sequence-token protocol is followed when a server still uses it: the
// last nextSequenceToken is sent, InvalidSequenceTokenException resyncs to
// the expected token, DataAlreadyAcceptedException counts as delivered.
package cloudwatchlogs
