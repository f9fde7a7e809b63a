package bulk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigV4 makes the emulator check every request's signature as Amazon
// OpenSearch Service does: the Authorization header's shape, the access
// key, and the signature recomputed with SecretAccessKey over the body as
// it was sent (compressed, when it was).
type SigV4 struct {
	AccessKeyID, SecretAccessKey string
	// Service is the signing name: es, or aoss for OpenSearch Serverless.
	Service string
}

var authHeader = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$`)

// check returns "" when r is signed right, or the reason it is refused.
func (v *SigV4) check(r *http.Request, body []byte) string {
	m := authHeader.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "missing or malformed SigV4 Authorization header"
	}
	if m[1] != v.AccessKeyID {
		return "The security token included in the request is invalid."
	}
	if m[4] != v.Service {
		return "Credential should be scoped to correct service: '" + v.Service + "'."
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "X-Amz-Date must be in the form 20060102T150405Z"
	}
	clone, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	clone.Host = r.Host
	clone.ContentLength = int64(len(body))
	for _, h := range strings.Split(m[5], ";") {
		switch h {
		case "host", "x-amz-date", "x-amz-security-token":
			continue // the signer writes them
		}
		for _, val := range r.Header.Values(h) {
			clone.Header.Add(h, val)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: m[1], SecretAccessKey: v.SecretAccessKey, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, clone, hex.EncodeToString(sum[:]), m[4], m[3], when); err != nil {
		return err.Error()
	}
	_, want, _ := strings.Cut(clone.Header.Get("Authorization"), "Signature=")
	if m[6] != want {
		return "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	}
	return ""
}
