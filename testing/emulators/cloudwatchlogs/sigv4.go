package cloudwatchlogs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// verifySignature recomputes the SigV4 signature of r (body is its
// payload) with secret and compares it with the one r carries: a client
// that signs wrongly, or changes a signed header after signing, fails as
// it would against AWS. key, date and region come from the Authorization
// header that checkSignature already parsed.
func verifySignature(r *http.Request, body []byte, key, region, signedHeaders, secret string) *apiError {
	signingTime, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return &apiError{status: 400, code: "IncompleteSignatureException", message: "X-Amz-Date must be in the form 20060102T150405Z"}
	}
	clone, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	clone.Host = r.Host
	clone.ContentLength = int64(len(body))
	for _, h := range strings.Split(signedHeaders, ";") {
		switch h {
		case "host", "x-amz-date", "x-amz-security-token":
			continue // the signer writes them
		}
		for _, v := range r.Header.Values(h) {
			clone.Header.Add(h, v)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, clone, hex.EncodeToString(sum[:]), "logs", region, signingTime); err != nil {
		return &apiError{status: 400, code: "IncompleteSignatureException", message: err.Error()}
	}
	want := signatureOf(clone.Header.Get("Authorization"))
	if got := signatureOf(r.Header.Get("Authorization")); got == "" || got != want {
		return &apiError{status: 403, code: "InvalidSignatureException",
			message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	}
	return nil
}

func signatureOf(auth string) string {
	_, sig, _ := strings.Cut(auth, "Signature=")
	return sig
}
