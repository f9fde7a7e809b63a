package s3

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluice-logs/sluice/internal/awsconf"
	"github.com/sluice-logs/sluice/internal/awsrecord"
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
)

// S3 multipart limits (Amazon S3 user guide, "Multipart upload limits").
const (
	minPartSize = 5 << 20
	maxParts    = 10000
)

// objectAPI lists the S3 calls this output makes.
type objectAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// Output buffers chunks in store_dir and uploads them (see the package
// doc). Flush is safe for concurrent use.
type Output struct {
	id           string
	bucket       string
	totalSize    int64
	chunkSize    int64
	timeout      time.Duration
	storeDir     string
	limit        int64
	key          *keyFormat
	staticPath   bool
	usePut       bool
	gzip         bool
	contentType  string
	acl          string
	storageClass string
	md5          bool
	preserve     bool
	retryLimit   int
	format       awsrecord.Format
	aws          awsconf.Settings
	logger       *slog.Logger
	now          func() time.Time

	startMu sync.Mutex
	started bool
	api     objectAPI
	cancel  context.CancelFunc
	done    chan struct{}
	wake    chan struct{}
	passMu  sync.Mutex
	partBuf []byte // the part buffer of the pass under way (passMu)

	mu       sync.Mutex
	files    []*bufferFile // in creation order
	active   map[string]*bufferFile
	lastKey  map[string]string // key of each tag's last object
	buffered int64
	next     uint64
	index    uint64

	lines sync.Pool
}

// New validates the configuration of an s3 section. store_dir, the AWS
// client and the uploader are set up by Start (or the first Flush).
func New(s plugin.Settings) (*Output, error) {
	c := s.Config
	retry, _ := plugin.ParseRetryLimit(c.String("Retry_Limit"))
	o := &Output{
		id:           s.ID,
		bucket:       c.String("bucket"),
		totalSize:    c.Size("total_file_size"),
		chunkSize:    c.Size("upload_chunk_size"),
		timeout:      c.Duration("upload_timeout"),
		storeDir:     filepath.Join(c.String("store_dir"), storeName(s.ID)),
		limit:        c.Size("store_dir_limit_size"),
		key:          parseKeyFormat(c.String("s3_key_format"), c.String("s3_key_format_tag_delimiters")),
		staticPath:   c.Bool("static_file_path"),
		usePut:       c.Bool("use_put_object"),
		gzip:         c.String("compression") == "gzip",
		contentType:  c.String("content_type"),
		acl:          c.String("canned_acl"),
		storageClass: c.String("storage_class"),
		md5:          c.Bool("send_content_md5"),
		preserve:     c.Bool("preserve_data_ordering"),
		retryLimit:   retry,
		aws:          awsconf.FromConfig(c, s.ID),
		logger:       s.Logger,
		now:          time.Now,
		active:       map[string]*bufferFile{},
		lastKey:      map[string]string{},
		wake:         make(chan struct{}, 1),
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.bucket == "" {
		return nil, fmt.Errorf("output %s: bucket is empty; set it to the name of the S3 bucket", s.ID)
	}
	if o.usePut && o.totalSize > 1<<30 {
		return nil, c.Errorf("total_file_size", "at most 1G with use_put_object on (PutObject's practical limit in Fluent Bit); use multipart uploads for larger objects")
	}
	if !o.usePut && o.chunkSize > o.totalSize {
		return nil, c.Errorf("upload_chunk_size", "%d bytes is larger than total_file_size (%d); lower it or raise total_file_size", o.chunkSize, o.totalSize)
	}
	if o.timeout <= 0 {
		return nil, c.Errorf("upload_timeout", "must be positive")
	}
	o.format = awsrecord.Format{LogKey: c.String("log_key")}
	if k := c.String("json_date_key"); k != "" && !strings.EqualFold(k, "false") && !strings.EqualFold(k, "off") {
		o.format.TimeKey = k
		o.format.AppendTime = dateFormats[c.String("json_date_format")]
	}
	if o.aws.Region == "" {
		o.aws.Region = "us-east-1" // Fluent Bit's default region for s3
	}
	o.lines.New = func() any { return new(lineBuffer) }
	return o, nil
}

// storeName makes an instance name safe as a directory name.
func storeName(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, id)
}

// dateFormats are json_date_format's writers of the record time.
var dateFormats = map[string]func([]byte, record.Time) []byte{
	"double": func(dst []byte, t record.Time) []byte {
		sec, nsec := t.Unix()
		dst = strconv.AppendInt(dst, sec, 10)
		dst = append(dst, '.')
		return appendPadded(dst, nsec/1000, 6)
	},
	"epoch": func(dst []byte, t record.Time) []byte {
		sec, _ := t.Unix()
		return strconv.AppendInt(dst, sec, 10)
	},
	"epoch_ms": func(dst []byte, t record.Time) []byte {
		sec, nsec := t.Unix()
		return strconv.AppendInt(dst, sec*1000+nsec/1e6, 10)
	},
	"iso8601":            quotedTime("2006-01-02T15:04:05.000000Z"),
	"java_sql_timestamp": quotedTime("2006-01-02 15:04:05.000000"),
}

func quotedTime(layout string) func([]byte, record.Time) []byte {
	return func(dst []byte, t record.Time) []byte {
		dst = append(dst, '"')
		dst = t.Std().UTC().AppendFormat(dst, layout)
		return append(dst, '"')
	}
}

func appendPadded(dst []byte, v int64, width int) []byte {
	s := strconv.AppendInt(nil, v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// Start implements plugin.Starter: it opens store_dir and starts the
// uploader when the pipeline starts, so objects a previous run left in
// store_dir are uploaded even if no new record arrives. The uploader stops
// when ctx ends or at Close.
func (o *Output) Start(ctx context.Context) error { return o.start(ctx) }

// start opens store_dir, makes the client and starts the uploader under
// parent, once; a failure (an unwritable store_dir) is retried by the next
// Flush.
func (o *Output) start(parent context.Context) error {
	o.startMu.Lock()
	defer o.startMu.Unlock()
	if o.started {
		return nil
	}
	o.mu.Lock()
	o.files, o.buffered = o.files[:0], 0
	err := o.openStore()
	o.mu.Unlock()
	if err != nil {
		return err
	}
	if o.api == nil {
		cfg, err := awsconf.Load(context.Background(), o.aws)
		if err != nil {
			return err
		}
		endpoint := o.aws.Endpoint
		o.api = s3.NewFromConfig(cfg, func(opt *s3.Options) {
			// Emulators and S3-compatible stores on a custom endpoint
			// are addressed by path, not by virtual host.
			opt.UsePathStyle = endpoint != ""
			opt.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			opt.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
	}
	ctx, cancel := context.WithCancel(parent)
	o.cancel, o.done = cancel, make(chan struct{})
	o.started = true
	go o.run(ctx)
	return nil
}

// lineBuffer is the reusable memory of one Flush.
type lineBuffer struct{ lines, packed []byte }

// Flush appends the chunk's records to the tag's buffer file and returns;
// the uploader sends them. Records without log_key, empty after it, or
// after a malformed one are reported dropped by reason.
func (o *Output) Flush(ctx context.Context, chunk *record.Chunk) error {
	var dropped awsrecord.Dropped
	err := o.buffer(chunk, &dropped)
	return dropped.Result(err, o.id, "", o.format.LogKey)
}

// buffer appends the records of chunk to the tag's buffer file, collecting
// in dropped those it leaves out.
func (o *Output) buffer(chunk *record.Chunk, dropped *awsrecord.Dropped) error {
	if err := o.start(context.Background()); err != nil {
		return err
	}
	lb := o.lines.Get().(*lineBuffer)
	defer o.lines.Put(lb)
	lb.lines = lb.lines[:0]
	var first record.Time
	it := record.NewIterator(chunk.Data)
	for it.Next() {
		if it.Index() == 0 {
			first = it.Event().Time
		}
		var skip awsrecord.Skip
		if lb.lines, skip = o.format.Append(lb.lines, it.Event()); skip != awsrecord.NotSkipped {
			dropped.Skip(skip, it.Index())
		}
	}
	if err := it.Err(); err != nil {
		if it.Index() < 0 { // not one record decodes
			return plugin.PermanentReason(plugin.ReasonMalformed, fmt.Errorf("output %s: chunk of tag %q does not decode: %w", o.id, chunk.Tag, err))
		}
		dropped.Malformed(it.Index()+1, chunk.Records, err)
	}
	if len(lb.lines) == 0 {
		return nil
	}
	data := lb.lines
	if o.gzip {
		// Each chunk is one gzip member; the object, their concatenation,
		// is one valid gzip stream, and parts can cut it anywhere.
		lb.packed = awsrecord.AppendGzip(lb.packed[:0], lb.lines)
		data = lb.packed
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.limit > 0 && o.buffered+int64(len(data)) > o.limit {
		return plugin.PermanentReason(plugin.ReasonStorageLimit, fmt.Errorf("output %s: store_dir_limit_size (%d bytes) reached in %s: %d records of tag %q dropped; uploads are behind (check the bucket's permissions and the network) or raise the limit",
			o.id, o.limit, o.storeDir, chunk.Records, chunk.Tag))
	}
	f := o.active[chunk.Tag]
	if f != nil && f.size >= o.totalSize {
		// Full: the uploader completes it; this chunk starts the next.
		o.seal(f)
		f = nil
	}
	if f == nil {
		var err error
		if f, err = o.createFile(chunk.Tag, first.Std()); err != nil {
			return err
		}
	}
	n, err := f.data.Write(data)
	if err != nil {
		if n > 0 {
			f.data.Truncate(f.size) // no torn record for the retry to follow
		}
		return fmt.Errorf("output %s: buffering in store_dir %s: %w; free disk space or fix the directory's permissions", o.id, o.storeDir, err)
	}
	f.size += int64(n)
	o.buffered += int64(n)
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}

// Close stops the uploader and finishes every buffered object within ctx:
// multipart uploads are completed, other buffers put. What cannot be sent
// stays in store_dir for the next run.
func (o *Output) Close(ctx context.Context) error {
	o.startMu.Lock()
	started := o.started
	o.startMu.Unlock()
	if !started {
		return nil
	}
	o.cancel()
	<-o.done
	o.pass(ctx, true)
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := len(o.files); n > 0 {
		o.logger.Error("objects not uploaded at shutdown stay in store_dir and are uploaded by the next run", "files", n, "store_dir", o.storeDir)
		for _, f := range o.files {
			o.seal(f)
		}
	}
	return nil
}
