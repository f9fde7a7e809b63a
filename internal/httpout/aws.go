package httpout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// AWSParams declares the SigV4 parameters of an HTTP output, with the
// names of Fluent Bit's out_http and out_es (AWS_Auth, AWS_Region,
// AWS_STS_Endpoint, AWS_Role_ARN, AWS_External_ID, AWS_Profile) and the
// output's own name and default for the service (out_http's AWS_Service,
// out_es's AWS_Service_Name).
func AWSParams(serviceParam, defaultService string) []plugin.Param {
	return []plugin.Param{
		{Name: "AWS_Auth", Type: plugin.TypeBool, Default: "off", Doc: "sign requests with AWS SigV4, with the default credential chain (task role, IRSA, environment)"},
		{Name: "AWS_Region", Doc: "region of the AWS service, for the signature; AWS_REGION when unset"},
		{Name: "AWS_STS_Endpoint", Doc: "custom STS endpoint, used to assume AWS_Role_ARN"},
		{Name: "AWS_Role_ARN", Doc: "IAM role to assume for signing"},
		{Name: "AWS_External_ID", Doc: "external ID given to STS when assuming AWS_Role_ARN"},
		{Name: "AWS_Profile", Doc: "profile of the shared config and credentials files"},
		{Name: serviceParam, Default: defaultService, Doc: "service name in the signature: es for OpenSearch Service, aoss for OpenSearch Serverless, aps for Amazon Managed Service for Prometheus"},
	}
}

// AWSFromConfig returns the SigV4 settings of a section declared with
// AWSParams, or nil when AWS_Auth is off.
func AWSFromConfig(c *plugin.Config, section, serviceParam string) *AWSAuth {
	if !c.Bool("AWS_Auth") {
		return nil
	}
	return &AWSAuth{
		Service: c.String(serviceParam),
		Settings: awsconf.Settings{
			Section:         section,
			Region:          c.String("AWS_Region"),
			STSEndpoint:     c.String("AWS_STS_Endpoint"),
			RoleARN:         c.String("AWS_Role_ARN"),
			ExternalID:      c.String("AWS_External_ID"),
			Profile:         c.String("AWS_Profile"),
			RoleSessionName: "sluice",
		},
	}
}

// AWSAuth signs requests with SigV4. The AWS configuration (credentials
// chain, role) is loaded on the first request, not at construction, so
// `sluice validate` needs no AWS environment; a failed load is retried on
// the next request.
type AWSAuth struct {
	Service  string
	Settings awsconf.Settings

	mu     sync.Mutex
	creds  aws.CredentialsProvider
	region string
	signer *v4.Signer
	// now is the signing clock (tests).
	now func() time.Time
}

func (a *AWSAuth) load(ctx context.Context) (aws.CredentialsProvider, string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.creds != nil {
		return a.creds, a.region, nil
	}
	cfg, err := awsconf.Load(ctx, a.Settings)
	if err != nil {
		return nil, "", err
	}
	a.creds, a.region, a.signer = cfg.Credentials, cfg.Region, v4.NewSigner()
	return a.creds, a.region, nil
}

// sign adds the SigV4 headers to req, whose (possibly compressed) body is
// body. The payload hash is sent as X-Amz-Content-Sha256, which OpenSearch
// Serverless requires.
func (a *AWSAuth) sign(ctx context.Context, req *http.Request, body []byte, output string) error {
	provider, region, err := a.load(ctx)
	if err != nil {
		return err
	}
	creds, err := provider.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("output %s: AWS credentials for SigV4 signing: %w; check the task role, IRSA or AWS_* variables (and AWS_Role_ARN)", output, err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	now := time.Now
	if a.now != nil {
		now = a.now
	}
	if err := a.signer.SignHTTP(ctx, creds, req, hash, a.Service, region, now()); err != nil {
		return fmt.Errorf("output %s: SigV4 signing: %w", output, err)
	}
	return nil
}
