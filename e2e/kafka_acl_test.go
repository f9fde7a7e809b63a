package e2e

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
)

// TestKafkaACLRefusalCountedAsAccessDenied: a broker whose ACLs do not let
// Sluice's principal write the topic refuses every produce. Sluice keeps the
// records, retries, and shows the refusal plainly — counted in
// sluice_output_access_denied_total, logged with what to grant — and once
// the ACL is added every record arrives. (franz-go keeps a refused producer
// ID for the life of its client; before the output replaced the client,
// this test found Sluice stuck until restarted.)
func TestKafkaACLRefusalCountedAsAccessDenied(t *testing.T) {
	const n = 300
	describe := kfake.ACL{Resource: kmsg.ACLResourceTypeTopic, Name: "logs", Pattern: kmsg.ACLResourcePatternTypeLiteral,
		Operation: kmsg.ACLOperationDescribe, Allow: true}
	_, addr := kafkaStartCluster(t, kfake.EnableSASL(), kfake.EnableACLs(), kfake.Superuser("PLAIN", "admin", "admin"),
		kfake.User("PLAIN", "writer", "secret", describe), kfake.SeedTopics(1, "logs"))
	mon := freePort(t)
	cfg := writeFile(t, t.TempDir(), "sluice.conf", fmt.Sprintf(`
[SERVICE]
    Flush           0.2
    Grace           10
    scheduler.base  0.2
    scheduler.cap   1
    HTTP_Server     On
    HTTP_Listen     127.0.0.1
    HTTP_Port       %d

[INPUT]
    Name  stdin
    Tag   app

[OUTPUT]
    Name     kafka
    Match    app
    Brokers  %s
    Topics   logs
    rdkafka.security.protocol   SASL_PLAINTEXT
    rdkafka.sasl.mechanism      PLAIN
    rdkafka.sasl.username       writer
    rdkafka.sasl.password       secret
    rdkafka.message.timeout.ms  2000
`, mon, addr))
	p := start(t, strings.NewReader(numberedLines(n)), "-c", cfg)
	const series = `sluice_output_access_denied_total{name="kafka.0"}`
	eventually(t, 30*time.Second, "the refusal counted as access denied", func() bool {
		v, _ := dropsPromSample(mon, series)
		return v > 0
	})
	if !strings.Contains(p.stderr.String(), "kafka-cluster:WriteData") {
		t.Errorf("the log does not say what to grant; stderr:\n%s", p.stderr.String())
	}
	if v, _ := dropsPromSample(mon, `fluentbit_output_dropped_records_total{name="kafka.0"}`); v != 0 {
		t.Fatalf("%v records dropped during the refusal; want them kept and retried", v)
	}

	admin := kgo.SASL(plain.Auth{User: "admin", Pass: "admin"}.AsMechanism())
	grant := kmsg.NewPtrCreateACLsRequest()
	for _, op := range []kmsg.ACLOperation{kmsg.ACLOperationWrite, kmsg.ACLOperationIdempotentWrite} {
		c := kmsg.NewCreateACLsRequestCreation()
		c.ResourceType, c.ResourceName, c.ResourcePatternType = kmsg.ACLResourceTypeTopic, "logs", kmsg.ACLResourcePatternTypeLiteral
		if op == kmsg.ACLOperationIdempotentWrite {
			c.ResourceType, c.ResourceName = kmsg.ACLResourceTypeCluster, "kafka-cluster"
		}
		c.Principal, c.Host, c.Operation, c.PermissionType = "User:writer", "*", op, kmsg.ACLPermissionTypeAllow
		grant.Creations = append(grant.Creations, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := grant.RequestWith(ctx, kafkaClient(t, addr, admin))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.Results {
		if r.ErrorCode != 0 {
			t.Fatalf("create ACL: error code %d %v", r.ErrorCode, r.ErrorMessage)
		}
	}

	recs := kafkaConsumeAllAs(t, addr, n, []kgo.Opt{admin}, "logs")
	values := make([][]byte, len(recs))
	for i, r := range recs {
		values[i] = r.Value
	}
	if missing, _ := kafkaLossAndDuplicates(kafkaSeqCounts(t, values), n); len(missing) > 0 {
		t.Fatalf("lost %d records after the ACL was granted (first %v)", len(missing), head(missing))
	}
	if code := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
