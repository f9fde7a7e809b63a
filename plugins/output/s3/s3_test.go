package s3

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sluice-logs/sluice/internal/config"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/plugin/plugintest"
	"github.com/sluice-logs/sluice/internal/record"
)

func TestKeyFormat(t *testing.T) {
	ts := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		format, delims, tag string
		index               uint64
		want                string
	}{
		{"/fluent-bit-logs/$TAG/%Y/%m/%d/%H/%M/%S", ".", "app.web", 0, "fluent-bit-logs/app.web/2020/01/01/00/00/00"},
		{"/$TAG[2]/$TAG[0]/%Y/%m/%d/%H/%M/%S/x.gz", ".-", "my_app_name-logs.prod", 0, "prod/my_app_name/2020/01/01/00/00/00/x.gz"},
		{"logs/$INDEX-$TAG[1]", ".", "a.b", 41, "logs/41-b"},
		{"$TAG[9]/$TAG[x]/$TAGS", ".", "a.b", 0, "$TAG[x]/a.bS"},
		{"100%%/$UUIDLESS", ".", "t", 0, "100%/"},
	}
	for _, tt := range tests {
		k := parseKeyFormat(tt.format, tt.delims)
		got := k.render(tt.tag, ts, tt.index)
		if strings.Contains(tt.format, "$UUID") {
			if len(got) != len(tt.want)+8+len("LESS") || !strings.HasPrefix(got, tt.want) {
				t.Errorf("%q: %q, want %q + 8 random characters + LESS", tt.format, got, tt.want)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%q with tag %q: %q, want %q", tt.format, tt.tag, got, tt.want)
		}
	}
}

// FuzzKeyFormat renders any key format for any tag and checks what the
// key must be: never starting with "/" (the key, not the URL path); the
// same for every tag when the format has no $TAG; text without $ and %
// kept as written; $TAG replaced by the tag; and two renders equal unless
// the format asks for $UUID.
func FuzzKeyFormat(f *testing.F) {
	for _, s := range []string{"/fluent-bit-logs/$TAG/%Y/%m/%d", "$TAG[", "$TAG[0", "$TAG[-1]", "$TAG[99999999999999999999]", "$INDEX$UUID%"} {
		f.Add(s, "app.web-1")
	}
	f.Add("//logs/$TAG[1]/$TAG[0]/x", "a.b-c")
	f.Fuzz(func(t *testing.T, format, tag string) {
		k := parseKeyFormat(format, ".-")
		at := time.Unix(0, 0)
		key := k.render(tag, at, 7)
		if strings.HasPrefix(key, "/") {
			t.Fatalf("%q: key %q starts with /", format, key)
		}
		if !strings.Contains(format, "$UUID") && k.render(tag, at, 7) != key {
			t.Fatalf("%q: two renders differ", format)
		}
		if !strings.Contains(format, "$TAG") && !strings.Contains(format, "$UUID") && k.render(tag+".other", at, 7) != key {
			t.Fatalf("%q: the key depends on the tag though the format has no $TAG", format)
		}
		if !strings.ContainsAny(format, "$%") && key != strings.TrimLeft(format, "/") {
			t.Fatalf("%q: plain text rendered as %q", format, key)
		}
		if !strings.ContainsAny(tag, "$%") && !strings.ContainsAny(format, "%") {
			// Only $TAG and its parts, $INDEX and $UUID are replaced.
			want := strings.NewReplacer("$INDEX", "7").Replace(format)
			if !strings.Contains(format, "$UUID") && !strings.Contains(format, "$TAG[") && strings.TrimLeft(strings.ReplaceAll(want, "$TAG", tag), "/") != key {
				t.Fatalf("%q with tag %q: %q, want %q", format, tag, key, strings.TrimLeft(strings.ReplaceAll(want, "$TAG", tag), "/"))
			}
		}
	})
}

// memS3 is an in-memory S3 with S3's multipart rules: parts of 5 MiB but
// the last, objects visible only once completed.
type memS3 struct {
	mu       sync.Mutex
	objects  map[string][]byte
	headers  map[string]string // key -> content encoding
	uploads  map[string]map[int32][]byte
	keys     map[string]string
	next     int
	failNext int // fail this many calls
	calls    []string
}

func newMemS3() *memS3 {
	return &memS3{objects: map[string][]byte{}, headers: map[string]string{}, uploads: map[string]map[int32][]byte{}, keys: map[string]string{}}
}

func (m *memS3) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.objects)
}

func (m *memS3) setFailNext(n int) {
	m.mu.Lock()
	m.failNext = n
	m.mu.Unlock()
}

// fakeClock is a clock the test moves; the uploader goroutine reads it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (m *memS3) fail(op string) error {
	m.calls = append(m.calls, op)
	if m.failNext > 0 {
		m.failNext--
		return &smithy.GenericAPIError{Code: "InternalError", Message: "injected", Fault: smithy.FaultServer}
	}
	return nil
}

func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("PutObject"); err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(in.Body)
	m.objects[*in.Key] = b
	m.headers[*in.Key] = aws.ToString(in.ContentEncoding)
	return &s3.PutObjectOutput{}, nil
}

func (m *memS3) CreateMultipartUpload(_ context.Context, in *s3.CreateMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("Create"); err != nil {
		return nil, err
	}
	m.next++
	id := fmt.Sprint("upload-", m.next)
	m.uploads[id] = map[int32][]byte{}
	m.keys[id] = *in.Key
	return &s3.CreateMultipartUploadOutput{UploadId: &id}, nil
}

func (m *memS3) UploadPart(_ context.Context, in *s3.UploadPartInput, _ ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("UploadPart"); err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(in.Body)
	m.uploads[*in.UploadId][*in.PartNumber] = b
	return &s3.UploadPartOutput{ETag: aws.String(fmt.Sprint(`"etag-`, *in.PartNumber, `"`))}, nil
}

func (m *memS3) CompleteMultipartUpload(_ context.Context, in *s3.CompleteMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail("Complete"); err != nil {
		return nil, err
	}
	parts := m.uploads[*in.UploadId]
	var obj []byte
	for i, p := range in.MultipartUpload.Parts {
		data := parts[*p.PartNumber]
		if i < len(in.MultipartUpload.Parts)-1 && len(data) < minPartSize {
			return nil, &smithy.GenericAPIError{Code: "EntityTooSmall", Fault: smithy.FaultClient}
		}
		obj = append(obj, data...)
	}
	m.objects[*in.Key] = obj
	delete(m.uploads, *in.UploadId)
	return &s3.CompleteMultipartUploadOutput{}, nil
}

func (m *memS3) AbortMultipartUpload(_ context.Context, in *s3.AbortMultipartUploadInput, _ ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, "Abort")
	delete(m.uploads, *in.UploadId)
	return &s3.AbortMultipartUploadOutput{}, nil
}

func (m *memS3) objectLines(t *testing.T) []string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		data := m.objects[k]
		if m.headers[k] == "gzip" || bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			data, _ = io.ReadAll(zr)
		}
		lines = append(lines, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")...)
	}
	return lines
}

func newOutput(t *testing.T, api objectAPI, dir string, kv ...string) *Output {
	return newOutputB(t, api, dir, kv...)
}

func newOutputB(t testing.TB, api objectAPI, dir string, kv ...string) *Output {
	t.Helper()
	sect := &config.Section{Kind: config.KindOutput}
	sect.Params = append(sect.Params, config.Param{Key: "Name", Value: "s3"})
	kv = append([]string{"bucket", "b", "store_dir", dir, "json_date_key", "false"}, kv...)
	for i := 0; i+1 < len(kv); i += 2 {
		sect.Params = append(sect.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	spec := Spec()
	cfg, err := plugin.Decode(&spec, sect, "[OUTPUT] s3")
	if err != nil {
		t.Fatal(err)
	}
	o, err := New(plugin.Settings{ID: "s3.0", Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	o.api = api
	return o
}

// lines returns a chunk of n records of about size bytes each, numbered
// from first.
func lines(first, n, size int) *record.Chunk {
	var b record.Builder
	for i := first; i < first+n; i++ {
		body, _ := record.AppendJSONAsMsgpack(nil, []byte(fmt.Sprintf(`{"seq":%d,"pad":"%s"}`, i, strings.Repeat("x", size))))
		b.Append(record.FromTime(time.Unix(1700000000, 0)), nil, body)
	}
	return &record.Chunk{Tag: "app", Data: b.Bytes(), Records: b.Records()}
}

func checkSeq(t *testing.T, got []string, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d lines, want %d", len(got), n)
	}
	for i, l := range got {
		if !strings.HasPrefix(l, fmt.Sprintf(`{"seq":%d,`, i)) {
			t.Fatalf("line %d: %.40q", i, l)
		}
	}
}

func TestMultipartUpload(t *testing.T) {
	m := newMemS3()
	o := newOutput(t, m, t.TempDir(), "total_file_size", "12M")
	ctx := context.Background()
	// 14 chunks of ~1 MiB: two full parts, then the object completes
	// past 12 MiB (13 chunks) with a smaller last part; the 14th starts
	// the next object.
	for i := 0; i < 14; i++ {
		if err := o.Flush(ctx, lines(i*1000, 1000, 1024)); err != nil {
			t.Fatal(err)
		}
		o.pass(ctx, false)
	}
	o.Close(ctx)
	checkSeq(t, m.objectLines(t), 14000)
	parts := 0
	for _, c := range m.calls {
		if c == "UploadPart" {
			parts++
		}
	}
	if parts < 3 {
		t.Errorf("%d parts uploaded: %v", parts, m.calls)
	}
	if len(m.objects) != 2 {
		t.Errorf("%d objects, want 2 (12 MiB, then the rest at shutdown): %v", len(m.objects), m.calls)
	}
}

func TestPutObjectWithGzipAndTimeout(t *testing.T) {
	m := newMemS3()
	o := newOutput(t, m, t.TempDir(), "use_put_object", "on", "compression", "gzip", "upload_timeout", "1m", "s3_key_format", "/logs/$TAG/$INDEX")
	clock := newFakeClock()
	o.now = clock.now
	ctx := context.Background()
	o.Flush(ctx, lines(0, 10, 10))
	o.Flush(ctx, lines(10, 10, 10))
	o.pass(ctx, false)
	if m.count() != 0 {
		t.Fatal("uploaded before upload_timeout")
	}
	clock.advance(time.Minute)
	o.pass(ctx, false)
	o.Close(ctx)
	checkSeq(t, m.objectLines(t), 20)
	for k := range m.objects {
		if !strings.HasPrefix(k, "logs/app/0-") || m.headers[k] != "gzip" {
			t.Errorf("key %q (random suffix expected without $UUID), encoding %q", k, m.headers[k])
		}
	}
}

func TestRetryThenGiveUpKeepsData(t *testing.T) {
	m := newMemS3()
	dir := t.TempDir()
	o := newOutput(t, m, dir, "use_put_object", "on", "upload_timeout", "1s", "Retry_Limit", "1")
	clock := newFakeClock()
	o.now = clock.now
	ctx := context.Background()
	o.Flush(ctx, lines(0, 5, 10))
	m.setFailNext(1)
	clock.advance(2 * time.Second)
	o.pass(ctx, false) // fails, retried later
	clock.advance(2 * time.Second)
	o.pass(ctx, false) // succeeds
	checkSeq(t, m.objectLines(t), 5)

	o.Flush(ctx, lines(5, 5, 10))
	m.setFailNext(2)
	clock.advance(2 * time.Second)
	o.pass(ctx, false)
	clock.advance(2 * time.Second)
	o.pass(ctx, false) // second failure: given up
	o.Close(ctx)
	kept, _ := filepath.Glob(filepath.Join(dir, "s3.0", "failed", "*"))
	if len(kept) != 1 || len(m.objects) != 1 {
		t.Fatalf("kept %v, %d objects", kept, len(m.objects))
	}
}

func TestResumeAfterRestart(t *testing.T) {
	m := newMemS3()
	dir := t.TempDir()
	ctx := context.Background()
	o := newOutput(t, m, dir, "upload_timeout", "1h")
	for i := 0; i < 7; i++ {
		o.Flush(ctx, lines(i*1000, 1000, 1024))
	}
	o.pass(ctx, false) // one part uploaded, the rest buffered
	// The process dies: no Close. The uploader goroutine is stopped by
	// hand so the test leaks nothing.
	o.cancel()
	<-o.done
	if m.count() != 0 || len(m.uploads) != 1 {
		t.Fatalf("objects %d, uploads %d before the restart", len(m.objects), len(m.uploads))
	}
	o2 := newOutput(t, m, dir, "upload_timeout", "1h")
	if err := o2.Flush(ctx, lines(7000, 10, 1024)); err != nil {
		t.Fatal(err)
	}
	o2.pass(ctx, false)
	o2.Close(ctx)
	checkSeq(t, m.objectLines(t), 7010)
	if entries, _ := os.ReadDir(filepath.Join(dir, "s3.0")); len(entries) != 1 { // the $INDEX file
		t.Errorf("store_dir not emptied: %v", entries)
	}
}

// TestStartResumesWithoutNewRecords: a restarted output whose pipeline
// receives nothing still completes the upload a killed run left, because
// Start (plugin.Starter) runs the uploader; its context ending stops it.
func TestStartResumesWithoutNewRecords(t *testing.T) {
	m := newMemS3()
	dir := t.TempDir()
	ctx := context.Background()
	o := newOutput(t, m, dir, "upload_timeout", "1h")
	for i := 0; i < 6; i++ {
		o.Flush(ctx, lines(i*1000, 1000, 1024))
	}
	o.pass(ctx, false) // one part uploaded, the rest buffered
	o.cancel()         // killed: no Close
	<-o.done

	o2 := newOutput(t, m, dir, "upload_timeout", "1h")
	startCtx, stop := context.WithCancel(ctx)
	if err := o2.Start(startCtx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for m.count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the resumed upload was not completed without a Flush")
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	<-o2.done // the uploader ends with Start's context
	o2.Close(ctx)
	checkSeq(t, m.objectLines(t), 6000)
}

func TestStoreDirLimit(t *testing.T) {
	o := newOutput(t, newMemS3(), t.TempDir(), "store_dir_limit_size", "1K", "upload_timeout", "1h")
	ctx := context.Background()
	if err := o.Flush(ctx, lines(0, 2, 100)); err != nil {
		t.Fatal(err)
	}
	err := o.Flush(ctx, lines(2, 20, 100))
	if class, _, _ := plugin.Classify(err); class != plugin.ClassPermanent || !strings.Contains(err.Error(), "store_dir_limit_size") ||
		plugin.DropReason(err) != plugin.ReasonStorageLimit {
		t.Fatalf("error %v, want a permanent one naming store_dir_limit_size, counted as storage_limit", err)
	}
	o.Close(ctx)
}

// Records without log_key are not buffered; Flush reports them dropped.
func TestRecordsWithoutLogKeyReported(t *testing.T) {
	o := newOutput(t, newMemS3(), t.TempDir(), "log_key", "log", "upload_timeout", "1h")
	ctx := context.Background()
	defer o.Close(ctx)
	events, n := plugintest.Events(t, `{"log":"a"}`, `{"msg":"b"}`, `{"log":""}`)
	err := o.Flush(ctx, &record.Chunk{Tag: "t", Data: events, Records: n})
	if got := plugintest.DeliveredOrDropped(t, err); got != "missing_key[1] empty[2]" {
		t.Errorf("dropped %q", got)
	}
}

func TestObjectOptions(t *testing.T) {
	m := &md5Recorder{memS3: newMemS3()}
	o := newOutput(t, m, t.TempDir(), "use_put_object", "on", "send_content_md5", "on", "canned_acl", "Bucket-Owner-Full-Control",
		"storage_class", "standard_ia", "content_type", "application/x-ndjson")
	ctx := context.Background()
	o.Flush(ctx, lines(0, 3, 10))
	o.Close(ctx)
	in := m.last
	if in == nil || in.ContentMD5 == nil || string(in.ACL) != "bucket-owner-full-control" || string(in.StorageClass) != "STANDARD_IA" ||
		aws.ToString(in.ContentType) != "application/x-ndjson" {
		t.Fatalf("PutObject input %+v", in)
	}
}

func TestInvalidOptions(t *testing.T) {
	sect := &config.Section{Kind: config.KindOutput}
	sect.Params = []config.Param{{Key: "Name", Value: "s3"}, {Key: "bucket", Value: "b"}, {Key: "storage_class", Value: "COLD"}}
	spec := Spec()
	if _, err := plugin.Decode(&spec, sect, "[OUTPUT] s3"); err == nil || !strings.Contains(err.Error(), "STANDARD_IA") {
		t.Fatalf("error %v, want one listing the storage classes", err)
	}
}

// md5Recorder keeps the last PutObject input.
type md5Recorder struct {
	*memS3
	last *s3.PutObjectInput
}

func (m *md5Recorder) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	m.last = in
	return m.memS3.PutObject(ctx, in, opts...)
}

func TestJSONDateFormats(t *testing.T) {
	ts := record.FromTime(time.Date(2018, 5, 30, 9, 39, 52, 681000, time.UTC))
	for format, want := range map[string]string{
		"double":             "1527673192.000681",
		"epoch":              "1527673192",
		"epoch_ms":           "1527673192000",
		"iso8601":            `"2018-05-30T09:39:52.000681Z"`,
		"java_sql_timestamp": `"2018-05-30 09:39:52.000681"`,
	} {
		if got := string(dateFormats[format](nil, ts)); got != want {
			t.Errorf("%s: %s, want %s", format, got, want)
		}
	}
}

// TestShutdownKeepsWhatItCannotSend: failures at Close leave the object in
// store_dir (not in failed/), and the next run uploads it.
func TestShutdownKeepsWhatItCannotSend(t *testing.T) {
	m := newMemS3()
	dir := t.TempDir()
	ctx := context.Background()
	o := newOutput(t, m, dir, "use_put_object", "on", "upload_timeout", "1h", "Retry_Limit", "no_retries", "s3_key_format", "/logs/$INDEX/$UUID")
	o.Flush(ctx, lines(0, 5, 10))
	m.setFailNext(10)
	o.Close(ctx)
	if kept, _ := filepath.Glob(filepath.Join(dir, "s3.0", "failed", "*")); len(kept) != 0 || m.count() != 0 {
		t.Fatalf("given up at shutdown: %v", kept)
	}
	m.setFailNext(0)
	o2 := newOutput(t, m, dir, "use_put_object", "on", "upload_timeout", "1h", "s3_key_format", "/logs/$INDEX/$UUID")
	o2.Flush(ctx, lines(5, 5, 10))
	o2.Close(ctx)
	checkSeq(t, m.objectLines(t), 10)
}
