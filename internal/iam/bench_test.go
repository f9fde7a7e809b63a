package iam

import (
	"os"
	"testing"
)

// BenchmarkEvaluate measures one authorisation against the seed's policy
// plus a deny with a condition: the cost the emulator's policy mode adds
// per call.
func BenchmarkEvaluate(b *testing.B) {
	docs := []*Document{}
	for _, src := range []string{seedPolicy, regionCondition, awsAllowGetListDenyReports} {
		d, err := ParsePolicy("bench", []byte(src))
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
	}
	req := Request{Action: "logs:PutLogEvents",
		Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/logs/sample-test:log-stream:webapp",
		Context:  map[string][]string{"aws:requestedregion": {"ap-northeast-1"}}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if Evaluate(docs, req).Outcome != Allowed {
			b.Fatal("denied")
		}
	}
}

// BenchmarkCheckSeedTemplate measures `sluice iam check` of the seed
// without process start: template resolution, derivation and the check.
func BenchmarkCheckSeedTemplate(b *testing.B) {
	src, err := os.ReadFile("../../examples/firelens-least-privilege/task-role.yaml")
	if err != nil {
		b.Fatal(err)
	}
	conf, err := os.ReadFile("../../examples/firelens-least-privilege/extra.conf")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m, _, err := configParse(conf)
		if err != nil {
			b.Fatal(err)
		}
		reqs, err := Derive(m, Env{Region: "ap-northeast-1"})
		if err != nil {
			b.Fatal(err)
		}
		rp, err := ResolveTemplate("task-role.yaml", src, TemplateOptions{Region: "ap-northeast-1"})
		if err != nil {
			b.Fatal(err)
		}
		if !Check(reqs, rp.Policies).OK() {
			b.Fatal("check failed")
		}
	}
}
