package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluice-logs/sluice/conf"
)

// maxFiles bounds how many files one configuration may read, as Fluent Bit's
// FLB_CF_FILE_NUM_LIMIT does (src/config_format/flb_cf_fluentbit.c).
const maxFiles = 1000

// Load reads the configuration at path with every file it includes and every
// parsers_file its service section names. Files ending in .yaml or .yml are
// Fluent Bit YAML, anything else the classic format. Model.Files lists every
// file read, path first. The error, when not nil, is a *Error or an
// errors.Join of them, one per problem found.
func Load(path string) (*Model, []Warning, error) {
	p := newParse()
	p.open(path, link{}, nil, func(src []byte) {
		if isYAML(path) {
			p.readYAML(path, src, nil)
		} else {
			p.readClassic(path, src, nil)
		}
	})
	if len(p.errs) == 0 {
		p.expand(p.m)
		p.loadParsersFiles(filepath.Dir(path))
	}
	return p.result()
}

// LoadParsersFile reads a parsers file, classic or YAML by its extension, and
// appends its [PARSER] and [MULTILINE_PARSER] sections to m. A relative path
// is taken from the directory of m's main file (m.Files[0]), as Fluent Bit
// takes it from the main configuration's directory. Variables in the file
// expand from the file's own @SET lines and the environment; Load also
// passes the main configuration's variables. Other sections are ignored with
// a warning, as Fluent Bit ignores them.
func LoadParsersFile(path string, m *Model) ([]Warning, error) {
	p := newParse()
	p.m = m
	dir := "."
	if len(m.Files) > 0 {
		dir = filepath.Dir(m.Files[0])
	}
	p.loadParsers(path, resolvePath(path, dir), link{}, nil)
	m.Files = append(m.Files, p.fileNames()...)
	return p.warns, joinErrors(p.errs)
}

// loadParsersFiles loads every parsers_file of the service section.
func (p *parse) loadParsersFiles(dir string) {
	for _, prm := range p.m.Service.Params {
		if !strings.EqualFold(prm.Key, "parsers_file") || prm.Value == "" {
			continue
		}
		site := link{at: prm.Pos, how: viaParsersFile}
		p.loadParsers(prm.Value, resolvePath(prm.Value, dir), site, nil)
	}
}

// loadParsers reads one parsers file, written as written and found at
// path, into a scratch model and keeps only its parser sections. The
// shipped parsers.conf (package conf) stands in for a missing file its
// well-known names refer to.
func (p *parse) loadParsers(written, path string, site link, o origin) {
	main, errsBefore := p.m, len(p.errs)
	p.m = &Model{}
	read := func(src []byte) {
		if inner := o.push(site); isYAML(path) {
			p.readYAML(path, src, inner)
		} else {
			p.readClassic(path, src, inner)
		}
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && conf.IsParsersPath(written) {
		path = "embedded:parsers.conf"
		p.files = append(p.files, readFile{path: path})
		p.within(func() { read(conf.Parsers) })
	} else {
		p.open(path, site, o, read)
	}
	got := p.m
	p.m = main
	if len(p.errs) > errsBefore {
		return
	}
	p.expand(got)
	main.Parsers = append(main.Parsers, got.Parsers...)
	main.MultilineParsers = append(main.MultilineParsers, got.MultilineParsers...)
	if len(got.Service.Params) > 0 {
		p.warn(got.Service.Pos, "[SERVICE] in a parsers file is ignored; only [PARSER] and [MULTILINE_PARSER] are read")
	}
	for _, s := range append(append(got.Inputs, got.Filters...), got.Outputs...) {
		p.warn(s.Pos, fmt.Sprintf("[%s] in a parsers file is ignored; only [PARSER] and [MULTILINE_PARSER] are read",
			strings.ToUpper(string(s.Kind))))
	}
}

// parse is the state of one load: the model being built, the variables
// defined so far, the files read and the problems found.
type parse struct {
	m     *Model
	vars  map[string]string
	files []readFile
	stack []int // indexes into files of the files being read, outermost first
	errs  []error
	warns []Warning
}

// readFile is one file read by a parse.
type readFile struct {
	path string
	info os.FileInfo // nil when the name is not a file on disk (embedded)
}

func newParse() *parse { return &parse{m: &Model{}, vars: map[string]string{}} }

// finish expands the variables of a parse that found no error and returns
// its result.
func (p *parse) finish() (*Model, []Warning, error) {
	if len(p.errs) == 0 {
		p.expand(p.m)
	}
	return p.result()
}

// result returns the model, or the collected errors.
func (p *parse) result() (*Model, []Warning, error) {
	if len(p.errs) > 0 {
		return nil, p.warns, joinErrors(p.errs)
	}
	p.m.Files = append(p.m.Files, p.fileNames()...)
	return p.m, p.warns, nil
}

func (p *parse) fileNames() []string {
	names := make([]string, len(p.files))
	for i, f := range p.files {
		names[i] = f.path
	}
	return names
}

// fail records an error found in a file reached through o.
func (p *parse) fail(o origin, e *Error) {
	e.Msg += o.String()
	p.errs = append(p.errs, e)
}

func (p *parse) warn(pos Position, msg string) {
	p.warns = append(p.warns, Warning{Pos: pos, Msg: msg})
}

// joinErrors returns nil, the only error, or all of them joined.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// link is the place that made a file be read: an @INCLUDE line, an includes
// entry or a parsers_file key. The zero link is the main file.
type link struct {
	at  Position
	how string // viaInclude or viaParsersFile
}

// How a file came to be read, as error messages say it.
const (
	viaInclude     = "included from"
	viaParsersFile = "parsers_file of"
)

// origin is the chain of links that led to a file, innermost first.
type origin []link

// push returns the origin of a file that l made the parse read.
func (o origin) push(l link) origin {
	if l.how == "" {
		return o
	}
	return append(origin{l}, o...)
}

// String renders " (included from b.conf:2, included from main.conf:3)".
func (o origin) String() string {
	if len(o) == 0 {
		return ""
	}
	parts := make([]string, len(o))
	for i, l := range o {
		parts[i] = fmt.Sprintf("%s %s:%d", l.how, l.at.File, l.at.Line)
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// isYAML reports whether path names a YAML configuration.
func isYAML(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}
