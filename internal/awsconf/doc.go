// Package awsconf is the one place where an AWS output (cloudwatch_logs,
// and next firehose, kinesis and s3) gets its aws.Config and classifies the
// errors of its calls.
//
// # Parameters
//
// Params declares the parameters every AWS output of Fluent Bit accepts
// (region, endpoint, sts_endpoint, role_arn, external_id, profile,
// extra_user_agent, auto_retry_requests), so each output's Spec appends
// them instead of declaring them again. FromConfig reads them back into a
// Settings.
//
// # Credentials
//
// Credentials come from the AWS SDK for Go v2's default chain, in its
// order: the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), web identity (EKS IRSA: AWS_ROLE_ARN and
// AWS_WEB_IDENTITY_TOKEN_FILE), the shared config and credentials files
// (with profile, or AWS_PROFILE), container credentials (the ECS task role
// through AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, EKS Pod Identity through
// AWS_CONTAINER_CREDENTIALS_FULL_URI and its token file), and the EC2
// instance metadata service. With role_arn those credentials assume the
// role through STS (external_id, and sts_endpoint for the STS calls);
// the assumed credentials are cached and refreshed before they expire.
//
// # Retries
//
// The engine retries failed chunks with capped exponential backoff and
// full jitter, so the SDK must not stack its own retries on top (the
// SDK's standard retryer makes 3 attempts with up to 20 s of backoff and
// a client-side retry quota that can refuse retries for minutes after an
// outage). Load therefore configures:
//
//   - auto_retry_requests off: one attempt per call; every failure goes
//     back to the engine.
//   - auto_retry_requests on (Fluent Bit's default): at most two attempts,
//     the second after at most 200 ms, for the errors the SDK deems
//     transient (connection resets, 5xx, throttling), with no retry quota.
//     This is Fluent Bit's "immediately retry a failed request once".
//
// # AWS_CA_BUNDLE
//
// The SDK reads AWS_CA_BUNDLE (and ca_bundle in the shared config) and
// can only install it into its own buildable HTTP client; given any other
// client it fails (some releases panic). Load always passes a
// BuildableClient, so the bundle is honoured, and a bundle that cannot be
// read becomes an operator-facing error naming the variable instead of a
// crash. Load also recovers from a panic inside the SDK's loader and
// reports it as an error.
//
// # Errors
//
// Classify maps an error of an SDK call to the engine's error classes:
// throttling, service-unavailable, 5xx and network errors are retryable
// (throttling with plugin.Throttled), validation errors are permanent, and
// access-denied errors stay retryable (the operator can fix the policy
// while records wait in the buffer) with a message that names the action,
// the resource ARN and the config section.
package awsconf
