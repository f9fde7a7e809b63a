package iam

import (
	"strings"
	"testing"
)

func TestDeriveSigV4Outputs(t *testing.T) {
	tests := []struct {
		name, conf string
		want       string
	}{
		{"opensearch domain, region from the endpoint", `
[OUTPUT]
    Name      opensearch
    Host      search-app-logs-a1b2c3d4e5f6.eu-west-1.es.amazonaws.com
    Port      443
    AWS_Auth  On
`, "es:ESHttpPost arn:aws:es:eu-west-1:123456789012:domain/app-logs/_bulk\n"},
		{"es in a VPC, AWS_Region wins", `
[OUTPUT]
    Name        es
    Host        vpc-audit-xyz.us-east-1.es.amazonaws.com
    AWS_Auth    on
    AWS_Region  us-east-2
`, "es:ESHttpPost arn:aws:es:us-east-2:123456789012:domain/audit/_bulk\n"},
		{"a custom endpoint cannot name the domain", `
[OUTPUT]
    Name        opensearch
    Host        logs.example.com
    AWS_Auth    on
    AWS_Region  eu-west-1
`, "es:ESHttpPost arn:aws:es:eu-west-1:123456789012:domain/*/_bulk\n"},
		{"serverless collection, assumed role", `
[OUTPUT]
    Name              opensearch
    Host              abc123xyz.eu-central-1.aoss.amazonaws.com
    AWS_Auth          on
    AWS_Service_Name  aoss
    AWS_Role_ARN      arn:aws:iam::123456789012:role/writer
`, "sts:AssumeRole arn:aws:iam::123456789012:role/writer\naoss:APIAccessAll arn:aws:aoss:eu-central-1:123456789012:collection/abc123xyz @arn:aws:iam::123456789012:role/writer\n"},
		{"managed prometheus workspace from the URI", `
[OUTPUT]
    Name      prometheus_remote_write
    Host      aps-workspaces.us-west-2.amazonaws.com
    Port      443
    uri       /workspaces/ws-1234abcd/api/v1/remote_write
    AWS_Auth  on
`, "aps:RemoteWrite arn:aws:aps:us-west-2:123456789012:workspace/ws-1234abcd\n"},
		{"http to an OpenSearch Ingestion pipeline", `
[OUTPUT]
    Name         http
    Host         app-pipeline-abcdefghijklmnop.us-east-1.osis.amazonaws.com
    URI          /log/ingest
    aws_auth     true
    aws_service  osis
`, "osis:Ingest arn:aws:osis:us-east-1:123456789012:pipeline/app-pipeline\n"},
		{"without AWS_Auth no AWS call is made", `
[OUTPUT]
    Name  opensearch
    Host  search-app-a1b2.eu-west-1.es.amazonaws.com
`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reqs, err := Derive(model(t, tc.conf), Env{Account: "123456789012"})
			if err != nil {
				t.Fatal(err)
			}
			if got := calls(reqs); got != tc.want {
				t.Fatalf("got:\n%swant:\n%s", got, tc.want)
			}
		})
	}
}

func TestDeriveSigV4UnknownServiceSaysSo(t *testing.T) {
	_, err := Derive(model(t, `
[OUTPUT]
    Name         http
    Host         example.execute-api.eu-west-1.amazonaws.com
    AWS_Auth     on
    AWS_Service  execute-api
`), Env{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"[OUTPUT] http (http.0)", "aws_service execute-api", "write that statement by hand"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want it to say %q", err, want)
		}
	}
}

func TestGrantCoversTheBulkCall(t *testing.T) {
	reqs, err := Derive(model(t, `
[OUTPUT]
    Name      es
    Host      search-app-a1b2.eu-west-1.es.amazonaws.com
    AWS_Auth  on
`), Env{Account: "123456789012"})
	if err != nil || len(reqs) != 1 {
		t.Fatal(reqs, err)
	}
	if g := reqs[0].grant(); g != "arn:aws:es:eu-west-1:123456789012:domain/app/*" {
		t.Fatalf("grant %s", g)
	}
}
