package kafkaconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	awssasl "github.com/twmb/franz-go/pkg/sasl/aws"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Conn is a validated connection configuration. New checks it without I/O;
// Options reads the certificate files and builds the client options, when
// the plugin starts.
type Conn struct {
	label      string
	Brokers    []string
	ClientID   string
	TLS        bool
	mechanism  string // upper case; "" for no SASL
	username   string
	password   string
	caFile     string
	certFile   string
	keyFile    string
	verify     bool
	verifyHost bool
	metaMaxAge time.Duration
	metaMinAge time.Duration
	mskRegion  string // from aws_msk_iam_cluster_arn; "" lets franz-go read it from the broker host
}

// New validates the connection parameters of c (see Params).
func New(c *plugin.Config) (*Conn, error) {
	k := &Conn{
		label:      c.Label(),
		Brokers:    c.List("brokers"),
		ClientID:   "sluice",
		verify:     c.Bool("rdkafka.enable.ssl.certificate.verification"),
		verifyHost: c.String("rdkafka.ssl.endpoint.identification.algorithm") == "https",
		caFile:     c.String("rdkafka.ssl.ca.location"),
		certFile:   c.String("rdkafka.ssl.certificate.location"),
		keyFile:    c.String("rdkafka.ssl.key.location"),
		username:   c.String("rdkafka.sasl.username"),
		password:   c.String("rdkafka.sasl.password"),
		metaMaxAge: Millis(c, "rdkafka.metadata.max.age.ms"),
		metaMinAge: Millis(c, "rdkafka.topic.metadata.refresh.fast.interval.ms"),
	}
	if len(k.Brokers) == 0 {
		return nil, c.Errorf("brokers", "is empty; list the bootstrap brokers as host:port, separated by commas")
	}
	for _, b := range k.Brokers {
		if !strings.Contains(b, ":") {
			return nil, c.Errorf("brokers", "broker %q has no port; write host:port (Kafka listens on 9092 by default)", b)
		}
	}
	if id, _ := FirstSet(c, "", "client_id", "rdkafka.client.id"); id != "" {
		k.ClientID = id
	}
	proto := c.String("rdkafka.security.protocol")
	k.TLS = proto == "ssl" || proto == "sasl_ssl"
	k.mechanism = strings.ToUpper(c.String("rdkafka.sasl.mechanism"))
	iam := c.Bool("aws_msk_iam") || c.IsSet("aws_msk_iam_cluster_arn") || k.mechanism == "AWS_MSK_IAM"
	if arn := c.String("aws_msk_iam_cluster_arn"); arn != "" {
		k.mskRegion, _ = arnRegion(arn) // checked by the parameter's Check
	}
	switch {
	case iam:
		if k.mechanism != "" && k.mechanism != "AWS_MSK_IAM" && k.mechanism != "OAUTHBEARER" {
			return nil, c.Errorf("rdkafka.sasl.mechanism", "is %s but AWS MSK IAM is on; remove it or set aws_msk_iam", k.mechanism)
		}
		// MSK serves IAM authentication on its TLS listener only (port 9098).
		k.mechanism, k.TLS = "AWS_MSK_IAM", true
		if c.IsSet("rdkafka.security.protocol") && proto != "sasl_ssl" {
			return nil, c.Errorf("rdkafka.security.protocol", "is %s, but AWS MSK IAM needs sasl_ssl; remove it or set sasl_ssl", proto)
		}
	case k.mechanism == "OAUTHBEARER":
		return nil, c.Errorf("rdkafka.sasl.mechanism", "OAUTHBEARER is supported for AWS MSK IAM only; set aws_msk_iam_cluster_arn, or use PLAIN or SCRAM")
	case k.mechanism != "":
		if proto != "sasl_plaintext" && proto != "sasl_ssl" {
			return nil, c.Errorf("rdkafka.security.protocol", "is %s, but rdkafka.sasl.mechanism is set; use sasl_ssl (or sasl_plaintext on a trusted network)", proto)
		}
		if k.username == "" || k.password == "" {
			return nil, c.Errorf("rdkafka.sasl.username", "SASL %s needs rdkafka.sasl.username and rdkafka.sasl.password", k.mechanism)
		}
	case proto == "sasl_plaintext" || proto == "sasl_ssl":
		return nil, c.Errorf("rdkafka.sasl.mechanism", "is not set but rdkafka.security.protocol is %s; set PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or aws_msk_iam", proto)
	}
	if (k.certFile == "") != (k.keyFile == "") {
		return nil, c.Errorf("rdkafka.ssl.certificate.location", "a client certificate needs both rdkafka.ssl.certificate.location and rdkafka.ssl.key.location")
	}
	return k, nil
}

// Mechanism names the SASL mechanism in use ("" for none).
func (k *Conn) Mechanism() string { return k.mechanism }

// Options returns the franz-go options of the connection: seed brokers,
// client id, TLS and SASL. It reads the certificate files.
func (k *Conn) Options(logger *slog.Logger) ([]kgo.Opt, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(k.Brokers...),
		kgo.ClientID(k.ClientID),
		kgo.SoftwareNameAndVersion("sluice", "1"),
		kgo.MetadataMaxAge(max(k.metaMaxAge, k.metaMinAge)),
		kgo.MetadataMinAge(k.metaMinAge),
	}
	if logger != nil {
		opts = append(opts, kgo.WithLogger(clientLogger{logger}))
	}
	if k.TLS {
		cfg, err := k.tlsConfig()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	if m := k.saslMechanism(); m != nil {
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

func (k *Conn) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if k.caFile != "" {
		pem, err := os.ReadFile(k.caFile)
		if err != nil {
			return nil, fmt.Errorf("%s: rdkafka.ssl.ca.location: %w", k.label, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: rdkafka.ssl.ca.location: %s holds no PEM certificate", k.label, k.caFile)
		}
		cfg.RootCAs = pool
	}
	if k.certFile != "" {
		cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
		if err != nil {
			return nil, fmt.Errorf("%s: rdkafka.ssl.certificate.location and rdkafka.ssl.key.location: %w", k.label, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	switch {
	case !k.verify:
		cfg.InsecureSkipVerify = true
	case !k.verifyHost:
		// Verify the chain but not the host name, as librdkafka does with
		// ssl.endpoint.identification.algorithm=none.
		cfg.InsecureSkipVerify = true
		roots := cfg.RootCAs
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			return verifyChain(raw, roots)
		}
	}
	return cfg, nil
}

func verifyChain(raw [][]byte, roots *x509.CertPool) error {
	if len(raw) == 0 {
		return fmt.Errorf("broker sent no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			return fmt.Errorf("broker certificate: %w", err)
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}

func (k *Conn) saslMechanism() sasl.Mechanism {
	switch k.mechanism {
	case "PLAIN":
		return plain.Auth{User: k.username, Pass: k.password}.AsMechanism()
	case "SCRAM-SHA-256":
		return scram.Auth{User: k.username, Pass: k.password}.AsSha256Mechanism()
	case "SCRAM-SHA-512":
		return scram.Auth{User: k.username, Pass: k.password}.AsSha512Mechanism()
	case "AWS_MSK_IAM":
		return awssasl.ManagedStreamingIAM(k.mskCredentials())
	}
	return nil
}

// mskCredentials returns the function franz-go calls for credentials at
// every connection. The AWS configuration comes from internal/awsconf, the
// one place Sluice loads it: the SDK's default chain (environment, shared
// files, web identity on EKS, the ECS task role, IMDS on EC2), loaded once,
// on the first connection; the SDK caches and refreshes the credentials.
// The region is the cluster ARN's, else the one in the broker host name
// (b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com), else AWS_REGION.
func (k *Conn) mskCredentials() func(context.Context) (awssasl.Auth, error) {
	var (
		once sync.Once
		cfg  aws.Config
		err  error
	)
	region := k.mskRegion
	if region == "" {
		region = brokerRegion(k.Brokers[0])
	}
	return func(ctx context.Context) (awssasl.Auth, error) {
		once.Do(func() {
			cfg, err = awsconf.Load(context.WithoutCancel(ctx), awsconf.Settings{Section: k.label, Region: region, RoleSessionName: "sluice"})
		})
		if err != nil {
			return awssasl.Auth{}, fmt.Errorf("%s: load AWS configuration for MSK IAM: %w", k.label, err)
		}
		creds, cerr := cfg.Credentials.Retrieve(ctx)
		if cerr != nil {
			return awssasl.Auth{}, fmt.Errorf("%s: AWS credentials for MSK IAM: %w; give the task or pod a role allowing kafka-cluster:Connect", k.label, cerr)
		}
		return awssasl.Auth{
			AccessKey:    creds.AccessKeyID,
			SecretKey:    creds.SecretAccessKey,
			SessionToken: creds.SessionToken,
			UserAgent:    "sluice",
		}, nil
	}
}

// clientLogger routes franz-go's logs to the plugin's logger: its warnings
// and errors are worth seeing (broker connection failures, rebalances);
// its info and debug lines only at debug level.
type clientLogger struct{ l *slog.Logger }

func (c clientLogger) Level() kgo.LogLevel {
	if c.l.Enabled(context.Background(), slog.LevelDebug) {
		return kgo.LogLevelDebug
	}
	return kgo.LogLevelWarn
}

func (c clientLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	var l slog.Level
	switch level {
	case kgo.LogLevelError:
		l = slog.LevelError
	case kgo.LogLevelWarn:
		l = slog.LevelWarn
	case kgo.LogLevelInfo:
		l = slog.LevelInfo
	default:
		l = slog.LevelDebug
	}
	c.l.Log(context.Background(), l, "kafka client: "+msg, keyvals...)
}

// WarnIgnored logs once per set parameter among names that it has no
// effect.
func WarnIgnored(c *plugin.Config, logger *slog.Logger, names []string) {
	for _, n := range names {
		if c.IsSet(n) {
			logger.Warn("librdkafka property has no effect in Sluice (franz-go has no counterpart); remove it to silence this warning", "parameter", n, "value", c.String(n))
		}
	}
}

// brokerRegion reads the region out of an MSK broker address
// (…kafka.<region>.amazonaws.com:9098, or kafka-serverless), or "".
func brokerRegion(broker string) string {
	host, _, _ := strings.Cut(broker, ":")
	labels := strings.Split(host, ".")
	for i := 0; i+3 < len(labels); i++ {
		if (labels[i] == "kafka" || labels[i] == "kafka-serverless") && labels[i+2] == "amazonaws" && labels[i+3] == "com" {
			return labels[i+1]
		}
	}
	return ""
}
