package iam

import "testing"

func TestDeriveKafka(t *testing.T) {
	const cluster = "arn:aws:kafka:eu-west-1:123456789012:cluster/logs/abcd-2"
	tests := []struct{ name, conf, want string }{
		{"no IAM auth: nothing to grant", `
[OUTPUT]
    Name    kafka
    Brokers kafka-1:9092
    Topics  logs
`, ""},
		{"cluster ARN, two topics", `
[OUTPUT]
    Name    kafka
    Brokers b-1.logs.abc.c2.kafka.eu-west-1.amazonaws.com:9098
    Topics  logs, audit
    aws_msk_iam_cluster_arn ` + cluster + `
`, `kafka-cluster:Connect ` + cluster + `
kafka-cluster:WriteDataIdempotently ` + cluster + `
kafka-cluster:DescribeTopic arn:aws:kafka:eu-west-1:123456789012:topic/logs/abcd-2/logs
kafka-cluster:WriteData arn:aws:kafka:eu-west-1:123456789012:topic/logs/abcd-2/logs
kafka-cluster:DescribeTopic arn:aws:kafka:eu-west-1:123456789012:topic/logs/abcd-2/audit
kafka-cluster:WriteData arn:aws:kafka:eu-west-1:123456789012:topic/logs/abcd-2/audit
`},
		{"region from the brokers, acks 1, dynamic topics", `
[OUTPUT]
    Name          kafka
    Brokers       b-1.logs.abc.c2.kafka.us-east-2.amazonaws.com:9098
    aws_msk_iam   on
    Topic_Key     stream
    Dynamic_Topic on
    rdkafka.request.required.acks 1
`, `kafka-cluster:Connect arn:aws:kafka:us-east-2:123456789012:cluster/*/*
kafka-cluster:DescribeTopic arn:aws:kafka:us-east-2:123456789012:topic/*/*/*
kafka-cluster:WriteData arn:aws:kafka:us-east-2:123456789012:topic/*/*/*
kafka-cluster:CreateTopic arn:aws:kafka:us-east-2:123456789012:topic/*/*/*
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := Derive(model(t, tc.conf), Env{Account: "123456789012"})
			if err != nil {
				t.Fatal(err)
			}
			if got := calls(rs); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
