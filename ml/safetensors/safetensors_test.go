package safetensors

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shopsight/shopsight/internal/shareddata"
)

// testTensor is one tensor for writeFile; Data holds its raw bytes.
type testTensor struct {
	name  string
	dtype DType
	shape []int
	data  []byte
}

// encodeFile builds a safetensors file from tensors laid out in order, with
// the header padded by spaces to a multiple of 8 bytes.
func encodeFile(t *testing.T, tensors []testTensor) []byte {
	t.Helper()
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var buffer []byte
	for _, tt := range tensors {
		header[tt.name] = map[string]any{
			"dtype":        tt.dtype,
			"shape":        tt.shape,
			"data_offsets": []int{len(buffer), len(buffer) + len(tt.data)},
		}
		buffer = append(buffer, tt.data...)
	}
	return encodeRaw(t, header, buffer)
}

// encodeRaw builds a file from an arbitrary header, for malformed cases.
func encodeRaw(t *testing.T, header map[string]any, buffer []byte) []byte {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	return append(out, buffer...)
}

func writeTemp(t *testing.T, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func f32Bytes(values ...float32) []byte {
	var b []byte
	for _, v := range values {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func u16Bytes(values ...uint16) []byte {
	var b []byte
	for _, v := range values {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

func TestOpenConvertsDTypes(t *testing.T) {
	// F16 bit patterns: 1, -2, 0.5, 65504 (max), 2^-24 (smallest subnormal), -0, +Inf.
	f16 := u16Bytes(0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00)
	f16Want := []float32{1, -2, 0.5, 65504, float32(math.Pow(2, -24)), float32(math.Copysign(0, -1)), float32(math.Inf(1))}
	// BF16 bit patterns: 1, -3, 1.5 · 2^100 is not representable, so use 0x7f7f (max finite).
	bf16 := u16Bytes(0x3f80, 0xc040, 0x7f7f)
	bf16Want := []float32{1, -3, math.Float32frombits(0x7f7f0000)}
	f32Want := []float32{0.25, -1.5, 3e-39, 7}
	path := writeTemp(t, encodeFile(t, []testTensor{
		{"a.f32", F32, []int{2, 2}, f32Bytes(f32Want...)},
		{"b.f16", F16, []int{7}, f16},
		{"c.bf16", BF16, []int{3, 1}, bf16},
		{"d.position_ids", I64, []int{1, 2}, make([]byte, 16)},
		{"e.scalar", F32, nil, f32Bytes(42)},
	}))

	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	if got, want := strings.Join(f.Names(), ","), "a.f32,b.f16,c.bf16,d.position_ids,e.scalar"; got != want {
		t.Errorf("Names() = %s, want %s", got, want)
	}
	if got := f.Metadata()["format"]; got != "pt" {
		t.Errorf("metadata format = %q, want pt", got)
	}

	tests := []struct {
		name  string
		shape []int
		want  []float32
	}{
		{"a.f32", []int{2, 2}, f32Want},
		{"b.f16", []int{7}, f16Want},
		{"c.bf16", []int{3, 1}, bf16Want},
		{"e.scalar", []int{}, []float32{42}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, ok := f.Tensor(tc.name)
			if !ok {
				t.Fatalf("tensor %s not found", tc.name)
			}
			if fmt.Sprint(info.Shape) != fmt.Sprint(tc.shape) {
				t.Errorf("shape = %v, want %v", info.Shape, tc.shape)
			}
			got, err := f.Float32s(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d values, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(tc.want[i]) {
					t.Errorf("element %d = %g, want %g", i, got[i], tc.want[i])
				}
			}
		})
	}

	if _, err := f.Float32s("d.position_ids"); err == nil || !strings.Contains(err.Error(), "I64") {
		t.Errorf("Float32s on an I64 tensor: err = %v, want an error naming the dtype", err)
	}
	if _, err := f.Float32s("missing"); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("Float32s on a missing tensor: err = %v, want an error naming it", err)
	}
}

func TestFloat16AllPatterns(t *testing.T) {
	// Every finite binary16 value is exactly representable in float64, so
	// compare against the value computed from the bit fields.
	for bits := 0; bits < 1<<16; bits++ {
		h := uint16(bits)
		exp := int(h>>10) & 0x1f
		mant := float64(h & 0x3ff)
		var want float64
		switch {
		case exp == 0x1f && mant == 0:
			want = math.Inf(1)
		case exp == 0x1f:
			if got := Float16ToFloat32(h); !math.IsNaN(float64(got)) {
				t.Fatalf("Float16ToFloat32(%#04x) = %g, want NaN", h, got)
			}
			continue
		case exp == 0:
			want = mant * math.Pow(2, -24)
		default:
			want = (1 + mant/1024) * math.Pow(2, float64(exp-15))
		}
		if h&0x8000 != 0 {
			want = -want
		}
		if got := Float16ToFloat32(h); float64(got) != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("Float16ToFloat32(%#04x) = %g, want %g", h, got, want)
		}
	}
}

func TestOpenRejectsMalformedFiles(t *testing.T) {
	valid := encodeFile(t, []testTensor{
		{"w", F32, []int{2}, f32Bytes(1, 2)},
		{"v", F32, []int{2}, f32Bytes(3, 4)},
	})
	entry := func(dtype string, shape []int, begin, end int) map[string]any {
		return map[string]any{"dtype": dtype, "shape": shape, "data_offsets": []int{begin, end}}
	}
	tests := []struct {
		name    string
		content []byte
		want    string // substring of the error
	}{
		{"empty file", nil, "shorter than the 8-byte header length"},
		{"short file", []byte{1, 2, 3}, "shorter than the 8-byte header length"},
		{"header beyond file", binary.LittleEndian.AppendUint64(nil, 1000), "header length 1000 is beyond the end"},
		{"huge header length", binary.LittleEndian.AppendUint64(nil, math.MaxUint64), "exceeds the maximum"},
		{"truncated data", valid[:len(valid)-4], `tensor "v" data_offsets [8, 16] exceed the 12-byte data buffer`},
		{"invalid json", append(binary.LittleEndian.AppendUint64(nil, 8), []byte("{notjson")...), "invalid JSON header"},
		{"overlap", encodeRaw(t, map[string]any{
			"a": entry("F32", []int{2}, 0, 8),
			"b": entry("F32", []int{2}, 4, 12),
		}, make([]byte, 12)), "overlap"},
		{"nested overlap", encodeRaw(t, map[string]any{
			"a": entry("F32", []int{4}, 0, 16),
			"b": entry("F32", []int{0}, 8, 8),
			"c": entry("F32", []int{1}, 12, 16),
		}, make([]byte, 16)), `tensor "c" bytes [12, 16) overlap tensor "a"`},
		{"offset out of range", encodeRaw(t, map[string]any{
			"a": entry("F32", []int{2}, 8, 16),
		}, make([]byte, 8)), `tensor "a" data_offsets [8, 16] exceed`},
		{"reversed offsets", encodeRaw(t, map[string]any{
			"a": entry("F32", []int{0}, 8, 4),
		}, make([]byte, 8)), "invalid data_offsets"},
		{"size mismatch", encodeRaw(t, map[string]any{
			"a": entry("F32", []int{3}, 0, 8),
		}, make([]byte, 8)), `tensor "a" has 8 data bytes but dtype F32 and shape [3] need 12`},
		{"unknown dtype", encodeRaw(t, map[string]any{
			"a": entry("Q4", []int{2}, 0, 8),
		}, make([]byte, 8)), `unknown dtype "Q4"`},
		{"negative dimension", encodeRaw(t, map[string]any{
			"a": entry("F32", []int{-2}, 0, 8),
		}, make([]byte, 8)), "negative dimension"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, tc.content)
			f, err := Open(path)
			if err == nil {
				f.Close()
				t.Fatalf("Open succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
		})
	}
}

func TestOpenMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.safetensors")
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Open(%s) error = %v, want an error naming the path", path, err)
	}
}

// goldenTensor is one entry of a tensors_<model>.json file.
type goldenTensor struct {
	DType    DType     `json:"dtype"`
	Shape    []int     `json:"shape"`
	Sum      float64   `json:"sum"`
	SumAbs   float64   `json:"sum_abs"`
	First    []float32 `json:"first"`
	Last     float32   `json:"last"`
	Row1Col0 *float32  `json:"row1_col0"`
	Row0Col1 *float32  `json:"row0_col1"`
}

func TestGoldenCheckpoints(t *testing.T) {
	dir := shareddata.Dir(t, "golden/bert")
	for _, model := range []string{"bert-tiny-h32-l2", "bert-h384-l1"} {
		t.Run(model, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "tensors_"+model+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var golden struct {
				FileSHA256 string                  `json:"file_sha256"`
				Tensors    map[string]goldenTensor `json:"tensors"`
			}
			if err := json.Unmarshal(raw, &golden); err != nil {
				t.Fatal(err)
			}

			f, err := Open(filepath.Join(dir, "models", model, "model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()

			sum := sha256.Sum256(f.Bytes())
			if got := hex.EncodeToString(sum[:]); got != golden.FileSHA256 {
				t.Errorf("sha256 = %s, want %s", got, golden.FileSHA256)
			}
			names := make([]string, 0, len(golden.Tensors))
			for name := range golden.Tensors {
				names = append(names, name)
			}
			sort.Strings(names)
			if got, want := strings.Join(f.Names(), "\n"), strings.Join(names, "\n"); got != want {
				t.Errorf("tensor names differ:\n got %s\nwant %s", got, want)
			}
			for _, name := range names {
				checkGoldenTensor(t, f, name, golden.Tensors[name])
			}
		})
	}
}

func checkGoldenTensor(t *testing.T, f *File, name string, want goldenTensor) {
	t.Helper()
	info, ok := f.Tensor(name)
	if !ok {
		t.Errorf("%s: not found", name)
		return
	}
	if info.DType != want.DType || fmt.Sprint(info.Shape) != fmt.Sprint(want.Shape) {
		t.Errorf("%s: dtype %s shape %v, want %s %v", name, info.DType, info.Shape, want.DType, want.Shape)
		return
	}
	values, err := f.Float32s(name)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	var sum, sumAbs float64
	for _, v := range values {
		sum += float64(v)
		sumAbs += math.Abs(float64(v))
	}
	if math.Abs(sum-want.Sum) > 1e-6 {
		t.Errorf("%s: sum %.12g, want %.12g", name, sum, want.Sum)
	}
	if math.Abs(sumAbs-want.SumAbs) > 1e-6 {
		t.Errorf("%s: sum_abs %.12g, want %.12g", name, sumAbs, want.SumAbs)
	}
	for i, w := range want.First {
		if values[i] != w {
			t.Errorf("%s: element %d = %g, want %g", name, i, values[i], w)
		}
	}
	if got := values[len(values)-1]; got != want.Last {
		t.Errorf("%s: last element = %g, want %g", name, got, want.Last)
	}
	if len(info.Shape) == 2 {
		cols := info.Shape[1]
		if want.Row1Col0 != nil && values[cols] != *want.Row1Col0 {
			t.Errorf("%s: [1][0] = %g, want %g", name, values[cols], *want.Row1Col0)
		}
		if want.Row0Col1 != nil && values[1] != *want.Row0Col1 {
			t.Errorf("%s: [0][1] = %g, want %g", name, values[1], *want.Row0Col1)
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.safetensors")
	tensors := []Tensor{
		Float32Tensor("z.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
		{Name: "a.half", DType: F16, Shape: []int{2}, Data: u16Bytes(0x3c00, 0xbc00)},
	}
	if err := WriteFile(path, tensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	got, err := f.Float32s("z.weight")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2 3 4 5 6]" {
		t.Errorf("z.weight = %v", got)
	}
	half, err := f.Float32s("a.half")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(half) != "[1 -1]" {
		t.Errorf("a.half = %v", half)
	}
	if headerLen := binary.LittleEndian.Uint64(f.Bytes()); headerLen%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", headerLen)
	}
}

func TestWriteRejectsSizeMismatch(t *testing.T) {
	err := Write(io.Discard, []Tensor{{Name: "w", DType: F32, Shape: []int{3}, Data: make([]byte, 8)}}, nil)
	if err == nil || !strings.Contains(err.Error(), `"w"`) {
		t.Errorf("Write error = %v, want an error naming tensor w", err)
	}
}
