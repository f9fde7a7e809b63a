package accessor

import (
	"strconv"

	"github.com/sluice-logs/sluice/internal/record"
	"github.com/tinylib/msgp/msgp"
)

// AppendText appends the raw msgpack value v as text, the way a template or
// a string comparison sees it: strings and binary as their bytes, numbers
// and booleans in their shortest decimal form, maps and arrays as JSON. It
// reports false for nil and for a malformed value, appending nothing.
func AppendText(dst, v []byte) ([]byte, bool) {
	switch msgp.NextType(v) {
	case msgp.StrType, msgp.BinType:
		s, ok := record.StringValue(v)
		return append(dst, s...), ok
	case msgp.IntType:
		i, _, err := msgp.ReadInt64Bytes(v)
		return strconv.AppendInt(dst, i, 10), err == nil
	case msgp.UintType:
		u, _, err := msgp.ReadUint64Bytes(v)
		return strconv.AppendUint(dst, u, 10), err == nil
	case msgp.Float64Type:
		f, _, err := msgp.ReadFloat64Bytes(v)
		return strconv.AppendFloat(dst, f, 'g', -1, 64), err == nil
	case msgp.Float32Type:
		f, _, err := msgp.ReadFloat32Bytes(v)
		return strconv.AppendFloat(dst, float64(f), 'g', -1, 32), err == nil
	case msgp.BoolType:
		b, _, err := msgp.ReadBoolBytes(v)
		return strconv.AppendBool(dst, b), err == nil
	case msgp.NilType, msgp.InvalidType:
		return dst, false
	}
	out, _, err := record.AppendJSON(dst, v)
	if err != nil {
		return dst, false
	}
	return out, true
}
