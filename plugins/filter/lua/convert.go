package lua

import (
	"fmt"
	"math"
	"strconv"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
	glua "github.com/yuin/gopher-lua"
)

// maxDepth bounds nesting both ways, as record's decoder does.
const maxDepth = 100

// toLua converts a msgpack value to a Lua value.
func toLua(L *glua.LState, v []byte) (glua.LValue, error) {
	lv, _, err := decodeValue(L, v, 0)
	return lv, err
}

func decodeValue(L *glua.LState, b []byte, depth int) (glua.LValue, []byte, error) {
	if depth > maxDepth {
		return nil, b, fmt.Errorf("record nests deeper than %d levels", maxDepth)
	}
	switch msgp.NextType(b) {
	case msgp.MapType:
		n, rest, err := msgp.ReadMapHeaderBytes(b)
		if err != nil {
			return nil, b, err
		}
		t := L.CreateTable(0, int(n))
		for i := uint32(0); i < n; i++ {
			var k, v glua.LValue
			if k, rest, err = decodeValue(L, rest, depth+1); err != nil {
				return nil, b, err
			}
			if v, rest, err = decodeValue(L, rest, depth+1); err != nil {
				return nil, b, err
			}
			if k != glua.LNil && k != nil {
				t.RawSet(k, v)
			}
		}
		return t, rest, nil
	case msgp.ArrayType:
		n, rest, err := msgp.ReadArrayHeaderBytes(b)
		if err != nil {
			return nil, b, err
		}
		t := L.CreateTable(int(n), 0)
		for i := uint32(0); i < n; i++ {
			var v glua.LValue
			if v, rest, err = decodeValue(L, rest, depth+1); err != nil {
				return nil, b, err
			}
			t.RawSetInt(int(i)+1, v)
		}
		return t, rest, nil
	case msgp.StrType, msgp.BinType:
		s, ok := record.StringValue(b)
		if !ok {
			return nil, b, fmt.Errorf("invalid string")
		}
		rest, err := msgp.Skip(b)
		return glua.LString(s), rest, err
	case msgp.IntType:
		i, rest, err := msgp.ReadInt64Bytes(b)
		return glua.LNumber(i), rest, err
	case msgp.UintType:
		u, rest, err := msgp.ReadUint64Bytes(b)
		return glua.LNumber(u), rest, err
	case msgp.Float64Type, msgp.Float32Type:
		f, rest, err := msgp.ReadFloat64Bytes(b)
		return glua.LNumber(f), rest, err
	case msgp.BoolType:
		v, rest, err := msgp.ReadBoolBytes(b)
		return glua.LBool(v), rest, err
	case msgp.NilType:
		rest, err := msgp.ReadNilBytes(b)
		return glua.LNil, rest, err
	case msgp.ExtensionType:
		// An EventTime inside a body: seconds as a float.
		if t, rest, err := record.DecodeTime(b); err == nil {
			return glua.LNumber(t.Float()), rest, nil
		}
		rest, err := msgp.Skip(b)
		return glua.LNil, rest, err
	}
	return nil, b, fmt.Errorf("unsupported msgpack value %s", msgp.NextType(b))
}

// writer encodes Lua tables back into records.
type writer struct{ filter *Filter }

// event writes one record.
func (w *writer) event(out *record.Builder, t record.Time, meta []byte, tbl *glua.LTable) error {
	out.BeginEvent(t, meta)
	return w.value(out, tbl, "", 0, true)
}

// each calls fn for every key and value of t in the order the keys were
// first set (gopher-lua's Next; ForEach walks Go maps in random order), so
// a record keeps its field order and new fields follow.
func each(t *glua.LTable, fn func(k, v glua.LValue)) {
	for k, v := t.Next(glua.LNil); k != glua.LNil; k, v = t.Next(k) {
		fn(k, v)
	}
}

// isArray reports whether t's keys are exactly 1..n with n > 0.
func isArray(t *glua.LTable) bool {
	n := 0
	array := true
	each(t, func(k, _ glua.LValue) {
		n++
		if num, ok := k.(glua.LNumber); !ok || float64(num) != math.Trunc(float64(num)) || num < 1 {
			array = false
		}
	})
	return array && n > 0 && t.MaxN() == n
}

// value encodes v; key is the map key v belongs to (for type_int_key and
// type_array_key), top says v is the record itself, which is always a map.
func (w *writer) value(out *record.Builder, v glua.LValue, key string, depth int, top bool) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: returned record nests deeper than %d levels", errScript, maxDepth)
	}
	switch x := v.(type) {
	case *glua.LTable:
		if !top && (w.filter.arrayKeys[key] || isArray(x)) {
			n := x.Len()
			out.AppendRawValue(msgp.AppendArrayHeader(nil, uint32(n)))
			for i := 1; i <= n; i++ {
				if err := w.value(out, x.RawGetInt(i), "", depth+1, false); err != nil {
					return err
				}
			}
			return nil
		}
		n := 0
		each(x, func(k, _ glua.LValue) {
			if isKey(k) {
				n++
			}
		})
		out.AppendMapHeader(n)
		var err error
		each(x, func(k, val glua.LValue) {
			if err != nil || !isKey(k) {
				return
			}
			ks := keyString(k)
			out.AppendString(ks)
			err = w.value(out, val, ks, depth+1, false)
		})
		return err
	case glua.LString:
		if w.filter.intKeys[key] {
			if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				out.AppendInt(i)
				return nil
			}
		}
		out.AppendString(string(x))
	case glua.LNumber:
		f := float64(x)
		if w.filter.intKeys[key] || (f == math.Trunc(f) && math.Abs(f) < 1<<63) {
			out.AppendInt(int64(f))
		} else {
			out.AppendRawValue(msgp.AppendFloat64(nil, f))
		}
	case glua.LBool:
		out.AppendRawValue(msgp.AppendBool(nil, bool(x)))
	default: // nil, functions, userdata
		out.AppendRawValue(msgp.AppendNil(nil))
	}
	return nil
}

func isKey(k glua.LValue) bool {
	switch k.(type) {
	case glua.LString, glua.LNumber, glua.LBool:
		return true
	}
	return false
}

func keyString(k glua.LValue) string {
	if n, ok := k.(glua.LNumber); ok && float64(n) == math.Trunc(float64(n)) {
		return strconv.FormatInt(int64(n), 10)
	}
	return k.String()
}
