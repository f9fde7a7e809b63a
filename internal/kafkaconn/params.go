package kafkaconn

import (
	"fmt"
	"strings"
	"time"

	"github.com/sluice-logs/sluice/internal/plugin"
)

// Params returns the connection parameters both kafka plugins accept.
func Params() []plugin.Param {
	return []plugin.Param{
		{Name: "brokers", Type: plugin.TypeCommaList, Required: true,
			Doc: "comma-separated Kafka bootstrap brokers, host:port (e.g. 192.168.1.3:9092, 192.168.1.4:9092)"},
		{Name: "client_id", Doc: "client id sent to the brokers (rdkafka.client.id); default sluice"},
		{Name: "rdkafka.client.id", Doc: "librdkafka spelling of client_id"},
		{Name: "rdkafka.security.protocol", Default: "plaintext", Options: []string{"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"},
			Doc: "how to talk to the brokers: plaintext, ssl (TLS), sasl_plaintext or sasl_ssl (SASL over TLS)"},
		{Name: "rdkafka.sasl.mechanism", Check: checkMechanism,
			Doc: "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, or aws_msk_iam (also OAUTHBEARER together with aws_msk_iam_cluster_arn)"},
		{Name: "rdkafka.sasl.username", Doc: "SASL username for PLAIN and SCRAM"},
		{Name: "rdkafka.sasl.password", Doc: "SASL password for PLAIN and SCRAM"},
		{Name: "rdkafka.ssl.ca.location", Doc: "PEM file of the CA certificates that sign the brokers' certificates; default: the system roots"},
		{Name: "rdkafka.ssl.certificate.location", Doc: "PEM client certificate, for brokers that require TLS client authentication"},
		{Name: "rdkafka.ssl.key.location", Doc: "PEM private key of rdkafka.ssl.certificate.location"},
		{Name: "rdkafka.enable.ssl.certificate.verification", Type: plugin.TypeBool, Default: "true",
			Doc: "verify the brokers' certificates; turn off only for tests"},
		{Name: "rdkafka.ssl.endpoint.identification.algorithm", Default: "https", Options: []string{"https", "none"},
			Doc: "https checks that a broker's certificate names its host; none skips that check"},
		{Name: "rdkafka.metadata.max.age.ms", Type: plugin.TypeInt, Default: "300000", Min: 1000, Max: 86400000,
			Doc: "how often cluster metadata (leaders, partitions) is refreshed, in milliseconds"},
		{Name: "rdkafka.topic.metadata.refresh.fast.interval.ms", Type: plugin.TypeInt, Default: "5000", Min: 10, Max: 3600000,
			Doc: "shortest wait between two metadata refreshes, e.g. after a leader change or a lost connection (franz-go's default, 5 s)"},
		{Name: "aws_msk_iam", Type: plugin.TypeBool, Default: "false",
			Doc: "authenticate to Amazon MSK with IAM (SASL AWS_MSK_IAM over TLS), with credentials from the AWS SDK's default chain"},
		{Name: "aws_msk_iam_cluster_arn", Check: checkClusterARN,
			Doc: "ARN of the MSK cluster; turns on aws_msk_iam, and its region signs the requests (default: the region in the broker host names)"},
	}
}

// Ignored declares librdkafka properties that tune librdkafka itself and
// have no franz-go counterpart, so that Fluent Bit configurations written
// with them still validate.
func Ignored(names ...string) []plugin.Param {
	ps := make([]plugin.Param, len(names))
	for i, n := range names {
		ps[i] = plugin.Param{Name: n, Doc: "librdkafka tuning without a franz-go counterpart: accepted, has no effect (a warning says so)"}
	}
	return ps
}

// CommonIgnored are the librdkafka-only properties both roles accept.
var CommonIgnored = []string{
	"rdkafka.log.connection.close",
	"rdkafka.socket.keepalive.enable",
	"rdkafka.api.version.request",
	"rdkafka.broker.version.fallback",
	"rdkafka.statistics.interval.ms",
	"rdkafka.debug",
	"rdkafka.log_level",
	"rdkafka.reconnect.backoff.ms",
	"rdkafka.reconnect.backoff.max.ms",
}

func checkMechanism(raw string) error {
	switch strings.ToUpper(raw) {
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "AWS_MSK_IAM", "OAUTHBEARER":
		return nil
	}
	return fmt.Errorf("unsupported SASL mechanism %q; valid values are PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, aws_msk_iam", raw)
}

// checkClusterARN accepts arn:<partition>:kafka:<region>:<account>:cluster/...
func checkClusterARN(raw string) error {
	if _, err := arnRegion(raw); err != nil {
		return err
	}
	return nil
}

func arnRegion(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kafka" || parts[3] == "" {
		return "", fmt.Errorf("invalid MSK cluster ARN %q; write arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>", arn)
	}
	return parts[3], nil
}

// Millis reads an integer parameter in milliseconds as a duration.
func Millis(c *plugin.Config, name string) time.Duration {
	return time.Duration(c.Int(name)) * time.Millisecond
}

// FirstSet returns the value of the first of names the user wrote, and
// which one it was; def when none is set.
func FirstSet(c *plugin.Config, def string, names ...string) (string, string) {
	for _, n := range names {
		if c.IsSet(n) {
			return c.String(n), n
		}
	}
	return def, ""
}
