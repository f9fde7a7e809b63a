// Package cloudwatchlogs is a strict, in-memory emulator of the Amazon
// CloudWatch Logs API, for Sluice's tests, examples and benchmarks.
//
// It is Sluice's own: no third-party CloudWatch Logs emulator enforces the
// PutLogEvents rules an output must obey (LocalStack and moto accept
// batches the real service rejects), so bugs in batching would only show
// in production. This one rejects what AWS rejects, with AWS's error codes
// and messages (as quoted in AWS SDK and client bug reports), and can
// inject the failures an output must survive.
//
// # Protocol
//
// AWS JSON 1.1 over HTTP: POST / with X-Amz-Target: Logs_20140328.<Op> and
// Content-Type application/x-amz-json-1.1; errors are HTTP 400 (503 for
// ServiceUnavailableException) with {"__type": code, "message": text} and
// the X-Amzn-ErrorType header. Operations: CreateLogGroup,
// CreateLogStream, DescribeLogGroups, DescribeLogStreams, PutLogEvents,
// PutRetentionPolicy, GetLogEvents and FilterLogEvents.
//
// # Rules enforced
//
//   - Every request is SigV4-signed: an Authorization header of the form
//     "AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/logs/aws4_request,
//     SignedHeaders=<...host...x-amz-date...>, Signature=<64 hex>" and an
//     X-Amz-Date header (IncompleteSignatureException otherwise). With
//     Options.AccessKeyID, another key is UnrecognizedClientException; with
//     Options.SecretAccessKey too, the signature is recomputed over the
//     signed headers and the payload and a mismatch is
//     InvalidSignatureException (403), as when a client changes a signed
//     header after signing.
//   - Names: log group 1-512 characters of [.-_/#A-Za-z0-9]; log stream
//     1-512 characters without ':' or '*'; logGroupClass STANDARD,
//     INFREQUENT_ACCESS or DELIVERY; retentionInDays one of AWS's values.
//   - CreateLogGroup/CreateLogStream of an existing name:
//     ResourceAlreadyExistsException; any call on a missing group or
//     stream: ResourceNotFoundException ("The specified log group does not
//     exist." / "The specified log stream does not exist.").
//   - PutLogEvents, checked in this order, the whole call failing with
//     InvalidParameterException on the first broken rule: 1 to 10,000
//     events; no empty message; each event at most 262,144 bytes (message
//     bytes in UTF-8 + 26); the call at most 1,048,576 bytes (the sum of
//     message bytes + 26 per event); timestamps in chronological order; the
//     batch spanning at most 24 hours.
//   - Events more than 2 hours in the future, more than 14 days old, or
//     older than the group's retention are not stored and are reported in
//     rejectedLogEventsInfo (tooNewLogEventStartIndex inclusive,
//     tooOldLogEventEndIndex and expiredLogEventEndIndex exclusive).
//   - Sequence tokens: every PutLogEvents answers a nextSequenceToken.
//     Like AWS since 2023 they are ignored, unless
//     Options.RequireSequenceToken is set: then a call without the expected
//     token fails with InvalidSequenceTokenException carrying
//     expectedSequenceToken (the legacy protocol).
//
// # Fault injection
//
// Faults (SetFaults, or PUT /_emulator/faults with the same fields in
// JSON) make calls fail: a fraction throttled (ThrottlingException "Rate
// exceeded"), a fraction answered 503 ServiceUnavailableException, all of
// them 503 (an outage), connections closed without an answer, added
// latency, and AccessDeniedException for chosen log groups, worded as IAM
// words it. Running.Down and Running.Up stop and resume listening, for an
// outage where connections are refused. GET /_emulator/stats returns call
// counts and the accepted batches, GET
// /_emulator/events?group=G&stream=S the stored events, POST
// /_emulator/reset clears everything.
//
// Run it standalone with
//
//	go run ./testing/emulators/cloudwatchlogs/cmd/cwlemu -addr 127.0.0.1:4588
package cloudwatchlogs
