package s3

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// bufferFile is one S3 object being assembled in store_dir: the data file
// (<seq>.data, the bytes of the object) and its metadata (<seq>.json),
// which survive a restart so the upload can be finished.
type bufferFile struct {
	meta fileMeta
	size int64    // bytes in the data file
	data *os.File // open for appending; nil once sealed or recovered

	// sealed files take no more records: they are being finished, or came
	// from a previous run.
	sealed   bool
	busy     bool // an upload of the file is under way
	failures int
	retryAt  time.Time
}

// fileMeta is the persisted state of a bufferFile.
type fileMeta struct {
	Seq     uint64    `json:"seq"`
	Tag     string    `json:"tag"`
	Key     string    `json:"key"`
	Created time.Time `json:"created"`
	// UploadID is the multipart upload, once created.
	UploadID string `json:"upload_id,omitempty"`
	// Parts are the uploaded parts, in order; part n holds the bytes
	// [(n-1)*PartSize, n*PartSize) of the data file, so re-uploading a part
	// after a crash overwrites it instead of duplicating data.
	Parts    []partMeta `json:"parts,omitempty"`
	PartSize int64      `json:"part_size,omitempty"`
}

type partMeta struct {
	Number int32  `json:"n"`
	ETag   string `json:"etag"`
}

func (f *bufferFile) uploaded() int64 { return int64(len(f.meta.Parts)) * f.meta.PartSize }

func (o *Output) dataPath(seq uint64) string {
	return filepath.Join(o.storeDir, strconv.FormatUint(seq, 10)+".data")
}

func (o *Output) metaPath(seq uint64) string {
	return filepath.Join(o.storeDir, strconv.FormatUint(seq, 10)+".json")
}

// openStore creates store_dir and loads the files a previous run left,
// sealed, in their original order. Called with o.mu held.
func (o *Output) openStore() error {
	if err := os.MkdirAll(o.storeDir, 0o755); err != nil {
		return fmt.Errorf("output %s: store_dir: %w; make %s writable or set store_dir", o.id, err, o.storeDir)
	}
	if b, err := os.ReadFile(filepath.Join(o.storeDir, "index")); err == nil {
		o.index, _ = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	}
	entries, err := os.ReadDir(o.storeDir)
	if err != nil {
		return fmt.Errorf("output %s: store_dir: %w", o.id, err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		seq, err := strconv.ParseUint(name, 10, 64)
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(o.metaPath(seq))
		var m fileMeta
		if err == nil {
			err = json.Unmarshal(raw, &m)
		}
		st, serr := os.Stat(o.dataPath(seq))
		if err != nil || serr != nil {
			o.logger.Error("ignoring an unreadable buffer file in store_dir", "file", o.metaPath(seq), "error", errors.Join(err, serr))
			continue
		}
		o.files = append(o.files, &bufferFile{meta: m, size: st.Size(), sealed: true})
		o.buffered += st.Size()
		o.next = max(o.next, seq+1)
	}
	sort.Slice(o.files, func(i, j int) bool { return o.files[i].meta.Seq < o.files[j].meta.Seq })
	if len(o.files) > 0 {
		o.logger.Info("resuming uploads buffered by a previous run", "files", len(o.files), "bytes", o.buffered, "store_dir", o.storeDir)
	}
	return nil
}

// createFile starts the buffer file of a new object for tag. Called with
// o.mu held.
func (o *Output) createFile(tag string, first time.Time) (*bufferFile, error) {
	o.index++
	if err := writeAtomic(filepath.Join(o.storeDir, "index"), []byte(strconv.FormatUint(o.index, 10))); err != nil {
		return nil, fmt.Errorf("output %s: saving $INDEX in store_dir: %w", o.id, err)
	}
	key := o.key.render(tag, first, o.index-1)
	if o.usePut && !o.key.hasUUID && !o.staticPath {
		// A timestamp is not unique enough between PutObject uploads;
		// Fluent Bit appends a random suffix unless static_file_path.
		key += "-" + strings.ToLower(randomID())
	}
	if o.keyInUse(tag, key) {
		// Records of the same second would get the same key as an object
		// still buffered or just uploaded and overwrite it: keep both.
		key += "-" + strings.ToLower(randomID())
	}
	f := &bufferFile{meta: fileMeta{Seq: o.next, Tag: tag, Key: key, Created: o.now(), PartSize: o.chunkSize}}
	o.next++
	if err := o.saveMeta(f); err != nil {
		return nil, err
	}
	data, err := os.OpenFile(o.dataPath(f.meta.Seq), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		os.Remove(o.metaPath(f.meta.Seq))
		return nil, fmt.Errorf("output %s: creating a buffer file in store_dir: %w", o.id, err)
	}
	f.data = data
	o.files = append(o.files, f)
	o.active[tag] = f
	return f, nil
}

// keyInUse reports whether key belongs to a buffered file or to the last
// object of tag. Called with o.mu held.
func (o *Output) keyInUse(tag, key string) bool {
	if o.lastKey[tag] == key {
		return true
	}
	for _, f := range o.files {
		if f.meta.Key == key {
			return true
		}
	}
	return false
}

// saveMeta persists f's metadata atomically.
func (o *Output) saveMeta(f *bufferFile) error {
	raw, _ := json.Marshal(&f.meta)
	if err := writeAtomic(o.metaPath(f.meta.Seq), raw); err != nil {
		return fmt.Errorf("output %s: saving upload state in store_dir: %w", o.id, err)
	}
	return nil
}

// seal stops appending to f. Called with o.mu held.
func (o *Output) seal(f *bufferFile) {
	f.sealed = true
	if o.active[f.meta.Tag] == f {
		delete(o.active, f.meta.Tag)
	}
	if f.data != nil {
		f.data.Close()
		f.data = nil
	}
}

// forget removes f from the store, deleting its files, or moving its data
// to store_dir/failed when keep is set. Called with o.mu held.
func (o *Output) forget(f *bufferFile, keep bool) string {
	o.seal(f)
	for i, g := range o.files {
		if g == f {
			o.files = append(o.files[:i], o.files[i+1:]...)
			break
		}
	}
	o.buffered -= f.size
	o.lastKey[f.meta.Tag] = f.meta.Key
	kept := ""
	if keep {
		dir := filepath.Join(o.storeDir, "failed")
		kept = filepath.Join(dir, strconv.FormatUint(f.meta.Seq, 10)+"-"+strings.ReplaceAll(f.meta.Key, "/", "_"))
		if err := os.MkdirAll(dir, 0o755); err == nil && os.Rename(o.dataPath(f.meta.Seq), kept) == nil {
			os.Remove(o.metaPath(f.meta.Seq))
			return kept
		}
		kept = o.dataPath(f.meta.Seq)
	}
	if !keep {
		os.Remove(o.dataPath(f.meta.Seq))
	}
	os.Remove(o.metaPath(f.meta.Seq))
	return kept
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
