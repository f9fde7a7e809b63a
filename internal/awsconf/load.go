package awsconf

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// requestTimeout bounds one HTTP request to an AWS service, so a hung
// connection becomes a retryable error instead of a stuck worker.
const requestTimeout = 30 * time.Second

// Load builds the aws.Config of an output: region, credentials (the default
// chain, then role_arn), the HTTP client, retries (see the package doc),
// User-Agent, and Endpoint as the BaseEndpoint of the service clients made
// from it. It reads the environment and shared config files but makes no
// network call; credentials are fetched on the first request. Errors name
// s.Section and say what to fix.
func Load(ctx context.Context, s Settings) (cfg aws.Config, err error) {
	defer func() {
		// Some SDK releases panic on configurations they cannot apply
		// (AWS_CA_BUNDLE with a foreign HTTP client); never crash on one.
		if r := recover(); r != nil {
			err = fmt.Errorf("output %s: loading the AWS configuration failed (%v); check AWS_* environment variables and the shared config files", s.Section, r)
		}
	}()
	opts := []func(*config.LoadOptions) error{
		// A BuildableClient is what the SDK can add AWS_CA_BUNDLE to.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(requestTimeout)),
		config.WithRetryer(func() aws.Retryer { return newRetryer(s.AutoRetry) }),
	}
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if s.ExtraUserAgent != "" {
		opts = append(opts, config.WithAPIOptions([]func(*middleware.Stack) error{
			awsmiddleware.AddUserAgentKey(s.ExtraUserAgent),
		}))
	}
	cfg, err = config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, explainLoadError(s, err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("output %s: no AWS region: set region in the section, or AWS_REGION in the environment", s.Section)
	}
	if s.RoleARN != "" {
		stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) {
			// Endpoint is the output's service, never STS.
			o.BaseEndpoint = nil
			if s.STSEndpoint != "" {
				o.BaseEndpoint = aws.String(s.STSEndpoint)
			}
		})
		provider := stscreds.NewAssumeRoleProvider(stsClient, s.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = s.RoleSessionName
			if s.ExternalID != "" {
				o.ExternalID = aws.String(s.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	if s.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(s.Endpoint)
	}
	cfg.HTTPClient = bodyKeepingClient{next: cfg.HTTPClient}
	return cfg, nil
}

// newRetryer returns the SDK retryer of the package doc: one attempt, or
// two with a short backoff and no retry quota.
func newRetryer(autoRetry bool) aws.Retryer {
	if !autoRetry {
		return aws.NopRetryer{}
	}
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 2
		o.MaxBackoff = 200 * time.Millisecond
		o.RateLimiter = ratelimit.None
	})
}

// explainLoadError turns the SDK's loader errors into operator messages.
func explainLoadError(s Settings, err error) error {
	msg := err.Error()
	bundle := os.Getenv("AWS_CA_BUNDLE")
	switch {
	case strings.Contains(msg, "CA bundle") || strings.Contains(msg, "RootCAs") || (bundle != "" && strings.Contains(msg, bundle)):
		return fmt.Errorf("output %s: the custom CA bundle cannot be used (AWS_CA_BUNDLE=%q): %w; point AWS_CA_BUNDLE at a readable PEM file or unset it", s.Section, bundle, err)
	case s.Profile != "" && strings.Contains(msg, "profile"):
		return fmt.Errorf("output %s: profile %q: %w; define it in ~/.aws/config or ~/.aws/credentials (or AWS_CONFIG_FILE), or remove the profile parameter", s.Section, s.Profile, err)
	}
	return fmt.Errorf("output %s: loading the AWS configuration: %w", s.Section, err)
}
