// Package aws implements the aws filter: it adds the EC2 instance's
// metadata, read from the instance metadata service (IMDS), to every
// record.
//
// # Fluent Bit parity
//
// Parameters, defaults, keys and key order are Fluent Bit's
// (plugins/filter_aws/aws.c): imds_version (v2: a session token from
// PUT /latest/api/token, renewed after a 401), az and ec2_instance_id (on by
// default), ec2_instance_type, private_ip, vpc_id, ami_id, account_id and
// hostname (off by default), tags_enabled with tags_include or
// tags_exclude (each tag becomes a key of its own), and retry_interval_s.
//
// Differences, on purpose:
//
//   - Fluent Bit fetches at start-up and, while anything fails, again at
//     every flush, passing records unchanged until every field is known.
//     Sluice fetches in one background goroutine started by the first
//     batch (which waits for the first round at most 3 s), retries what is
//     missing with a pause doubling from 1 s up to retry_interval_s, and
//     adds each key as soon as it is known.
//   - The endpoint can be moved with AWS_EC2_METADATA_SERVICE_ENDPOINT, as
//     for the AWS SDKs (Fluent Bit has no such setting).
package aws
