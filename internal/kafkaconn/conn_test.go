package kafkaconn

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// spec is a minimal plugin declaring only the connection parameters.
func spec() plugin.Spec {
	return plugin.Spec{Kind: plugin.KindOutput, Name: "conn", Params: append(Params(), Ignored(CommonIgnored...)...),
		NewOutput: func(plugin.Settings) (plugin.Output, error) { return nil, nil }}
}

func conn(t *testing.T, kv ...string) *Conn {
	t.Helper()
	k, err := New(plugintest.Settings(t, spec(), kv...).Config)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestMSKIAM(t *testing.T) {
	for _, kv := range [][]string{
		{"aws_msk_iam", "true"},
		{"aws_msk_iam_cluster_arn", "arn:aws:kafka:eu-west-1:123456789012:cluster/logs/abcd-2"},
		{"rdkafka.sasl.mechanism", "aws_msk_iam"},
		{"aws_msk_iam_cluster_arn", "arn:aws:kafka:eu-west-1:123456789012:cluster/logs/abcd-2", "rdkafka.sasl.mechanism", "OAUTHBEARER", "rdkafka.security.protocol", "sasl_ssl"},
	} {
		k := conn(t, append([]string{"brokers", "b-1.logs.abc.c2.kafka.eu-west-1.amazonaws.com:9098"}, kv...)...)
		if k.Mechanism() != "AWS_MSK_IAM" || !k.TLS {
			t.Errorf("%v: mechanism %q, TLS %v; want AWS_MSK_IAM over TLS", kv, k.Mechanism(), k.TLS)
		}
	}
	k := conn(t, "brokers", "b:9098", "aws_msk_iam_cluster_arn", "arn:aws:kafka:eu-west-1:123456789012:cluster/logs/abcd-2")
	if k.mskRegion != "eu-west-1" {
		t.Errorf("region from the ARN: %q", k.mskRegion)
	}
	for broker, want := range map[string]string{
		"b-1.logs.abc123.c2.kafka.eu-west-1.amazonaws.com:9098":     "eu-west-1",
		"boot-abc.c1.kafka-serverless.us-east-2.amazonaws.com:9098": "us-east-2",
		"kafka-1:9092": "",
		"b-1.logs.abc123.c2.kafka.ap-south-1.amazonaws.com.cn.fake:9098": "ap-south-1",
	} {
		if got := brokerRegion(broker); got != want {
			t.Errorf("brokerRegion(%s) = %q, want %q", broker, got, want)
		}
	}
	// Credentials come from the SDK's default chain; the environment is
	// its first link.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE12")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	auth, err := k.mskCredentials()(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if auth.AccessKey != "AKIAEXAMPLEEXAMPLE12" || auth.SecretKey != "secret" || auth.SessionToken != "token" || auth.UserAgent != "sluice" {
		t.Errorf("auth %+v", auth)
	}
}

// selfSigned writes a CA-less self-signed certificate for 127.0.0.1 and
// returns the server's TLS config and the certificate's PEM path.
func selfSigned(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kfake"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, path
}

// A TLS broker is reachable with its CA, and refused without it.
func TestTLS(t *testing.T) {
	srv, ca := selfSigned(t)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.TLS(srv), kfake.SeedTopics(1, "logs"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ping := func(kv ...string) error {
		k := conn(t, append([]string{"brokers", c.ListenAddrs()[0], "rdkafka.security.protocol", "ssl"}, kv...)...)
		opts, err := k.Options(nil)
		if err != nil {
			return err
		}
		cl, err := kgo.NewClient(append(opts, kgo.RequestRetries(0))...)
		if err != nil {
			return err
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return cl.Ping(ctx)
	}
	if err := ping("rdkafka.ssl.ca.location", ca); err != nil {
		t.Errorf("with the CA: %v", err)
	}
	if err := ping("rdkafka.ssl.ca.location", ca, "rdkafka.ssl.endpoint.identification.algorithm", "none"); err != nil {
		t.Errorf("with the CA, no host check: %v", err)
	}
	if err := ping(); err == nil {
		t.Error("an unknown CA must be refused")
	}
	if err := ping("rdkafka.enable.ssl.certificate.verification", "false"); err != nil {
		t.Errorf("verification off: %v", err)
	}
	k := conn(t, "brokers", "b:9093", "rdkafka.security.protocol", "ssl", "rdkafka.ssl.ca.location", filepath.Join(t.TempDir(), "missing.pem"))
	if _, err := k.Options(nil); err == nil || !strings.Contains(err.Error(), "rdkafka.ssl.ca.location") {
		t.Errorf("a missing CA file must name the parameter: %v", err)
	}
}
