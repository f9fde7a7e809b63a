package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/iam"
)

// exitDenied is `sluice iam check`'s status when a required permission is
// missing.
const exitDenied = 1

const iamUsage = `Usage:
  sluice iam policy  -c CONFIG [--region R] [--account A] [--format json|cloudformation|terraform]
  sluice iam check   -c CONFIG (--policy FILE... | --cloudformation TEMPLATE [--role LOGICAL_ID] [--param KEY=VALUE...])
                     [--region R] [--account A]
  sluice iam readers -c CONFIG [--region R] [--account A] [--format json|cloudformation|terraform]

policy   prints the least-privilege IAM policy of the AWS outputs of CONFIG, each
         statement naming the [OUTPUT] section it serves.
check    evaluates policy files, or the policies a CloudFormation template attaches
         to the task role, against every call CONFIG makes; prints each missing
         permission and each excess grant; exit status 1 when something is missing.
readers  prints one read-only policy per team (the outputs' team parameter).

--region and --account fill in ARNs for outputs without a region parameter and
for a template's ${AWS::Region}/${AWS::AccountId}. Without --region, a template's
region is the one the AWS outputs share; without --account, any account is
accepted (shown as ${Account}). Calls an output makes after assuming its
role_arn are listed as NOT CHECKED: they need that role's policy.
`

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func iamCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, iamUsage)
		return exitConfig
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, iamUsage)
		return exitOK
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("sluice iam "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, iamUsage) }
	var (
		configFile, region, account, format, template, role string
		policies, params                                    stringList
	)
	fs.StringVar(&configFile, "c", "", "configuration file")
	fs.StringVar(&configFile, "config", "", "configuration file")
	fs.StringVar(&region, "region", "", "region of ARNs whose output has no region parameter")
	fs.StringVar(&account, "account", "", "AWS account ID of the ARNs")
	fs.StringVar(&format, "format", "json", "json, cloudformation or terraform")
	fs.Var(&policies, "policy", "IAM policy document (JSON) to check; repeatable")
	fs.StringVar(&template, "cloudformation", "", "CloudFormation template (YAML or JSON) to check")
	fs.StringVar(&role, "role", "", "logical ID of the role in the template")
	fs.Var(&params, "param", "template parameter KEY=VALUE; repeatable")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitConfig
	}
	if configFile == "" {
		fmt.Fprintln(stderr, "error: sluice iam "+sub+": -c CONFIG is required")
		return exitConfig
	}
	model, _, err := config.Load(configFile)
	if err != nil {
		printConfigError(stderr, err)
		return exitConfig
	}
	if region == "" {
		region = iam.OutputsRegion(model)
	}
	reqs, err := iam.Derive(model, iam.Env{Region: region, Account: account})
	if err != nil {
		printConfigError(stderr, err)
		return exitConfig
	}
	switch sub {
	case "policy", "readers":
		f, err := iam.ParseFormat(format)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitConfig
		}
		if sub == "policy" {
			return iamPolicy(reqs, f, configFile, stdout, stderr)
		}
		return iamReaders(reqs, f, configFile, stdout, stderr)
	case "check":
		docs, notes, err := iamLoadPolicies(policies, template, role, params, region, account)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitConfig
		}
		for _, n := range notes {
			fmt.Fprintf(stdout, "NOTE    %s\n", n)
		}
		rep := iam.Check(reqs, docs)
		rep.Write(stdout)
		if !rep.OK() {
			return exitDenied
		}
		return exitOK
	}
	fmt.Fprintf(stderr, "error: unknown command 'sluice iam %s'\n%s", sub, iamUsage)
	return exitConfig
}

func iamPolicy(reqs []iam.Requirement, f iam.Format, source string, stdout, stderr io.Writer) int {
	if len(reqs) == 0 {
		fmt.Fprintf(stderr, "error: %s has no AWS output (cloudwatch_logs, kinesis_firehose, kinesis_streams, s3): no policy is needed\n", source)
		return exitConfig
	}
	if err := iam.Render(stdout, iam.Generate(reqs), f, source); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitRuntime
	}
	return exitOK
}

func iamReaders(reqs []iam.Requirement, f iam.Format, source string, stdout, stderr io.Writer) int {
	teams := iam.Readers(reqs)
	if len(teams) == 0 {
		fmt.Fprintf(stderr, "error: no AWS output of %s has a team parameter (e.g. `team secops`)\n", source)
		return exitConfig
	}
	for _, t := range teams {
		for _, n := range t.Notes {
			fmt.Fprintf(stderr, "note: team %s: %s\n", t.Team, n)
		}
		if len(t.Policy.Doc.Statement) == 0 {
			continue
		}
		if f == iam.FormatJSON {
			fmt.Fprintf(stdout, "// team %s\n", t.Team)
		}
		if err := iam.Render(stdout, []iam.Policy{t.Policy}, f, source+" (team "+t.Team+")"); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitRuntime
		}
	}
	return exitOK
}

// iamLoadPolicies reads the policies to check: --policy files, or the
// documents a template attaches to its role.
func iamLoadPolicies(files []string, template, role string, params []string, region, account string) ([]*iam.Document, []string, error) {
	switch {
	case len(files) > 0 && template != "":
		return nil, nil, fmt.Errorf("sluice iam check: give --policy or --cloudformation, not both")
	case len(files) > 0:
		var docs []*iam.Document
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				return nil, nil, err
			}
			d, err := iam.ParsePolicy(f, src)
			if err != nil {
				return nil, nil, err
			}
			docs = append(docs, d)
		}
		return docs, nil, nil
	case template != "":
		opts := iam.TemplateOptions{Role: role, Region: region, Account: account, Params: map[string]string{}}
		for _, p := range params {
			k, v, ok := strings.Cut(p, "=")
			if !ok {
				return nil, nil, fmt.Errorf("--param %q: write KEY=VALUE", p)
			}
			opts.Params[k] = v
		}
		src, err := os.ReadFile(template)
		if err != nil {
			return nil, nil, err
		}
		rp, err := iam.ResolveTemplate(template, src, opts)
		if err != nil {
			return nil, nil, err
		}
		notes := rp.Notes
		if rp.Role != "" {
			notes = append([]string{fmt.Sprintf("checking the policies of role %s in %s", rp.Role, template)}, notes...)
		}
		return rp.Policies, notes, nil
	}
	return nil, nil, fmt.Errorf("sluice iam check: give the policies to check: --policy FILE or --cloudformation TEMPLATE")
}
