package awsconf

import (
	"strings"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Params returns the parameters shared by every AWS output, with Fluent
// Bit's names and defaults. An output's Spec appends them to its own.
// region is not Required here: an output may fall back to AWS_REGION.
func Params() []plugin.Param {
	return []plugin.Param{
		{Name: "region", Doc: "AWS region of the service (e.g. us-east-1); AWS_REGION or the profile's region when unset"},
		{Name: "endpoint", Doc: "custom endpoint of the service, e.g. a VPC endpoint or an emulator (https:// is added when no scheme is given)"},
		{Name: "sts_endpoint", Doc: "custom endpoint of STS, used to assume role_arn"},
		{Name: "role_arn", Doc: "ARN of an IAM role to assume with the default credentials"},
		{Name: "external_id", Doc: "external ID given to STS when assuming role_arn"},
		{Name: "profile", Doc: "profile of the shared config and credentials files; AWS_PROFILE or default when unset"},
		{Name: "extra_user_agent", Doc: "text appended to the User-Agent of every request"},
		{Name: "auto_retry_requests", Type: plugin.TypeBool, Default: "true", Doc: "retry a failed request once at once, before the engine's backoff retries"},
	}
}

// Settings is the AWS part of an output's configuration.
type Settings struct {
	// Section names the config section ("cloudwatch_logs.0" or its
	// Alias), for error messages.
	Section string
	// Region is the region parameter; "" leaves it to AWS_REGION or the
	// profile.
	Region string
	// Endpoint is the service's base endpoint ("" for AWS's), with a
	// scheme.
	Endpoint string
	// STSEndpoint is the base endpoint of STS for role_arn.
	STSEndpoint string
	// RoleARN, when set, is assumed with the default credentials.
	RoleARN string
	// ExternalID is passed to AssumeRole.
	ExternalID string
	// Profile selects a profile of the shared config files.
	Profile string
	// ExtraUserAgent is appended to the User-Agent.
	ExtraUserAgent string
	// AutoRetry allows the SDK one quick retry (auto_retry_requests).
	AutoRetry bool
	// RoleSessionName names the AssumeRole session.
	RoleSessionName string
}

// FromConfig reads the parameters of Params from c. section names the
// instance in errors.
func FromConfig(c *plugin.Config, section string) Settings {
	return Settings{
		Section:         section,
		Region:          c.String("region"),
		Endpoint:        normalizeEndpoint(c.String("endpoint")),
		STSEndpoint:     normalizeEndpoint(c.String("sts_endpoint")),
		RoleARN:         c.String("role_arn"),
		ExternalID:      c.String("external_id"),
		Profile:         c.String("profile"),
		ExtraUserAgent:  c.String("extra_user_agent"),
		AutoRetry:       c.Bool("auto_retry_requests"),
		RoleSessionName: "sluice",
	}
}

// normalizeEndpoint adds https:// to an endpoint written as a bare host,
// as Fluent Bit accepts both forms.
func normalizeEndpoint(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "://") {
		return s
	}
	return "https://" + s
}
