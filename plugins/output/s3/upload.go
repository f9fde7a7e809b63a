package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluice-logs/sluice/internal/awsconf"
)

// uploadTick is how often the uploader looks for due uploads besides the
// wake-ups of Flush: upload_timeout is honoured to within it.
const uploadTick = time.Second

// run is the uploader goroutine, owned by the Output and stopped by Close.
func (o *Output) run(ctx context.Context) {
	defer close(o.done)
	tick := time.NewTicker(uploadTick)
	defer tick.Stop()
	o.pass(ctx, false)
	for {
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-tick.C:
		}
		o.pass(ctx, false)
	}
}

// action is what an upload pass does with a file.
type action uint8

const (
	actNone   action = iota
	actParts         // upload the full parts buffered so far
	actFinish        // upload the rest and complete the object
)

// due decides what to do with f now. final finishes everything (shutdown).
// Called with o.mu held.
func (o *Output) due(f *bufferFile, now time.Time, final bool) action {
	finish := final || f.sealed || f.size >= o.totalSize || now.Sub(f.meta.Created) >= o.timeout ||
		(!o.usePut && len(f.meta.Parts) >= maxParts-1)
	switch {
	case finish:
		return actFinish
	case !o.usePut && f.size-f.uploaded() >= o.chunkSize:
		return actParts
	}
	return actNone
}

// pass runs the uploads that are due, one file at a time, in order. Passes
// do not overlap (the uploader's and Close's).
func (o *Output) pass(ctx context.Context, final bool) {
	o.passMu.Lock()
	defer o.passMu.Unlock()
	now := o.now()
	for _, job := range o.dueFiles(now, final) {
		err := o.upload(ctx, job.f, job.act)
		o.mu.Lock()
		job.f.busy = false
		if err == nil {
			job.f.failures = 0
			if job.act == actFinish {
				o.forget(job.f, false)
				o.logger.Info("uploaded object", "bucket", o.bucket, "key", job.f.meta.Key, "bytes", job.f.size)
			}
		} else {
			o.failed(ctx, job.f, err, now, final)
		}
		o.mu.Unlock()
		if ctx.Err() != nil && !final {
			return
		}
	}
}

type uploadJob struct {
	f   *bufferFile
	act action
}

// dueFiles picks the files to upload now and marks them busy; a file being
// finished is sealed first, so new records go to a new file.
func (o *Output) dueFiles(now time.Time, final bool) []uploadJob {
	o.mu.Lock()
	defer o.mu.Unlock()
	var jobs []uploadJob
	held := map[string]bool{} // tags whose older objects are not uploaded yet
	for _, f := range o.files {
		tag := f.meta.Tag
		if f.busy || (o.preserve && held[tag]) || (!final && now.Before(f.retryAt)) {
			if f.sealed {
				held[tag] = true
			}
			continue
		}
		act := o.due(f, now, final)
		if act == actNone {
			continue
		}
		if act == actFinish {
			o.seal(f)
			held[tag] = true
		}
		f.busy = true
		jobs = append(jobs, uploadJob{f, act})
	}
	return jobs
}

// failed handles an upload error: retry later with backoff, or give the
// object up after Retry_Limit failures. An upload cut short by shutdown does
// not count, and the shutdown pass gives nothing up: what it cannot send
// stays in store_dir for the next run. Called with o.mu held.
func (o *Output) failed(ctx context.Context, f *bufferFile, err error, now time.Time, final bool) {
	if ctx.Err() != nil {
		return
	}
	f.failures++
	if o.retryLimit >= 0 && f.failures > o.retryLimit && !final {
		if f.meta.UploadID != "" {
			o.api.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
				Bucket: &o.bucket, Key: &f.meta.Key, UploadId: &f.meta.UploadID})
		}
		kept := o.forget(f, true)
		o.logger.Error("giving up the upload of an object after Retry_Limit failed attempts; its data is kept",
			"bucket", o.bucket, "key", f.meta.Key, "attempts", f.failures, "kept_at", kept, "error", err)
		return
	}
	wait := min(uploadTick<<min(f.failures-1, 6), time.Minute)
	f.retryAt = now.Add(wait)
	o.logger.Warn("upload failed; will retry", "bucket", o.bucket, "key", f.meta.Key, "attempt", f.failures, "retry_in", wait, "error", err)
}

// upload does act for f. It reads the data file without o.mu: Flush only
// appends to files that are not sealed, beyond the bytes read here.
func (o *Output) upload(ctx context.Context, f *bufferFile, act action) error {
	o.mu.Lock()
	size := f.size
	o.mu.Unlock()
	data, err := os.Open(o.dataPath(f.meta.Seq))
	if err != nil {
		return fmt.Errorf("output %s: reading buffer file: %w", o.id, err)
	}
	defer data.Close()
	if o.usePut || (act == actFinish && f.meta.UploadID == "" && size < o.chunkSize) {
		// One request: PutObject mode, or an object smaller than a part
		// (S3 refuses multipart parts under 5 MiB but the last).
		if size == 0 {
			return nil
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(data, body); err != nil {
			return fmt.Errorf("output %s: reading buffer file: %w", o.id, err)
		}
		return o.putObject(ctx, f, body)
	}
	if err := o.uploadParts(ctx, f, data, size, act == actFinish); err != nil {
		return err
	}
	if act != actFinish {
		return nil
	}
	parts := make([]types.CompletedPart, len(f.meta.Parts))
	for i, p := range f.meta.Parts {
		parts[i] = types.CompletedPart{PartNumber: aws.Int32(p.Number), ETag: aws.String(p.ETag)}
	}
	_, err = o.api.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &o.bucket, Key: &f.meta.Key,
		UploadId: &f.meta.UploadID, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return o.classify(err, "s3:PutObject", f)
}

// uploadParts uploads the full parts of f's first size bytes, and with
// last the remainder as the final part, persisting each part.
func (o *Output) uploadParts(ctx context.Context, f *bufferFile, data io.ReaderAt, size int64, last bool) error {
	if f.meta.UploadID == "" {
		in := &s3.CreateMultipartUploadInput{Bucket: &o.bucket, Key: &f.meta.Key}
		o.objectOptions(&in.ContentType, &in.ContentEncoding, &in.ACL, &in.StorageClass)
		out, err := o.api.CreateMultipartUpload(ctx, in)
		if err != nil {
			return o.classify(err, "s3:PutObject", f)
		}
		o.mu.Lock()
		f.meta.UploadID = *out.UploadId
		err = o.saveMeta(f)
		o.mu.Unlock()
		if err != nil {
			return err
		}
	}
	if int64(cap(o.partBuf)) < f.meta.PartSize {
		o.partBuf = make([]byte, f.meta.PartSize)
	}
	part := o.partBuf[:f.meta.PartSize]
	for {
		off := f.uploaded()
		n := min(size-off, f.meta.PartSize)
		if n <= 0 || (n < f.meta.PartSize && !last) {
			return nil
		}
		if _, err := data.ReadAt(part[:n], off); err != nil {
			return fmt.Errorf("output %s: reading buffer file: %w", o.id, err)
		}
		number := int32(len(f.meta.Parts) + 1)
		in := &s3.UploadPartInput{Bucket: &o.bucket, Key: &f.meta.Key, UploadId: &f.meta.UploadID,
			PartNumber: aws.Int32(number), Body: bytes.NewReader(part[:n]), ContentLength: aws.Int64(n)}
		if o.md5 {
			in.ContentMD5 = contentMD5(part[:n])
		}
		out, err := o.api.UploadPart(ctx, in)
		if err != nil {
			return o.classify(err, "s3:PutObject", f)
		}
		o.mu.Lock()
		f.meta.Parts = append(f.meta.Parts, partMeta{Number: number, ETag: aws.ToString(out.ETag)})
		err = o.saveMeta(f)
		o.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

func (o *Output) putObject(ctx context.Context, f *bufferFile, body []byte) error {
	in := &s3.PutObjectInput{Bucket: &o.bucket, Key: &f.meta.Key, Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))}
	o.objectOptions(&in.ContentType, &in.ContentEncoding, &in.ACL, &in.StorageClass)
	if o.md5 {
		in.ContentMD5 = contentMD5(body)
	}
	_, err := o.api.PutObject(ctx, in)
	return o.classify(err, "s3:PutObject", f)
}

// objectOptions fills the headers every new object carries.
func (o *Output) objectOptions(contentType, encoding **string, acl *types.ObjectCannedACL, class *types.StorageClass) {
	if o.contentType != "" {
		*contentType = aws.String(o.contentType)
	}
	if o.gzip {
		*encoding = aws.String("gzip")
	}
	*acl = types.ObjectCannedACL(o.acl)
	*class = types.StorageClass(o.storageClass)
}

func contentMD5(b []byte) *string {
	sum := md5.Sum(b)
	return aws.String(base64.StdEncoding.EncodeToString(sum[:]))
}

func (o *Output) classify(err error, action string, f *bufferFile) error {
	if err == nil {
		return nil
	}
	return awsconf.Classify(err, awsconf.Call{Section: o.id, Action: action, Resource: "arn:aws:s3:::" + o.bucket + "/" + f.meta.Key})
}
