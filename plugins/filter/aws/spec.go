package aws

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the aws filter: its parameters and defaults are Fluent
// Bit's (plugins/filter_aws/aws.c config_map).
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "aws",
		Summary: "enrich records with the EC2 instance's metadata (IMDS): availability zone, instance ID and type, IP, VPC, account, tags",
		Params: []plugin.Param{
			{Name: "imds_version", Default: "v2", Options: []string{"v1", "v2"}, Doc: "instance metadata service version; v2 uses a session token (a container may need a hop limit of 2, or v1)"},
			{Name: "az", Type: plugin.TypeBool, Default: "true", Doc: "add the availability zone as az"},
			{Name: "ec2_instance_id", Type: plugin.TypeBool, Default: "true", Doc: "add the instance ID as ec2_instance_id"},
			{Name: "ec2_instance_type", Type: plugin.TypeBool, Default: "false", Doc: "add the instance type as ec2_instance_type"},
			{Name: "private_ip", Type: plugin.TypeBool, Default: "false", Doc: "add the private IPv4 address as private_ip"},
			{Name: "vpc_id", Type: plugin.TypeBool, Default: "false", Doc: "add the VPC ID as vpc_id"},
			{Name: "ami_id", Type: plugin.TypeBool, Default: "false", Doc: "add the AMI ID as ami_id"},
			{Name: "account_id", Type: plugin.TypeBool, Default: "false", Doc: "add the AWS account ID as account_id"},
			{Name: "hostname", Type: plugin.TypeBool, Default: "false", Doc: "add the instance's private host name as hostname"},
			{Name: "tags_enabled", Type: plugin.TypeBool, Default: "false", Doc: "add the instance's tags, one key each (needs instance metadata tags enabled on the instance)"},
			{Name: "tags_include", Type: plugin.TypeCommaList, Doc: "only these tag keys (comma-separated); excludes tags_exclude"},
			{Name: "tags_exclude", Type: plugin.TypeCommaList, Doc: "all tag keys but these (comma-separated); excludes tags_include"},
			{Name: "retry_interval_s", Type: plugin.TypeInt, Default: "300", Min: 1, Max: 86400, Doc: "longest pause, in seconds, between attempts to fetch metadata that is still missing"},
		},
		Examples: []string{
			`[FILTER]
    Name               aws
    Match              *
    imds_version       v2
    ec2_instance_type  true
    private_ip         true
    account_id         true`,
			`[FILTER]
    Name          aws
    Match         *
    tags_enabled  true
    tags_include  Name,team`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
