package lua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/internal/record"
	glua "github.com/yuin/gopher-lua"
)

// Filter is one lua instance. Its Lua state is guarded by a mutex, so it
// is safe for concurrent use.
type Filter struct {
	id          string
	call        string
	protected   bool
	timeAsTable bool
	intKeys     map[string]bool
	arrayKeys   map[string]bool
	logger      *slog.Logger

	mu sync.Mutex
	L  *glua.LState
	fn *glua.LFunction
	w  writer
}

// New loads the script, runs its top level once (as Fluent Bit does at
// start) and checks that call names a function.
func New(s plugin.Settings) (*Filter, error) {
	c := s.Config
	f := &Filter{id: s.ID, call: c.String("call"), protected: c.Bool("protected_mode"), timeAsTable: c.Bool("time_as_table"),
		intKeys: set(c.List("type_int_key")), arrayKeys: set(c.List("type_array_key")), logger: s.Logger}
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	script, code := c.String("script"), c.String("code")
	var src, name string
	switch {
	case code != "":
		// As in Fluent Bit, code wins over script.
		if script != "" {
			f.logger.Warn("both code and script are set; code is used", "script", script)
		}
		src, name = code, "code"
	case script != "":
		path := resolveScript(script, c.File())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, c.Errorf("script", "cannot read the script: %v", err)
		}
		src, name = string(b), path
	default:
		return nil, c.Errorf("script", "set script (a file) or code (inline Lua)")
	}
	f.L = glua.NewState()
	if err := f.L.DoString(src); err != nil {
		f.L.Close()
		key := "script"
		if code != "" {
			key = "code"
		}
		return nil, c.Errorf(key, "%s: %v", name, err)
	}
	fn, ok := f.L.GetGlobal(f.call).(*glua.LFunction)
	if !ok {
		f.L.Close()
		return nil, c.Errorf("call", "the script defines no function %q", f.call)
	}
	f.fn = fn
	f.w.filter = f
	return f, nil
}

// resolveScript finds a relative script as Fluent Bit does: in the working
// directory, else beside the configuration file that names it.
func resolveScript(script, confFile string) string {
	if filepath.IsAbs(script) || confFile == "" {
		return script
	}
	if _, err := os.Stat(script); err == nil {
		return script
	}
	return filepath.Join(filepath.Dir(confFile), script)
}

func set(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// Close releases the Lua state (plugin.Closer).
func (f *Filter) Close(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.L.Close()
	return nil
}

// errScript marks an error raised by the Lua function.
var errScript = errors.New("lua function failed")

// Filter implements plugin.Filter.
func (f *Filter) Filter(tag string, events []byte, out *record.Builder) (plugin.FilterResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ltag := glua.LString(tag)
	changed := false
	it := record.NewIterator(events)
	for it.Next() {
		ev := it.Event()
		modified, err := f.one(ltag, ev, out)
		if err != nil {
			if !f.protected {
				return plugin.FilterUnchanged, fmt.Errorf("lua %s: %s: %w", f.id, f.call, err)
			}
			f.logger.Warn("lua function failed; record kept unchanged", "call", f.call, "tag", tag, "error", err)
			out.AppendRaw(ev.Raw)
			changed = true // the records before it may have changed
			continue
		}
		changed = changed || modified
	}
	if err := it.Err(); err != nil {
		return plugin.FilterUnchanged, err
	}
	if !changed {
		return plugin.FilterUnchanged, nil
	}
	return plugin.FilterModified, nil
}

// one calls the function on one record and writes what it returns.
func (f *Filter) one(tag glua.LString, ev *record.Event, out *record.Builder) (bool, error) {
	L := f.L
	body, err := toLua(L, ev.Body)
	if err != nil {
		return false, err
	}
	L.Push(f.fn)
	L.Push(tag)
	L.Push(f.timeToLua(ev.Time))
	L.Push(body)
	if err := L.PCall(3, 3, nil); err != nil {
		return false, fmt.Errorf("%w: %v", errScript, err)
	}
	code, ts, rec := L.Get(-3), L.Get(-2), L.Get(-1)
	L.Pop(3)
	n, ok := code.(glua.LNumber)
	if !ok {
		return false, fmt.Errorf("%w: first result is %s, want -1, 0, 1 or 2", errScript, code.Type())
	}
	switch int(n) {
	case -1:
		return true, nil
	case 0:
		out.AppendRaw(ev.Raw)
		return false, nil
	case 1, 2:
	default:
		return false, fmt.Errorf("%w: return code %v, want -1, 0, 1 or 2", errScript, n)
	}
	t := ev.Time
	if int(n) == 1 {
		if t, err = f.timeFromLua(ts); err != nil {
			return false, err
		}
	}
	tbl, ok := rec.(*glua.LTable)
	if !ok {
		return false, fmt.Errorf("%w: third result is %s, want a table", errScript, rec.Type())
	}
	mark := out.Mark()
	if isRecordArray(tbl) {
		for i := 1; i <= tbl.Len(); i++ {
			if err := f.w.event(out, t, ev.Meta, tbl.RawGetInt(i).(*glua.LTable)); err != nil {
				out.Rollback(mark)
				return false, err
			}
		}
		return true, nil
	}
	if err := f.w.event(out, t, ev.Meta, tbl); err != nil {
		out.Rollback(mark)
		return false, err
	}
	return true, nil
}

func (f *Filter) timeToLua(t record.Time) glua.LValue {
	if !f.timeAsTable {
		return glua.LNumber(t.Float())
	}
	sec, nsec := t.Unix()
	tb := f.L.NewTable()
	tb.RawSetString("sec", glua.LNumber(sec))
	tb.RawSetString("nsec", glua.LNumber(nsec))
	return tb
}

func (f *Filter) timeFromLua(v glua.LValue) (record.Time, error) {
	switch x := v.(type) {
	case glua.LNumber:
		sec := float64(x)
		whole := int64(sec)
		return record.Time(whole*1e9 + int64((sec-float64(whole))*1e9+0.5)), nil
	case *glua.LTable:
		sec, ok1 := x.RawGetString("sec").(glua.LNumber)
		nsec, ok2 := x.RawGetString("nsec").(glua.LNumber)
		if !ok1 {
			return 0, fmt.Errorf("%w: timestamp table has no numeric sec", errScript)
		}
		if !ok2 {
			nsec = 0
		}
		return record.Time(int64(sec)*1e9 + int64(nsec)), nil
	}
	return 0, fmt.Errorf("%w: timestamp is %s, want a number or {sec, nsec}", errScript, v.Type())
}

// isRecordArray reports whether t is an array of tables: several records.
func isRecordArray(t *glua.LTable) bool {
	n := t.Len()
	if n == 0 || !isArray(t) {
		return false
	}
	for i := 1; i <= n; i++ {
		if _, ok := t.RawGetInt(i).(*glua.LTable); !ok {
			return false
		}
	}
	return true
}
