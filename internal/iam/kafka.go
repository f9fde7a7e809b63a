package iam

import (
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
)

// kafkaOutput derives the calls of a kafka output that authenticates to
// Amazon MSK with IAM (aws_msk_iam, aws_msk_iam_cluster_arn, or
// rdkafka.sasl.mechanism aws_msk_iam); other kafka outputs are authorised
// by the brokers' own ACLs and need nothing from IAM. MSK authorises
// against the cluster ARN (arn:aws:kafka:R:A:cluster/NAME/UUID) and topic
// ARNs (…:topic/NAME/UUID/TOPIC); without aws_msk_iam_cluster_arn the
// cluster is any of the account's in the brokers' region.
func kafkaOutput(sect *config.Section, s Section, env Env) ([]Requirement, error) {
	arn := param(sect, "aws_msk_iam_cluster_arn")
	iamAuth := flag(sect, "aws_msk_iam", false) || arn != "" || strings.EqualFold(param(sect, "rdkafka.sasl.mechanism"), "aws_msk_iam")
	if !iamAuth {
		return nil, nil
	}
	var region, account, cluster string
	if arn != "" {
		parts := strings.SplitN(arn, ":", 6)
		if len(parts) != 6 || !strings.HasPrefix(parts[5], "cluster/") {
			return nil, fmt.Errorf("aws_msk_iam_cluster_arn %q is not an MSK cluster ARN", arn)
		}
		region, account, cluster = parts[3], parts[4], strings.TrimPrefix(parts[5], "cluster/")
	} else {
		region, account, cluster = mskBrokerRegion(param(sect, "brokers")), env.account(), "*/*"
		if region == "" {
			region = env.region(sect)
		}
	}
	partition := env.partition(region)
	clusterARN := fmt.Sprintf("arn:%s:kafka:%s:%s:cluster/%s", partition, region, account, cluster)
	topicARN := func(t string) string {
		return fmt.Sprintf("arn:%s:kafka:%s:%s:topic/%s/%s", partition, region, account, cluster, t)
	}
	reqs := []Requirement{{Section: s, Action: "kafka-cluster:Connect", Resource: clusterARN, Param: "aws_msk_iam", Reason: "connect and authenticate with IAM"}}
	acks := param(sect, "rdkafka.request.required.acks")
	if a := param(sect, "rdkafka.acks"); a != "" {
		acks = a
	}
	if flag(sect, "rdkafka.enable.idempotence", true) && acks != "0" && acks != "1" {
		reqs = append(reqs, Requirement{Section: s, Action: "kafka-cluster:WriteDataIdempotently", Resource: clusterARN,
			Param: "rdkafka.enable.idempotence", Reason: "the idempotent producer (on by default)"})
	}
	topics := []string{"fluent-bit"}
	if t := param(sect, "topics"); t != "" {
		topics = topics[:0]
		for _, name := range strings.Split(t, ",") {
			if name = strings.TrimSpace(name); name != "" {
				topics = append(topics, name)
			}
		}
	}
	dynamic := flag(sect, "dynamic_topic", false) && param(sect, "topic_key") != ""
	if dynamic {
		topics = []string{"*"}
	}
	for _, t := range topics {
		reqs = append(reqs,
			Requirement{Section: s, Action: "kafka-cluster:DescribeTopic", Resource: topicARN(t), Param: "topics", Reason: "look up the topic's partitions"},
			Requirement{Section: s, Action: "kafka-cluster:WriteData", Resource: topicARN(t), Param: "topics", Reason: "send the records"})
		if dynamic {
			reqs = append(reqs, Requirement{Section: s, Action: "kafka-cluster:CreateTopic", Resource: topicARN(t), Param: "dynamic_topic",
				Reason: "dynamic_topic: topics named by records are created on first use"})
		}
	}
	return reqs, nil
}

// mskBrokerRegion reads the region from the first MSK broker address
// (…kafka.<region>.amazonaws.com:port, or kafka-serverless), or "".
func mskBrokerRegion(brokers string) string {
	first, _, _ := strings.Cut(brokers, ",")
	host, _, _ := strings.Cut(strings.TrimSpace(first), ":")
	labels := strings.Split(host, ".")
	for i := 0; i+3 < len(labels); i++ {
		if (labels[i] == "kafka" || labels[i] == "kafka-serverless") && labels[i+2] == "amazonaws" && labels[i+3] == "com" {
			return labels[i+1]
		}
	}
	return ""
}
