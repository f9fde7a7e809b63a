// Package cloudwatch accepts the output of aws-for-fluent-bit's Go plugin
// `cloudwatch` (amazon-cloudwatch-logs-for-fluent-bit, loaded there with
// -e /fluent-bit/cloudwatch.so), with its own parameters, and serves it
// with Sluice's cloudwatch_logs output, logging a notice that says so.
//
// # Mapping
//
//   - region, log_stream_prefix, log_key, log_format, role_arn,
//     auto_create_group, new_log_group_tags, log_retention_days,
//     endpoint, sts_endpoint, external_id, metric_namespace and
//     metric_dimensions keep their meaning under the same names.
//   - log_group_name and log_stream_name may be templates, written $(var)
//     (or the older #(var)): $(tag) and $(tag[N]) become $TAG and $TAG[N],
//     $(key['sub']) the record accessor $key['sub']. A template becomes
//     log_group_template / log_stream_template, with
//     default_log_group_name (fluentbit-default) and
//     default_log_stream_name (/fluentbit-default) as the names used when
//     a record lacks a variable — the Go plugin's fallbacks.
//   - $(ecs_cluster) and $(ecs_task_arn) read the record fields FireLens
//     adds (enable-ecs-log-metadata, on by default); $(ecs_task_id), which
//     the Go plugin reads from the task metadata endpoint, is not
//     supported (a configuration error says so).
//   - auto_create_stream (streams are always created) and
//     experimental_concurrency/experimental_concurrency_retries (use
//     Workers) are accepted and ignored, with the notice.
//   - credentials_endpoint is a configuration error: set
//     AWS_CONTAINER_CREDENTIALS_FULL_URI instead.
package cloudwatch
