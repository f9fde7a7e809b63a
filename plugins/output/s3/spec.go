package s3

import (
	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/plugin"
)

// Spec declares the s3 output with Fluent Bit's parameters and defaults.
func Spec() plugin.Spec {
	params := []plugin.Param{
		{Name: "bucket", Required: true, Doc: "S3 bucket the objects are written to"},
		{Name: "total_file_size", Type: plugin.TypeSize, Default: "100000000", Min: 1 << 20, Max: 50 << 30,
			Doc: "size at which an object is completed (1M to 1G with use_put_object, to 50G with multipart uploads)"},
		{Name: "upload_chunk_size", Type: plugin.TypeSize, Default: "5242880", Min: 5 << 20, Max: 50 << 20,
			Doc: "size of each part of a multipart upload (5M to 50M)"},
		{Name: "upload_timeout", Type: plugin.TypeDuration, Default: "10m", Doc: "complete an object this long after its first record, even if it is smaller than total_file_size"},
		{Name: "store_dir", Default: "/tmp/fluent-bit/s3", Doc: "directory where data is buffered before upload; it survives restarts, and uploads resume from it"},
		{Name: "store_dir_limit_size", Type: plugin.TypeSize, Default: "0", Doc: "most bytes buffered in store_dir; records beyond it are dropped (0: no limit)"},
		{Name: "s3_key_format", Default: "/fluent-bit-logs/$TAG/%Y/%m/%d/%H/%M/%S",
			Doc: "object key: strftime of the first record's time, $TAG, $TAG[n], $INDEX (persisted in store_dir) and $UUID (8 random characters)"},
		{Name: "s3_key_format_tag_delimiters", Default: ".", Doc: "characters that split the tag into the parts of $TAG[n]"},
		{Name: "static_file_path", Type: plugin.TypeBool, Default: "false", Doc: "with use_put_object, do not append a random suffix to keys without $UUID"},
		{Name: "use_put_object", Type: plugin.TypeBool, Default: "false", Doc: "upload each object with one PutObject instead of a multipart upload"},
		{Name: "compression", Options: []string{"gzip"}, Doc: "compress objects with gzip (Content-Encoding: gzip)"},
		{Name: "content_type", Doc: "Content-Type of the objects"},
		{Name: "canned_acl", Doc: "canned ACL of the objects (e.g. bucket-owner-full-control)",
			Options: []string{"private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control"}},
		{Name: "storage_class", Doc: "storage class of the objects (e.g. STANDARD_IA); STANDARD when unset",
			Options: []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE"}},
		{Name: "json_date_key", Default: "date", Doc: "key of the record time added to each record; false to add none"},
		{Name: "json_date_format", Default: "iso8601", Options: []string{"double", "epoch", "epoch_ms", "iso8601", "java_sql_timestamp"},
			Doc: "format of json_date_key: double, epoch, epoch_ms, iso8601 or java_sql_timestamp"},
		{Name: "log_key", Doc: "write only the value of this key (a string as is, other values as JSON) instead of the whole record"},
		{Name: "send_content_md5", Type: plugin.TypeBool, Default: "false", Doc: "send Content-MD5 with PutObject and UploadPart (required by Object Lock)"},
		{Name: "preserve_data_ordering", Type: plugin.TypeBool, Default: "true", Doc: "upload a tag's objects in order: a failed upload holds back the tag's later objects"},
		{Name: "Retry_Limit", Default: "1", Doc: "failed upload attempts of an object before it is given up (moved to store_dir/failed); also the engine's chunk retries",
			Check: func(raw string) error { _, err := plugin.ParseRetryLimit(raw); return err }},
	}
	return plugin.Spec{
		Kind:    plugin.KindOutput,
		Name:    "s3",
		Summary: "buffer records in store_dir and upload them as S3 objects (multipart or PutObject), resuming after a restart",
		Params:  append(params, awsconf.Params()...),
		Examples: []string{
			`[OUTPUT]
    Name             s3
    Match            *
    bucket           my-bucket
    region           us-east-1
    total_file_size  50M
    upload_timeout   10m
    store_dir        /var/lib/sluice/s3`,
			`[OUTPUT]
    Name                          s3
    Match                         app.*
    bucket                        my-bucket
    region                        us-west-2
    use_put_object                on
    total_file_size               1M
    upload_timeout                1m
    compression                   gzip
    s3_key_format                 /$TAG[1]/$TAG[0]/%Y/%m/%d/%H/%M/%S/$UUID.gz
    s3_key_format_tag_delimiters  .-`,
		},
		NewOutput: func(s plugin.Settings) (plugin.Output, error) { return New(s) },
	}
}
