package awsconf

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/sluice-logs/sluice/internal/iam"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Call describes the SDK call an error came from, for operator messages.
type Call struct {
	// Section is the config section instance ("cloudwatch_logs.0").
	Section string
	// Action is the IAM action of the call ("logs:PutLogEvents").
	Action string
	// Resource is the ARN the call acted on, as far as the output knows
	// it; an ARN quoted by the service's error message takes precedence.
	Resource string
	// Missing, when set, is the resource the call writes to, for the
	// operator message of a ResourceNotFoundException (a Kinesis stream or
	// a Firehose delivery stream nobody created yet, or a typo in the
	// configuration). The error stays retryable: the records wait in the
	// buffer until the resource exists. Outputs that create what is
	// missing themselves (cloudwatch_logs) leave it nil.
	Missing *Missing
}

// Missing names the destination of an output for the message of a
// ResourceNotFoundException.
type Missing struct {
	// What is the kind of resource, as the operator knows it: "Kinesis
	// stream", "Firehose delivery stream".
	What string
	// Name is the resource's configured name.
	Name string
	// Region is the configured region; "" means the one from the
	// environment.
	Region string
	// Param is the [OUTPUT] parameter that names the resource ("stream",
	// "delivery_stream").
	Param string
}

// The error codes of AWS services, by what the engine should do with them.
// Sources: the AWS SDK for Go v2's retry/throttle_error.go lists and each
// service's API reference.
var (
	throttleCodes = codeSet(
		"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
		"LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException",
	)
	unavailableCodes = codeSet(
		"ServiceUnavailable", "ServiceUnavailableException", "InternalFailure", "InternalError",
		"InternalServerError", "InternalServerException", "RequestTimeout", "RequestTimeoutException",
		"OperationAbortedException",
		// A missing resource the operator can create (or that an output
		// creates on demand) while the records wait.
		"ResourceNotFoundException", "NoSuchBucket", "ResourceInUseException",
	)
	deniedCodes = codeSet(
		"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
		"InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "InvalidSignatureException",
		"SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken",
		"KMSAccessDeniedException", "KMSDisabledException", "KMSNotFoundException", "KMSInvalidStateException",
	)
	permanentCodes = codeSet(
		"InvalidParameterException", "InvalidParameterValue", "InvalidParameterValueException",
		"InvalidParameterCombination", "ValidationException", "ValidationError", "SerializationException",
		"InvalidArgumentException", "MalformedQueryString", "UnsupportedOperation",
		"DataAlreadyAcceptedException", "InvalidInputException", "EntityTooLarge", "InvalidRequest",
	)
)

func codeSet(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// Kind is what Classify decided about an error.
type Kind uint8

// The kinds of AWS errors.
const (
	// KindRetryable: network errors, 5xx, unknown errors.
	KindRetryable Kind = iota
	// KindThrottled: the service asked to slow down.
	KindThrottled
	// KindDenied: the credentials may not do this (or are invalid);
	// retryable, since the operator can fix the policy.
	KindDenied
	// KindPermanent: the request itself is invalid; retrying cannot help.
	KindPermanent
)

// KindOf returns the kind of an SDK call error and its AWS error code
// ("" for errors without one, such as network errors).
func KindOf(err error) (Kind, string) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return KindRetryable, ""
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		switch {
		case throttleCodes[code]:
			return KindThrottled, code
		case unavailableCodes[code]:
			return KindRetryable, code
		case deniedCodes[code]:
			return KindDenied, code
		case permanentCodes[code]:
			return KindPermanent, code
		}
		if status := httpStatus(err); status == 429 {
			return KindThrottled, code
		} else if status == 401 || status == 403 {
			return KindDenied, code
		} else if status >= 400 && status < 500 && api.ErrorFault() == smithy.FaultClient {
			return KindPermanent, code
		}
		return KindRetryable, code
	}
	if status := httpStatus(err); status == 429 {
		return KindThrottled, ""
	} else if status == 401 || status == 403 {
		return KindDenied, ""
	}
	return KindRetryable, ""
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// quotedResource finds the ARN an access-denied message names
// ("... is not authorized to perform: logs:PutLogEvents on resource: arn:...").
var quotedResource = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`on resource: (arn:[^\s]+)`) })

// Classify wraps err, an error of the SDK call c, in the engine's error
// class and an operator message:
//
//   - throttling: plugin.Throttled, so the engine backs off;
//   - service unavailable, 5xx, network errors, timeouts: retryable;
//   - access denied and invalid credentials: retryable, with a message
//     naming the action, the resource ARN and the section, because the
//     records stay buffered until the operator grants access;
//   - a missing resource (ResourceNotFoundException, NoSuchBucket):
//     retryable; with c.Missing set, the message names the resource, the
//     region and the parameter to fix;
//   - validation errors: plugin.Permanent.
func Classify(err error, c Call) error {
	if err == nil {
		return nil
	}
	kind, code := KindOf(err)
	if code == "ResourceNotFoundException" && c.Missing != nil {
		return MissingError(err, c)
	}
	switch kind {
	case KindThrottled:
		return plugin.Throttled(fmt.Errorf("output %s: %s throttled by AWS (%s); backing off: %w", c.Section, c.Action, code, err), 0)
	case KindDenied:
		return DeniedError(err, c, code)
	case KindPermanent:
		return plugin.Permanent(fmt.Errorf("output %s: %s rejected (%s), retrying cannot help: %w", c.Section, c.Action, code, err))
	}
	if code != "" {
		return fmt.Errorf("output %s: %s failed (%s), will retry: %w", c.Section, c.Action, code, err)
	}
	return fmt.Errorf("output %s: %s failed, will retry: %w", c.Section, c.Action, err)
}

// MissingError is the message of Classify (retryable) for a call whose
// destination, c.Missing, does not exist.
func MissingError(err error, c Call) error {
	m := c.Missing
	region := m.Region
	if region == "" {
		region = "the region from the environment (AWS_REGION)"
	}
	return fmt.Errorf("output %s: %s %q does not exist in %s; create it or fix `%s` in [OUTPUT] %s; records stay buffered and are retried: %w",
		c.Section, m.What, m.Name, region, m.Param, c.Section, err)
}

// policyCodes are the denials a policy statement fixes; the other denied
// codes are about the credentials themselves (expired, unknown, badly
// signed), which no statement can fix.
var policyCodes = codeSet("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")

// DeniedError builds the access-denied message of Classify (retryable),
// marked with plugin.AccessDenied so the engine counts it.
// For a policy denial it includes the statement that would allow the call
// (iam.FixStatement), so the operator can paste it into the policy.
func DeniedError(err error, c Call, code string) error {
	resource := c.Resource
	if m := quotedResource().FindStringSubmatch(err.Error()); m != nil {
		resource = m[1]
	}
	fix := ""
	if policyCodes[code] && c.Action != "" {
		fix = "; the statement to add: " + iam.FixStatement(c.Action, resource, c.Section)
	}
	return plugin.AccessDenied(fmt.Errorf("output %s: AWS denied %s on %s (%s): allow the action %s on the resource %s in the IAM policy of the credentials Sluice uses (task role, IRSA role or role_arn)%s; the records stay buffered and are retried: %w",
		c.Section, c.Action, resource, code, c.Action, resource, fix, err))
}
