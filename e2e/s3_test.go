package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3StartS3rver starts s3rver with bucket "logs" on a free loopback port
// and returns its endpoint. s3rver checks SigV4 signatures against its
// fixed credentials S3RVER/S3RVER, which the test process (and so sluice)
// then uses.
func s3StartS3rver(t *testing.T) string {
	t.Helper()
	bin := awsoutNPMTool(t, "s3rver@3.7.1") // the version the Makefile pins
	awsoutEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "S3RVER")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "S3RVER")
	port := freePort(t)
	cmd := exec.Command(bin, "-d", t.TempDir(), "-a", "127.0.0.1", "-p", fmt.Sprint(port), "--silent", "--configure-bucket", "logs")
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("s3rver output:\n%s", logs.String())
		}
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	eventually(t, 15*time.Second, "s3rver listening", func() bool {
		resp, err := http.Get(endpoint)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	return endpoint
}

// s3Object is an object read back from the emulator.
type s3Object struct {
	key, etag, encoding string
	data                []byte // decompressed
}

// s3ReadAll lists and reads every object of bucket "logs".
func s3ReadAll(t *testing.T, endpoint string) []s3Object {
	t.Helper()
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("S3RVER", "S3RVER", "")})
	ctx := context.Background()
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	var out []s3Object
	for _, o := range list.Contents {
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logs"), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", *o.Key, err)
			}
		}
		out = append(out, s3Object{key: *o.Key, etag: aws.ToString(get.ETag), encoding: aws.ToString(get.ContentEncoding), data: data})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func s3Records(t *testing.T, objs []s3Object) []map[string]any {
	t.Helper()
	blobs := make([][]byte, len(objs))
	for i, o := range objs {
		blobs[i] = o.data
	}
	return awsoutDecodeLines(t, blobs)
}

const s3Pipeline = `
[SERVICE]
    Flush      0.2
    Grace      20
    Log_Level  info

[INPUT]
    Name         stdin
    Tag          %s

[OUTPUT]
    Name        s3
    Match       *
    bucket      logs
    region      us-east-1
    endpoint    %s
    store_dir   %s
%s`

// s3Lines returns n numbered JSON lines of about size bytes each.
func s3Lines(from, n, size int) string {
	var b strings.Builder
	pad := strings.Repeat("p", size)
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, `{"seq":%d,"pad":"%s"}`+"\n", i, pad)
	}
	return b.String()
}

// s3RandomLines is s3Lines with random padding, which gzip cannot shrink
// much.
func s3RandomLines(n, size int) string {
	var b strings.Builder
	rnd := rand.New(rand.NewPCG(3, 4))
	raw := make([]byte, size*3/4)
	for i := 0; i < n; i++ {
		for j := range raw {
			raw[j] = byte(rnd.Uint32())
		}
		fmt.Fprintf(&b, `{"seq":%d,"pad":"%s"}`+"\n", i, base64.StdEncoding.EncodeToString(raw))
	}
	return b.String()
}

// TestS3MultipartUploadCompletesAtShutdown buffers about 12 MiB, which the
// output sends as 5 MiB parts while it runs; SIGTERM completes the upload
// and the object holds every record once.
func TestS3MultipartUploadCompletesAtShutdown(t *testing.T) {
	endpoint := s3StartS3rver(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(s3Pipeline, "app", endpoint, filepath.Join(dir, "store"),
		"    upload_timeout  1h\n    total_file_size 100M\n    s3_key_format   /logs/$TAG/%Y/%m/%d/$INDEX.log\n"))
	const n = 12000
	p := start(t, strings.NewReader(s3Lines(0, n, 1000)), "-c", cfg)
	metaGlob := filepath.Join(dir, "store", "s3.0", "*.json")
	eventually(t, 30*time.Second, "two parts uploaded", func() bool {
		files, _ := filepath.Glob(metaGlob)
		for _, f := range files {
			if b, _ := os.ReadFile(f); strings.Count(string(b), `"etag"`) >= 2 {
				return true
			}
		}
		return false
	})
	if objs := s3ReadAll(t, endpoint); len(objs) != 0 {
		t.Fatalf("an object is visible before CompleteMultipartUpload: %v", objs[0].key)
	}
	if code := p.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	objs := s3ReadAll(t, endpoint)
	checkSequence(t, s3Records(t, objs), "seq", n)
	if len(objs) != 1 || objs[0].key != "logs/app/"+time.Now().UTC().Format("2006/01/02")+"/0.log" {
		t.Fatalf("%d objects, first %q; want one at logs/app/<date>/0.log", len(objs), objs[0].key)
	}
	if left, _ := filepath.Glob(metaGlob); len(left) != 0 {
		t.Errorf("store_dir still holds %v", left)
	}
}

// TestS3ResumesUploadsAfterKill kills sluice (SIGKILL) in the middle of a
// multipart upload; a second run with the same store_dir finishes it, and
// every record of both runs is in the bucket exactly once.
func TestS3ResumesUploadsAfterKill(t *testing.T) {
	endpoint := s3StartS3rver(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(s3Pipeline, "app", endpoint, filepath.Join(dir, "store"),
		"    upload_timeout  1h\n    total_file_size 100M\n"))
	const n = 8000
	p := start(t, strings.NewReader(s3Lines(0, n, 1000)), "-c", cfg)
	metaGlob := filepath.Join(dir, "store", "s3.0", "*.json")
	// Kill only once every record is in store_dir: records still in
	// memory are lost by SIGKILL, which is not what this test is about.
	eventually(t, 30*time.Second, "a part uploaded and every record buffered", func() bool {
		files, _ := filepath.Glob(metaGlob)
		for _, f := range files {
			if b, _ := os.ReadFile(f); strings.Contains(string(b), `"etag"`) {
				data, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".data")
				return err == nil && bytes.Count(data, []byte("\n")) == n
			}
		}
		return false
	})
	p.cmd.Process.Kill()
	p.wait(10 * time.Second)
	if objs := s3ReadAll(t, endpoint); len(objs) != 0 {
		t.Fatalf("object visible before the upload was completed: %v", objs[0].key)
	}
	// The second run resumes when its output starts, at its first chunk.
	p2 := start(t, strings.NewReader(s3Lines(n, 10, 1000)), "-c", cfg)
	eventually(t, 30*time.Second, "the resumed upload completed", func() bool {
		return len(s3ReadAll(t, endpoint)) >= 1
	})
	if code := p2.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	objs := s3ReadAll(t, endpoint)
	checkSequence(t, s3Records(t, objs), "seq", n+10)
	if !strings.Contains(p2.stderr.String(), "resuming uploads") {
		t.Errorf("the second run did not report resuming:\n%s", p2.stderr.String())
	}
}

// TestS3PutObjectGzipKeys uses PutObject with gzip, a small
// total_file_size and a key built from the tag's parts, $INDEX and $UUID.
func TestS3PutObjectGzipKeys(t *testing.T) {
	endpoint := s3StartS3rver(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(s3Pipeline, "web.frontend-prod", endpoint, filepath.Join(dir, "store"), `    use_put_object                on
    total_file_size               1M
    upload_timeout                2s
    compression                   gzip
    content_type                  application/json
    json_date_key                 ts
    json_date_format              epoch
    s3_key_format                 /$TAG[2]/$TAG[0]/%Y/$INDEX-$UUID.gz
    s3_key_format_tag_delimiters  .-
`))
	const n = 20000
	p := start(t, strings.NewReader(s3RandomLines(n, 200)), "-c", cfg)
	eventually(t, 30*time.Second, "every record uploaded", func() bool {
		total := 0
		for _, o := range s3ReadAll(t, endpoint) {
			total += bytes.Count(o.data, []byte("\n"))
		}
		return total >= n
	})
	if code := p.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	objs := s3ReadAll(t, endpoint)
	recs := s3Records(t, objs)
	checkSequence(t, recs, "seq", n)
	if _, ok := recs[0]["ts"].(float64); !ok {
		t.Errorf("json_date_key ts missing or not epoch: %v", recs[0]["ts"])
	}
	keyRE := regexp.MustCompile(`^prod/web/\d{4}/\d+-[A-Za-z0-9]{8}\.gz$`)
	for _, o := range objs {
		if !keyRE.MatchString(o.key) || o.encoding != "gzip" {
			t.Fatalf("object %q (Content-Encoding %q) does not match %s", o.key, o.encoding, keyRE)
		}
	}
	// An upload starts once the buffered file reaches total_file_size; the
	// file grows a chunk at a time (up to 2 MiB, fewer bytes when the
	// machine is slow and Flush seals smaller ones), so 4 MB make at least
	// two objects and, on a loaded machine, more.
	if len(objs) < 2 {
		t.Errorf("%d objects; about 4 MB of records with total_file_size 1M should make several", len(objs))
	}
}

// s3FaultProxy forwards to s3rver and answers every n-th request that
// writes (PUT, POST) with 500 InternalError without forwarding it.
type s3FaultProxy struct {
	next  http.Handler
	every int
	mu    sync.Mutex
	count int
	fails int
}

func (p *s3FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		p.mu.Lock()
		p.count++
		fail := p.count%p.every == 0
		if fail {
			p.fails++
		}
		p.mu.Unlock()
		if fail {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(500)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>`)
			return
		}
	}
	p.next.ServeHTTP(w, r)
}

// TestS3RetriesFailedUploadsWithoutLossOrDuplicates fails every third
// CreateMultipartUpload, UploadPart, CompleteMultipartUpload and PutObject;
// the uploads are retried and the bucket holds every record exactly once.
func TestS3RetriesFailedUploadsWithoutLossOrDuplicates(t *testing.T) {
	endpoint := s3StartS3rver(t)
	target, _ := url.Parse(endpoint)
	proxy := &s3FaultProxy{next: httputil.NewSingleHostReverseProxy(target), every: 3}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sluice.conf", fmt.Sprintf(s3Pipeline, "app", srv.URL, filepath.Join(dir, "store"),
		"    upload_timeout  3s\n    total_file_size 8M\n    Retry_Limit     no_limits\n    auto_retry_requests off\n    s3_key_format   /logs/$TAG/$INDEX\n"))
	const n = 15000
	p := start(t, strings.NewReader(s3Lines(0, n, 1000)), "-c", cfg)
	eventually(t, 40*time.Second, "every record uploaded", func() bool {
		total := 0
		for _, o := range s3ReadAll(t, endpoint) {
			total += bytes.Count(o.data, []byte("\n"))
		}
		return total >= n
	})
	if code := p.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	checkSequence(t, s3Records(t, s3ReadAll(t, endpoint)), "seq", n)
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if proxy.fails == 0 || !strings.Contains(p.stderr.String(), "upload failed; will retry") {
		t.Fatalf("no failure was injected and retried (%d writes, %d failed)", proxy.count, proxy.fails)
	}
	if objs := s3ReadAll(t, endpoint); len(objs) < 2 {
		t.Errorf("%d objects; 15 MB with total_file_size 8M should make two", len(objs))
	}
	t.Logf("%d writes, %d failed and retried", proxy.count, proxy.fails)
}
