package iam

import (
	"sort"
	"strings"
)

// TeamPolicy is the read-only policy of one team.
type TeamPolicy struct {
	Team   string
	Policy Policy
	// Notes name destinations the team cannot read through IAM on the
	// destination itself (a Firehose stream delivers elsewhere).
	Notes []string
}

// Readers returns one read-only policy per team label (the outputs'
// `team` parameter) covering exactly that team's destinations:
//
//   - cloudwatch_logs: GetLogEvents, FilterLogEvents, DescribeLogStreams
//     and StartQuery on its log groups (log-group:NAME:*, which covers the
//     streams), and GetQueryResults/StopQuery, which have no resource type
//     and need "*", to read Logs Insights results;
//   - s3: GetObject on its key pattern, ListBucket on the bucket limited by
//     an s3:prefix condition to the key prefix;
//   - kinesis_streams: the consumer calls (DescribeStream(Summary),
//     ListShards, GetShardIterator, GetRecords) on its stream;
//   - kinesis_firehose: nothing to read on the delivery stream (records land
//     in its destination), which a note says.
//
// Outputs without a team are not covered; teams are sorted by name.
func Readers(reqs []Requirement) []TeamPolicy {
	byTeam := map[string][]Requirement{}
	for _, r := range reqs {
		if r.Section.Team != "" {
			byTeam[r.Section.Team] = append(byTeam[r.Section.Team], r)
		}
	}
	var teams []string
	for t := range byTeam {
		teams = append(teams, t)
	}
	sort.Strings(teams)
	var out []TeamPolicy
	for _, team := range teams {
		out = append(out, readerPolicy(team, byTeam[team]))
	}
	return out
}

func readerPolicy(team string, reqs []Requirement) TeamPolicy {
	tp := TeamPolicy{Team: team, Policy: Policy{Doc: &Document{Name: team, Version: PolicyVersion}, Serves: map[string]string{}}}
	var groups, objects, streams []string
	buckets := map[string][]string{} // bucket ARN -> key prefixes
	var logSections, s3Sections, kinesisSections []string
	for _, r := range reqs {
		switch r.Action {
		case "logs:PutLogEvents":
			if i := strings.Index(r.Resource, ":log-stream:"); i >= 0 {
				groups = append(groups, r.Resource[:i]+":*")
				logSections = append(logSections, r.Section.String())
			}
		case "s3:PutObject":
			bucket, key, _ := strings.Cut(strings.TrimPrefix(r.Resource, "arn:"), "/")
			bucketARN := "arn:" + bucket
			objects = append(objects, r.Resource)
			prefix := key
			if i := strings.IndexAny(key, "*?"); i >= 0 {
				prefix = key[:i]
			}
			buckets[bucketARN] = append(buckets[bucketARN], prefix+"*")
			s3Sections = append(s3Sections, r.Section.String())
		case "kinesis:PutRecords":
			streams = append(streams, r.Resource)
			kinesisSections = append(kinesisSections, r.Section.String())
		case "firehose:PutRecordBatch":
			tp.Notes = append(tp.Notes, r.Section.String()+": a Firehose delivery stream cannot be read; grant read access on its destination")
		}
	}
	sid := sidOf(team)
	add := func(suffix string, actions []string, resources []string, cond Condition, sections []string) {
		st := Statement{Sid: sid + suffix, Effect: Allow, Action: Strings(actions), Resource: Strings(uniqueSorted(resources)), Condition: cond}
		tp.Policy.Doc.Statement = append(tp.Policy.Doc.Statement, st)
		tp.Policy.Serves[st.Sid] = strings.Join(uniqueSorted(sections), "; ")
	}
	if len(groups) > 0 {
		add("ReadLogs", []string{"logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartQuery"}, groups, nil, logSections)
		add("QueryResults", []string{"logs:GetQueryResults", "logs:StopQuery"}, []string{"*"}, nil, logSections)
	}
	if len(objects) > 0 {
		add("ReadObjects", []string{"s3:GetObject"}, objects, nil, s3Sections)
		var arns []string
		for b := range buckets {
			arns = append(arns, b)
		}
		sort.Strings(arns)
		for i, b := range arns {
			suffix := "ListBucket"
			if i > 0 {
				suffix += string(rune('A' + i))
			}
			add(suffix, []string{"s3:ListBucket"}, []string{b},
				Condition{"StringLike": {"s3:prefix": Strings(uniqueSorted(buckets[b]))}}, s3Sections)
		}
	}
	if len(streams) > 0 {
		add("ReadStreams", []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"}, streams, nil, kinesisSections)
	}
	return tp
}
