package safetensors

import "math"

// Float16ToFloat32 converts an IEEE 754 binary16 value to float32 exactly,
// subnormals, infinities and NaN included.
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	case mant == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// Subnormal: value = mant · 2^-24, normalized for float32.
	e := uint32(127 - 15 + 1)
	for mant&0x400 == 0 {
		mant <<= 1
		e--
	}
	mant &= 0x3ff
	return math.Float32frombits(sign | e<<23 | mant<<13)
}

// BFloat16ToFloat32 converts a bfloat16 value (the top 16 bits of a float32)
// to float32 exactly.
func BFloat16ToFloat32(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}
