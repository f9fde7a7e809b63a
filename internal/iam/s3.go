package iam

import (
	"fmt"
	"strings"

	"github.com/sluice-logs/sluice/internal/accessor"
	"github.com/sluice-logs/sluice/internal/config"
)

// s3DefaultKeyFormat is Fluent Bit's default s3_key_format.
const s3DefaultKeyFormat = "/fluent-bit-logs/$TAG/%Y/%m/%d/%H/%M/%S"

// s3Output derives the calls of an s3 output. Fluent Bit uploads with the
// multipart API unless use_put_object is on. S3 authorises
// CreateMultipartUpload, UploadPart and CompleteMultipartUpload with
// s3:PutObject, but AbortMultipartUpload with its own s3:AbortMultipartUpload
// (the S3 user guide's "Multipart upload API and permissions"), which Fluent
// Bit calls to discard an upload it cannot complete. A canned_acl sends the
// x-amz-acl header, which S3 authorises with s3:PutObjectAcl as well.
// Every object action is authorised against arn:aws:s3:::BUCKET/KEY (no
// region or account in S3 ARNs).
func s3Output(sect *config.Section, s Section, env Env) ([]Requirement, error) {
	bucket := param(sect, "bucket")
	if bucket == "" {
		return nil, fmt.Errorf("bucket is not set")
	}
	format := param(sect, "s3_key_format")
	if format == "" {
		format = s3DefaultKeyFormat
	}
	key, err := s3KeyPattern(format, flag(sect, "static_file_path", false))
	if err != nil {
		return nil, err
	}
	region := env.region(sect)
	arn := fmt.Sprintf("arn:%s:s3:::%s/%s", env.partition(region), bucket, key)
	rs := []Requirement{{Section: s, Action: "s3:PutObject", Resource: arn, Param: "s3_key_format", Reason: "upload the objects"}}
	if !flag(sect, "use_put_object", false) {
		rs = append(rs, Requirement{Section: s, Action: "s3:AbortMultipartUpload", Resource: arn, Param: "use_put_object",
			Reason: "use_put_object off (multipart uploads): abort an upload that cannot be completed"})
	}
	if param(sect, "canned_acl") != "" {
		rs = append(rs, Requirement{Section: s, Action: "s3:PutObjectAcl", Resource: arn, Param: "canned_acl", Reason: "canned_acl: set the ACL of the objects"})
	}
	return rs, nil
}

// s3KeyPattern turns an s3_key_format into the key pattern it can produce:
// $TAG, $TAG[n], $INDEX, $UUID and strftime conversions (%Y ...) each become
// *. Fluent Bit drops the leading '/' of the format from the object key, and
// unless the format has $UUID or $INDEX, or static_file_path is on, it
// appends a random suffix so keys stay unique, hence the trailing *.
func s3KeyPattern(format string, static bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) {
			if format[i+1] == '%' {
				b.WriteByte('%')
			} else {
				b.WriteByte('*')
			}
			i++
			continue
		}
		b.WriteByte(format[i])
	}
	t, err := accessor.ParseTemplate(b.String())
	if err != nil {
		return "", fmt.Errorf("s3_key_format: %w", err)
	}
	key := strings.TrimLeft(t.Pattern("*"), "/")
	if !static && !strings.Contains(format, "$UUID") && !strings.Contains(format, "$INDEX") {
		key += "*"
	}
	for strings.Contains(key, "**") {
		key = strings.ReplaceAll(key, "**", "*")
	}
	return key, nil
}
