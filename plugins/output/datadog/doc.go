// Package datadog implements Fluent Bit's datadog output: it sends records
// to Datadog's logs intake (POST /api/v2/logs with the DD-API-KEY header),
// on the shared client of internal/httpout.
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/out_datadog: Host
// http-intake.logs.datadoghq.com, Port 443, URI /api/v2/logs, apikey
// (required), compress gzip, dd_service, dd_source, dd_tags, dd_hostname,
// dd_message_key, provider ecs, include_tag_key with tag_key (tagkey),
// json_date_key (timestamp), Proxy and tls* (set tls on for Datadog).
//
// Each request is a JSON array of log objects:
//
//	{"timestamp":1704067200000,"ddsource":"nginx","service":"web","hostname":"h","ddtags":"env:prod","message":"...", ...record fields}
//
// timestamp is the record time in milliseconds. ddsource, service,
// hostname and ddtags are added only when the record does not have them.
// dd_message_key renames that field of the record to message. With
// provider ecs, the FireLens metadata fields (ecs_cluster, ecs_task_arn,
// ecs_task_definition, container_id, container_name) are turned into
// tags (cluster_name:, task_arn:, task_family: and task_version:,
// container_id:, container_name:) appended to ddtags, as Fluent Bit's
// remapping does.
//
// A request holds at most 1000 logs and 5 MiB, Datadog's intake limits.
// Responses as in internal/httpout: 2xx (Datadog answers 202) delivered,
// 429/503 throttled, 5xx retried, 403 (bad API key) retried with a
// message, 400 and 413 permanent.
package datadog
