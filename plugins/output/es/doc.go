// Package es implements Fluent Bit's es output (and, through package
// opensearch, its opensearch output): it indexes records into
// Elasticsearch or OpenSearch with the _bulk API, on the shared HTTP client
// of internal/httpout (TLS, gzip, basic auth, SigV4 for Amazon OpenSearch
// Service with AWS_Auth).
//
// # Fluent Bit parity
//
// Parameters and defaults are those of plugins/out_es: Index fluent-bit,
// Type _doc, Logstash_Format with Logstash_Prefix (logstash),
// Logstash_Prefix_Key, Logstash_Prefix_Separator (-) and
// Logstash_DateFormat (%Y.%m.%d), Time_Key @timestamp with
// Time_Key_Format %Y-%m-%dT%H:%M:%S plus milliseconds (Time_Key_Nanos:
// nanoseconds) and Z, Include_Tag_Key/Tag_Key (_flb-key), Generate_ID,
// Id_Key, Write_Operation (create, index, update, upsert),
// Suppress_Type_Name, Replace_Dots, Current_Time_Index, Trace_Output,
// Trace_Error, Path, Pipeline, HTTP_User/HTTP_Passwd, AWS_Auth,
// AWS_Region, AWS_Role_ARN, AWS_External_ID, AWS_STS_Endpoint,
// AWS_Service_Name (es; aoss for OpenSearch Serverless), AWS_Profile and
// tls*.
//
// # Per-document results
//
// A bulk request succeeds as a whole (200) while single documents fail.
// The response's items are matched to the records of the request, and:
//
//   - 2xx, and 409 on a create (the _id is already indexed: a document
//     sent again after a partial failure, with Generate_ID or Id_Key), are
//     delivered;
//   - 429 (es_rejected_execution_exception) and 5xx are retried, alone;
//   - any other status (400 mapper_parsing_exception, ...) drops that
//     document only, counted and logged (dead-lettered with
//     storage.keep.rejected) — plugin.PartialRejected.
//
// A whole request answered 429 or 503 is throttled, 5xx retried, other 4xx
// permanent (see internal/httpout). The response is decoded only when it
// says "errors": true. A chunk whose bulk body would pass 5 MiB is sent in
// several requests.
//
// # Differences
//
//   - Fluent Bit retries the whole chunk when any document fails, so one
//     document with a mapping error is resent forever (or until
//     Retry_Limit drops the whole chunk); Sluice drops just that document.
//   - Generate_ID derives the _id from a SHA-256 of the record's time and
//     document (Fluent Bit hashes with MurmurHash3); ids differ from Fluent
//     Bit's but are equally stable.
//   - Buffer_Size is accepted; the response is always read whole (up to
//     64 MiB) because every document's result is needed.
//   - Cloud_ID, Cloud_Auth and HTTP_API_Key are not supported yet.
package es
