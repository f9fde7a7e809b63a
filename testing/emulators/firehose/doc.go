// Package firehose is a strict, in-memory emulator of the Amazon Data
// Firehose API for Sluice's tests: no third-party Firehose emulator exists
// (kinesalite and s3rver cover Kinesis Data Streams and S3 only), and a
// lenient fake would let an output that breaks the service's limits pass.
//
// It speaks the AWS JSON 1.1 protocol the SDKs use (POST / with
// X-Amz-Target Firehose_20150804.<Action>) for CreateDeliveryStream,
// DeleteDeliveryStream, ListDeliveryStreams, PutRecord and PutRecordBatch,
// and enforces what the real service enforces:
//
//   - a SigV4 Authorization header and the application/x-amz-json-1.1
//     content type on every request (MissingAuthenticationTokenException,
//     SerializationException);
//   - delivery stream names of 1-64 characters of [a-zA-Z0-9_.-] that exist
//     (ValidationException, ResourceNotFoundException);
//   - PutRecordBatch: 1 to 500 records (ValidationException), each record
//     at most 1,000 KiB before base64 (ValidationException), at most 4 MiB
//     of data per call (InvalidArgumentException), Data present and valid
//     base64 (SerializationException).
//
// Accepted records are stored per stream, in arrival order, for tests to
// read (Records). Failures can be injected to exercise retries
// (Injection): whole calls answered with ServiceUnavailableException
// (Firehose's throttling error), and individual records of a
// PutRecordBatch answered with a per-record ErrorCode and counted in
// FailedPutCount, the partial failure an output must resend without
// duplicating the rest. A record is failed on its first arrival only, so a
// correct client always makes progress and a test can require every record
// exactly once.
//
// The emulator also runs as a program (cmd/firehose-emulator) for manual
// tests with the AWS CLI; GET /_emulator/records?stream=NAME returns the
// stored records there.
package firehose
