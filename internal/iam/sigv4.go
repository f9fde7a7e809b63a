package iam

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/sluice-logs/sluice/internal/config"
)

// The HTTP outputs that sign their requests with SigV4 (AWS_Auth on) call
// an AWS data plane: es and opensearch post /_bulk to an Amazon OpenSearch
// Service domain (es:ESHttpPost on the domain's paths) or an OpenSearch
// Serverless collection (aoss:APIAccessAll), prometheus_remote_write posts
// to an Amazon Managed Service for Prometheus workspace (aps:RemoteWrite),
// and http posts to whatever AWS_Service names — OpenSearch Ingestion
// (osis:Ingest) among them. The resource comes from Host (the domain,
// collection or pipeline name in the endpoint) or, for aps, from URI.

// sigv4Output returns the deriver of an HTTP output whose service
// parameter (AWS_Service_Name or AWS_Service) defaults to def.
func sigv4Output(serviceParam, def string) deriver {
	return func(sect *config.Section, s Section, env Env) ([]Requirement, error) {
		if !flag(sect, "aws_auth", false) {
			return nil, nil // no AWS credentials used
		}
		service := strings.ToLower(param(sect, serviceParam))
		if service == "" {
			service = def
		}
		host := strings.ToLower(param(sect, "host"))
		region := param(sect, "aws_region")
		if region == "" {
			region = regionOfEndpoint(host)
		}
		if region == "" {
			region = env.region(sect)
		}
		arn := func(resource string) string {
			return fmt.Sprintf("arn:%s:%s:%s:%s:%s", env.partition(region), service, region, env.account(), resource)
		}
		req := Requirement{Section: s, Param: "AWS_Auth"}
		switch service {
		case "es":
			req.Action = "es:ESHttpPost"
			req.Resource = arn("domain/" + endpointName(host, "search-", "vpc-") + "/_bulk")
			req.Grant = arn("domain/" + endpointName(host, "search-", "vpc-") + "/*")
			req.Param = "Host"
			req.Reason = "post the records to the domain's _bulk API, signed with SigV4"
		case "aoss":
			req.Action = "aoss:APIAccessAll"
			req.Resource = arn("collection/" + firstLabel(host))
			req.Param = "Host"
			req.Reason = "post the records to the collection's _bulk API (the collection's data access policy must also allow aoss:WriteDocument on the index)"
		case "aps":
			req.Action = "aps:RemoteWrite"
			req.Resource = arn("workspace/" + workspaceOfURI(param(sect, "uri")))
			req.Param = "uri"
			req.Reason = "send the samples to the workspace's remote_write endpoint"
		case "osis":
			req.Action = "osis:Ingest"
			req.Resource = arn("pipeline/" + endpointName(host))
			req.Param = "Host"
			req.Reason = "post the records to the OpenSearch Ingestion pipeline"
		default:
			return nil, fmt.Errorf("%s %s: Sluice does not know the IAM actions of this service; write that statement by hand", serviceParam, service)
		}
		return []Requirement{req}, nil
	}
}

// regionPattern finds the region in an AWS endpoint such as
// search-logs-abc.eu-west-1.es.amazonaws.com or
// aps-workspaces.us-east-1.amazonaws.com.
var regionPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.(?:[a-z0-9-]+\.)?amazonaws\.com(?:\.cn)?$`)
})

func regionOfEndpoint(host string) string {
	if m := regionPattern().FindStringSubmatch(host); m != nil {
		return m[1]
	}
	return ""
}

// endpointName returns the resource name in an endpoint of the form
// [prefix]NAME-RANDOM.region.service.amazonaws.com (an OpenSearch domain's
// search-NAME-RANDOM, an ingestion pipeline's NAME-RANDOM), or * when host
// is not such an endpoint (a custom domain, a proxy).
func endpointName(host string, prefixes ...string) string {
	label := firstLabel(host)
	if label == "*" || regionOfEndpoint(host) == "" {
		return "*"
	}
	for _, p := range prefixes {
		label = strings.TrimPrefix(label, p)
	}
	if i := strings.LastIndexByte(label, '-'); i > 0 {
		return label[:i]
	}
	return "*"
}

// firstLabel returns host's first DNS label, or * for an empty host or an
// IP address.
func firstLabel(host string) string {
	label, _, _ := strings.Cut(host, ".")
	if label == "" || strings.Trim(label, "0123456789") == "" {
		return "*"
	}
	return label
}

// workspaceOfURI returns ws-ID in /workspaces/ws-ID/api/v1/remote_write, or *.
func workspaceOfURI(uri string) string {
	parts := strings.Split(strings.Trim(uri, "/"), "/")
	for i, p := range parts {
		if p == "workspaces" && i+1 < len(parts) && parts[i+1] != "" {
			return parts[i+1]
		}
	}
	return "*"
}
