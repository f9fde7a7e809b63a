package iam

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Env is the account context requirements are derived in: the region an
// output without a region parameter uses, the account and the partition.
// Empty Region and Account become AnyRegion and AnyAccount.
type Env struct {
	Region    string
	Account   string
	Partition string
}

func (e Env) region(sect *config.Section) string {
	if r := param(sect, "region"); r != "" {
		return r
	}
	if e.Region != "" {
		return e.Region
	}
	return AnyRegion
}

func (e Env) account() string {
	if e.Account != "" {
		return e.Account
	}
	return AnyAccount
}

// partition returns the partition of region: aws, aws-cn for cn-*, aws-us-gov
// for us-gov-*, unless Env names one.
func (e Env) partition(region string) string {
	switch {
	case e.Partition != "":
		return e.Partition
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Section identifies the config section a requirement serves.
type Section struct {
	// ID is the instance name the engine gives the section: its Alias, or
	// "<plugin>.<n>" counting that plugin's outputs from 0.
	ID     string
	Plugin string
	Pos    config.Position
	// Team is the section's team label, for Readers.
	Team string
}

// String renders "[OUTPUT] cloudwatch_logs (cloudwatch_logs.0) at extra.conf:9".
func (s Section) String() string {
	out := fmt.Sprintf("[OUTPUT] %s (%s)", s.Plugin, s.ID)
	if s.Pos.File != "" || s.Pos.Line != 0 {
		out += " at " + s.Pos.String()
	}
	return out
}

// Requirement is one call an output will make: the IAM action, the ARN AWS
// authorises it against (with * where a template makes the name vary per
// record), the section it serves and why it is needed.
type Requirement struct {
	Section Section
	Action  string
	// Resource is the ARN AWS evaluates the call against.
	Resource string
	// Grant is the resource the generated policy names for it, when it
	// differs from Resource (a log group's calls are evaluated against
	// log-group:NAME:log-stream: but granted on the documented
	// log-group:NAME:* form).
	Grant string
	// Param is the parameter that causes the call ("auto_create_group").
	Param  string
	Reason string
	// Principal is "" for the calls made with the process's own
	// credentials (the task role), or the role_arn the output assumes
	// first: those calls need that role's policy, not the task role's.
	Principal string
}

// grant returns the resource to write in a policy for r.
func (r Requirement) grant() string {
	if r.Grant != "" {
		return r.Grant
	}
	return r.Resource
}

// deriver derives the requirements of one output plugin's section.
type deriver func(sect *config.Section, s Section, env Env) ([]Requirement, error)

// derivers lists the AWS outputs by Fluent Bit plugin name.
var derivers = map[string]deriver{
	"cloudwatch_logs":  cloudWatchLogs,
	"kafka":            kafkaOutput,
	"kinesis_firehose": kinesisFirehose,
	"kinesis_streams":  kinesisStreams,
	"s3":               s3Output,

	// HTTP outputs with AWS_Auth on (sigv4.go).
	"es":                      sigv4Output("aws_service_name", "es"),
	"opensearch":              sigv4Output("aws_service_name", "es"),
	"http":                    sigv4Output("aws_service", ""),
	"prometheus_remote_write": sigv4Output("aws_service", "aps"),
}

// Derive returns every call the AWS outputs of m will make, in config order.
// Outputs of other plugins are skipped. An AWS output that sets role_arn
// needs sts:AssumeRole from the process's credentials, and its service
// calls are attributed to that role.
func Derive(m *config.Model, env Env) ([]Requirement, error) {
	var reqs []Requirement
	var errs []string
	counts := map[string]int{}
	for i := range m.Outputs {
		sect := &m.Outputs[i]
		name := sect.Name()
		s := Section{ID: fmt.Sprintf("%s.%d", name, counts[name]), Plugin: name, Pos: sect.Pos, Team: param(sect, "team")}
		counts[name]++
		if alias := param(sect, "alias"); alias != "" {
			s.ID = alias
		}
		derive, ok := derivers[name]
		if !ok {
			continue
		}
		rs, err := derive(sect, s, env)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", s, err))
			continue
		}
		roleParam := "role_arn"
		role := param(sect, roleParam)
		if role == "" && len(rs) > 0 {
			roleParam = "AWS_Role_ARN" // the SigV4 HTTP outputs' name for it
			role = param(sect, roleParam)
		}
		if role != "" {
			for j := range rs {
				rs[j].Principal = role
			}
			rs = append([]Requirement{{
				Section: s, Action: "sts:AssumeRole", Resource: role, Param: roleParam,
				Reason: roleParam + ": the output assumes this role; its own calls then need the role's policy",
			}}, rs...)
		}
		reqs = append(reqs, rs...)
	}
	if len(errs) > 0 {
		return reqs, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return reqs, nil
}

// param returns a section parameter's value, trimmed.
func param(sect *config.Section, key string) string {
	v, _ := sect.Get(key)
	return strings.TrimSpace(v)
}

// flag returns a boolean parameter, with Fluent Bit's spellings; an
// invalid value is reported by `sluice validate`, and counts as def here.
func flag(sect *config.Section, key string, def bool) bool {
	v := param(sect, key)
	if v == "" {
		return def
	}
	b, err := plugin.ParseBool(v)
	if err != nil {
		return def
	}
	return b
}

// dedupe drops repeated (principal, action, resource) requirements, keeping
// the first, and orders nothing else.
func dedupe(rs []Requirement) []Requirement {
	seen := map[[3]string]bool{}
	out := rs[:0]
	for _, r := range rs {
		k := [3]string{r.Principal, r.Action, r.Resource}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out
}

// uniqueSorted returns the distinct strings of in, sorted.
func uniqueSorted(in []string) []string {
	m := map[string]bool{}
	var out []string
	for _, s := range in {
		if !m[s] {
			m[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// OutputsRegion returns the region parameter the AWS outputs of m share,
// or "" when they set none or several: the region a template for the same
// deployment most likely resolves AWS::Region to.
func OutputsRegion(m *config.Model) string {
	var region string
	for i := range m.Outputs {
		if _, aws := derivers[m.Outputs[i].Name()]; !aws {
			continue
		}
		r := param(&m.Outputs[i], "region")
		if r == "" || (region != "" && r != region) {
			return ""
		}
		region = r
	}
	return region
}
