package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// readFile reads a file that site made the parse read (the zero link for the
// main file) and registers it. Like Fluent Bit, which keeps a table of the
// inodes it has read (read_config in src/config_format/flb_cf_fluentbit.c),
// it refuses a file read twice: through a cycle, or simply included twice.
// Problems are reported at site, in the file reached through o.
func (p *parse) readFile(path string, site link, o origin) ([]byte, bool) {
	at := site.at
	if site.how == "" {
		at = Position{File: path}
	}
	info, err := os.Stat(path)
	if err == nil && info.IsDir() {
		err = errors.New("it is a directory")
	}
	if err == nil {
		if p.alreadyRead(path, info, at, o) {
			return nil, false
		}
		if len(p.files) >= maxFiles {
			p.fail(o, &Error{Pos: at, Msg: fmt.Sprintf("too many configuration files (more than %d)", maxFiles),
				Hint: "check @INCLUDE patterns for one that matches far more files than intended"})
			return nil, false
		}
	}
	var src []byte
	if err == nil {
		src, err = os.ReadFile(path)
	}
	if err != nil {
		p.fail(o, &Error{Pos: at, Msg: fmt.Sprintf("cannot read %q: %s", path, describeFileError(err)),
			Hint: readHint(site)})
		return nil, false
	}
	p.files = append(p.files, readFile{path: path, info: info})
	return src, true
}

// alreadyRead reports, as an error, a file that this parse has read before.
func (p *parse) alreadyRead(path string, info os.FileInfo, at Position, o origin) bool {
	for i, f := range p.files {
		if f.info == nil || !os.SameFile(f.info, info) {
			continue
		}
		for depth, open := range p.stack {
			if open == i {
				chain := make([]string, 0, len(p.stack)-depth+1)
				for _, j := range p.stack[depth:] {
					chain = append(chain, p.files[j].path)
				}
				chain = append(chain, path)
				p.fail(o, &Error{Pos: at, Msg: "include cycle: " + strings.Join(chain, " -> "),
					Hint: "remove the @INCLUDE (or includes entry) that leads back to an including file"})
				return true
			}
		}
		p.fail(o, &Error{Pos: at, Msg: fmt.Sprintf("%q is read a second time: Fluent Bit reads each file once", path),
			Hint: "remove one of the includes (or parsers_file keys) naming this file, or make two glob patterns disjoint"})
		return true
	}
	return false
}

// registerMain records the main file of ParseClassic/ParseYAML, which comes
// as bytes, so that an include leading back to it is detected as a cycle.
func (p *parse) registerMain(name string) {
	info, err := os.Stat(name)
	if err != nil || info.IsDir() {
		info = nil
	}
	p.files = append(p.files, readFile{path: name, info: info})
}

// open reads a file and parses it with read while it counts as open, so
// that an include leading back to it is reported as a cycle.
func (p *parse) open(path string, site link, o origin, read func(src []byte)) {
	if src, ok := p.readFile(path, site, o); ok {
		p.within(func() { read(src) })
	}
}

// within runs read while the file registered last counts as open.
func (p *parse) within(read func()) {
	p.stack = append(p.stack, len(p.files)-1)
	read()
	p.stack = p.stack[:len(p.stack)-1]
}

// includePaths resolves an include written in a file of directory dir. A
// relative path is taken from dir, the including file's directory, and,
// failing that, from the main file's directory and the working directory,
// the two places Fluent Bit's classic reader looks (read_config and
// read_glob). A pattern with *, ? or [ is a glob whose matches are read in
// lexical order, directories skipped; like Fluent Bit, a pattern that
// matches no file is an error.
func (p *parse) includePaths(pattern, dir string, site link, o origin) []string {
	candidates := p.candidates(pattern, dir)
	if !strings.ContainsAny(pattern, "*?[") {
		for _, c := range candidates {
			if _, err := os.Stat(c); err == nil {
				return []string{c}
			}
		}
		return candidates[:1] // readFile reports it missing
	}
	for _, c := range candidates {
		matches, err := filepath.Glob(c)
		if err != nil {
			p.fail(o, &Error{Pos: site.at, Msg: fmt.Sprintf("invalid include pattern %q: %v", pattern, err),
				Hint: "a pattern uses *, ? and [a-z] as in a shell; escape a literal [ as \\["})
			return nil
		}
		var files []string
		for _, m := range matches {
			if info, err := os.Stat(m); err == nil && !info.IsDir() {
				files = append(files, m)
			}
		}
		if len(files) > 0 {
			return files
		}
	}
	p.fail(o, &Error{Pos: site.at, Msg: fmt.Sprintf("include pattern %q matches no file", pattern),
		Hint: fmt.Sprintf("a relative pattern is taken from the including file's directory (%s)", dir)})
	return nil
}

// candidates lists where a relative include may live, most specific first.
func (p *parse) candidates(path, dir string) []string {
	if filepath.IsAbs(path) {
		return []string{path}
	}
	out := []string{filepath.Join(dir, path)}
	if len(p.files) > 0 {
		if c := filepath.Join(filepath.Dir(p.files[0].path), path); c != out[0] {
			out = append(out, c)
		}
	}
	if c := filepath.Clean(path); c != out[len(out)-1] && c != out[0] {
		out = append(out, c)
	}
	return out
}

// resolvePath takes a relative path from dir, falling back to the working
// directory when only that has the file, as Fluent Bit's parsers_file does.
func resolvePath(path, dir string) string {
	if filepath.IsAbs(path) {
		return path
	}
	joined := filepath.Join(dir, path)
	if _, err := os.Stat(joined); err != nil {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	return joined
}

// describeFileError turns an os error into a short operator-facing phrase.
func describeFileError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func readHint(site link) string {
	switch site.how {
	case "":
		return "check the path given with -c"
	case viaParsersFile:
		return "a relative parsers_file is taken from the main configuration's directory"
	}
	return "a relative include is taken from the including file's directory"
}
