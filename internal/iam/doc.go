// Package iam knows which AWS calls a Sluice configuration makes and what an
// IAM policy lets those calls do.
//
//   - A policy model (Document, Statement) reads IAM JSON policy documents
//     with every string-or-list form AWS accepts.
//   - Evaluate applies AWS's evaluation logic for identity-based policies
//     within one account: an explicit Deny wins, else an Allow, else the
//     request is implicitly denied. Actions match case-insensitively, resource
//     ARNs case-sensitively, both with the * and ? wildcards; Conditions use the
//     operators a log router's calls meet (String*, Arn*, Bool, Null, the
//     IfExists variants, ForAnyValue/ForAllValues).
//   - Derive turns each AWS output section of a config.Model into the calls
//     it will make (Requirement: action, resource ARN, section, reason), one
//     file per service (sigv4.go for the HTTP outputs with AWS_Auth on:
//     OpenSearch, OpenSearch Serverless, Managed Prometheus, OpenSearch
//     Ingestion). Templates (log_group_template, s3_key_format) become
//     wildcard resources through accessor.Template.Pattern.
//   - Generate builds the least-privilege policy of those requirements,
//     Check compares a policy with them (missing permissions, excess grants),
//     Readers builds per-team read-only policies, and FixStatement tells an
//     operator which statement would end an AccessDenied at run time.
//   - ResolveTemplate reads a CloudFormation template (YAML with short-form
//     tags, or JSON), resolves the intrinsic functions and returns the policy
//     documents attached to a role.
//
// What it does not model: resource-based policies, permission boundaries,
// SCPs and session policies (a log router's task role meets none of them in
// the cases this package serves), and AWS managed policies, which are not in
// a template and are reported as not evaluated.
package iam
