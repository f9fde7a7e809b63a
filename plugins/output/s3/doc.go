// Package s3 implements the s3 output: records are buffered in files under
// store_dir and uploaded as S3 objects of JSON lines, with multipart
// uploads (the default) or PutObject (use_put_object).
//
// # How data flows
//
// Flush serialises a chunk (each record as JSON with json_date_key added in
// json_date_format, or only log_key's value) and appends it to the buffer
// file of its tag; it returns once the bytes are in the file, so the
// engine's retries cover getting records into store_dir (a full disk, a
// read-only directory). An uploader goroutine, started when the pipeline
// starts (plugin.Starter; or by the first Flush if that failed) and stopped
// by Close, then:
//
//   - uploads a part (UploadPart, after CreateMultipartUpload) each time a
//     file holds upload_chunk_size bytes not yet uploaded;
//   - completes the object (the rest as the last part, which S3 lets be
//     under 5 MiB, then CompleteMultipartUpload) when the file reaches
//     total_file_size, when upload_timeout has passed since the file's
//     first record, or before the 10,000th part; an object smaller than
//     one part is sent with PutObject instead;
//   - with use_put_object, sends each file with one PutObject at
//     total_file_size or upload_timeout.
//
// Keys come from s3_key_format, rendered when a file starts: strftime of
// the first record's time (UTC), $TAG, $TAG[n] (the tag split on any of
// s3_key_format_tag_delimiters), $INDEX (a counter persisted in
// store_dir) and $UUID (eight random characters). With use_put_object
// and without $UUID, a random suffix is appended unless static_file_path
// is on, as in Fluent Bit. A key that would overwrite an object still
// buffered or the tag's previous object (records of the same second) gets
// a random suffix too: Fluent Bit would overwrite it.
//
// # Restarts
//
// Each file's metadata (<seq>.json beside <seq>.data) records its tag, key,
// multipart upload ID and uploaded parts, rewritten atomically after each
// step. Part n always holds the same byte range of the file, so a part
// re-sent after a crash replaces itself in S3 and never duplicates data;
// a PutObject re-sent writes the same key. Close completes every upload
// within the grace period; what remains (and what a killed process left)
// is resumed by the next run with the same store_dir as soon as it starts,
// whether or not new records arrive: the files are sealed, their multipart
// uploads continued and completed.
//
// # Failures
//
// An upload error is classified by package awsconf and logged; the object
// is retried with capped exponential backoff (1 s to 1 min) up to
// Retry_Limit failed attempts (Fluent Bit's default for s3 is 1), after
// which its multipart upload is aborted and its data moved to
// store_dir/failed for the operator, never deleted. An upload cut short by
// shutdown does not count as a failure, and Close gives nothing up: what it
// cannot send stays in store_dir for the next run. With
// preserve_data_ordering (the default) a tag's objects are completed in
// order: one waiting for a retry holds back the later ones.
// store_dir_limit_size bounds the buffered bytes; chunks beyond it are
// dropped with plugin.Permanent, so the engine counts them.
//
// # Differences from Fluent Bit
//
//   - With compression gzip, each chunk is compressed when it is buffered
//     (one gzip member per chunk; their concatenation is one valid gzip
//     object), so parts are always full and total_file_size and
//     upload_chunk_size count compressed bytes. Fluent Bit compresses at
//     upload time and falls back to PutObject when a compressed part is
//     under 5 MiB.
//   - A custom endpoint is addressed path-style (bucket in the path), as
//     S3-compatible stores and emulators need.
package s3
